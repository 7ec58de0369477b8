// The tests' clock (support/test-clock.js): Date starts where a test puts it and runs on; a child
// process started through clockForChild() reads the same time; `npm run test:at` runs the clock's
// suites at the instant given, saying so first.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import {
  clockForChild,
  clockOffset,
  defaultInstant,
  instantVariable,
  parseInstant,
  setClock,
  suiteInstant
} from '../../tools/test-clock/clock.js'

const springForward = '2027-03-28T00:59:30Z'
const springForwardMs = Date.UTC(2027, 2, 28, 0, 59, 30)

describe('the tests’ clock', () => {
  it('starts every suite at the chosen instant', () => {
    const chosen =
      (globalThis as Record<string, unknown>)[instantVariable] ||
      process.env[instantVariable] ||
      defaultInstant
    expect(suiteInstant()).toBe(chosen)
    expect(clockOffset()).not.toBeNull()
    // The suite began there, moments ago.
    expect(Date.now() - parseInstant(suiteInstant())).toBeGreaterThanOrEqual(0)
    expect(Date.now() - parseInstant(suiteInstant())).toBeLessThan(120_000)
  })

  it('makes it the chosen instant for Date.now(), new Date() and Date(), and runs on', async () => {
    setClock(springForward)
    const first = Date.now()
    expect(first - springForwardMs).toBeGreaterThanOrEqual(0)
    // Moments after it, however slow the machine (an unset clock reads the machine’s time, months off).
    expect(first - springForwardMs).toBeLessThan(60_000)
    expect(new Date().getTime() - springForwardMs).toBeLessThan(60_000)
    expect(Date()).toContain('2027')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(Date.now() - first).toBeGreaterThanOrEqual(50)
  })

  it('leaves dates built from a value, parsing and instanceof alone', () => {
    setClock(springForward)
    expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z')
    expect(Date.parse('2026-01-05T10:00:00Z')).toBe(Date.UTC(2026, 0, 5, 10))
    expect(new Date()).toBeInstanceOf(Date)
    expect(Object.prototype.toString.call(new Date())).toBe('[object Date]')
  })

  it('takes ms as well as ISO text, and only ISO text that names its zone', () => {
    setClock(springForwardMs)
    expect(Date.now() - springForwardMs).toBeLessThan(60_000)
    expect(parseInstant('2027-03-28T01:59:30+01:00')).toBe(springForwardMs)
    expect(parseInstant('2028-02-29T00:00:30.5Z')).toBe(Date.UTC(2028, 1, 29, 0, 0, 30, 500))
    for (const bad of ['2027-03-28T00:59:30', '2027-03-28', 'tomorrow', '2027-02-30T00:00:00Z']) {
      expect(() => parseInstant(bad)).toThrow(`"${bad}" is not an ISO 8601 instant with a zone`)
    }
  })

  it('hands its time to a child process exactly', () => {
    setClock(springForward)
    const clock = clockForChild()
    const before = Date.now()
    const child = spawnSync(machineNodePath, [...clock.execArgv, '-e', 'console.log(Date.now())'], {
      env: { ...process.env, ...clock.env },
      encoding: 'utf8'
    })
    const after = Date.now()
    const childNow = Number(child.stdout.trim())
    expect(childNow).toBeGreaterThanOrEqual(before)
    expect(childNow).toBeLessThanOrEqual(after)
  })
})

describe('npm run test:at', () => {
  const testAt = (...args: string[]) =>
    spawnSync(machineNodePath, ['.github/scripts/test-at.js', ...args], {
      cwd: projectRoot,
      encoding: 'utf8'
    })

  it('refuses an instant without a zone, naming it, and runs nothing', () => {
    const run = testAt('2027-03-28T00:59:30')
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('"2027-03-28T00:59:30" is not an ISO 8601 instant with a zone')
  })

  it('says the instant on its first line and runs the named suites at it', () => {
    const run = testAt('2028-02-29T23:59:30+01:00', 'unit/human-time')
    expect(run.stdout.split('\n')[0]).toBe(
      "Running the clock's suites at 2028-02-29T22:59:30.000Z (as asked): 1 suites."
    )
    expect(run.stderr).toMatch(/Tests: +\d+ passed/)
    expect(run.status).toBe(0)
  }, 60_000)
})
