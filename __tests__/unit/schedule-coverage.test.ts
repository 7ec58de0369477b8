// A scheduled run checks that its own schedule line cannot let a campaign fall between two runs.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkScheduleCoverage,
  coverageAdvice,
  type CoverageAdvice,
  maxPayloadBytes,
  scheduleLineOfThisRun
} from '../../src/stages/schedule-coverage.js'
import { annotationsIn } from '../../tools/run-action.js'
import { captureStdout } from '../support/capture-stdout.js'

const stdout = captureStdout()
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-schedule-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))

let payloads = 0
function scheduledRun(payload: unknown, eventName = 'schedule'): NodeJS.ProcessEnv {
  const path = join(workDir, `event-${payloads++}.json`)
  writeFileSync(path, typeof payload === 'string' ? payload : JSON.stringify(payload))
  return { GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: path }
}
const minutes = (n: number) => ({ singleSendsWithinMs: n * 60_000 })
const advised = (line: string, lookAhead: number) =>
  coverageAdvice(line, lookAhead) as CoverageAdvice

describe('coverageAdvice', () => {
  it('warns when the look-ahead is shorter than the gap plus 15 minutes, with the number to set', () => {
    expect(coverageAdvice('0 * * * *', 30)).toEqual({
      warning:
        'This schedule line (`0 * * * *`) runs every 60 minutes, but single-sends-within-minutes looks only 30 minutes ahead: a campaign that goes out between two runs gets no refresh. Set single-sends-within-minutes to at least 75.',
      notice:
        'This schedule line (`0 * * * *`) fires at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load). An offset minute, such as `7 * * * *`, starts on time more often.'
    })
  })

  it('is quiet at exactly the gap plus 15 minutes, and warns one minute below', () => {
    expect(coverageAdvice('15,45 * * * *', 45)).toEqual({ warning: null, notice: null })
    expect(advised('15,45 * * * *', 44.5).warning).toContain('at least 45.')
    expect(advised('*/30 * * * *', 60).warning).toBeNull()
  })

  it('names the longest gap of an uneven line', () => {
    expect((coverageAdvice('10 9,17 * * *', 60) as { warning: string }).warning).toBe(
      'This schedule line (`10 9,17 * * *`) leaves up to 16 h between two runs, but single-sends-within-minutes looks only 60 minutes ahead: a campaign that goes out between two runs gets no refresh. Looking 16 h ahead would refresh audiences long before they are sent: run the workflow more often instead (for example `7,37 * * * *`, every 30 minutes, with single-sends-within-minutes: 45).'
    )
    expect((coverageAdvice('5 */2 * * *', 60) as { warning: string }).warning).toContain(
      'runs every 120 minutes'
    )
  })

  it('advises running more often than looking days ahead: the weekend of a weekdays-only line', () => {
    const advice = coverageAdvice('0 9 * * 1-5', 60) as { warning: string; notice: string }
    expect(advice.warning).toBe(
      'This schedule line (`0 9 * * 1-5`) leaves up to 3 days between two runs, but single-sends-within-minutes looks only 60 minutes ahead: a campaign that goes out between two runs gets no refresh. Looking 3 days ahead would refresh audiences long before they are sent: run the workflow more often instead (for example `7,37 * * * *`, every 30 minutes, with single-sends-within-minutes: 45).'
    )
    expect(advice.notice).toContain('such as `7 9 * * 1-5`')
  })

  it('keeps to numbers below three hours, and to advice past them', () => {
    expect(advised('5 */3 * * *', 60).warning).toContain(
      'runs every 180 minutes, but single-sends-within-minutes looks only 60 minutes ahead: a campaign that goes out between two runs gets no refresh. Set single-sends-within-minutes to at least 195.'
    )
    expect(advised('5 */4 * * *', 60).warning).toContain('Looking 4 h ahead')
  })

  it('suggests an offset minute that keeps every run in its hour, or only the minute', () => {
    expect(advised('0,30   * * * *', 60).notice).toContain('such as `7,37 * * * *`,')
    expect(advised('*/5 * * * *', 60).notice).toContain('such as minute 7,')
    expect(advised('0,53 * * * *', 60).notice).toContain('such as minute 7,')
    expect(advised('30,0 * * * *', 60).notice).toContain('such as `7,37 * * * *`,')
    expect(advised('0,52 * * * *', 60).notice).toContain('such as `7,59 * * * *`,')
  })

  it('shows the line with its white space folded', () => {
    expect(advised('  0\t*  * * *\n', 30).warning).toMatch(
      /^This schedule line \(`0 \* \* \* \*`\) runs/
    )
  })

  it('says why a line cannot be read', () => {
    expect(coverageAdvice('every hour', 60)).toEqual({
      unreadable: 'it is not a five-field cron line this action can read'
    })
    expect(coverageAdvice('0 0 30 2 *', 60)).toEqual({
      unreadable: 'it fires less than twice in 28 years'
    })
  })
})

describe('scheduleLineOfThisRun', () => {
  it('reads the line that fired a scheduled run', () => {
    expect(scheduleLineOfThisRun(scheduledRun({ schedule: '*/30 * * * *' }))).toEqual({
      line: '*/30 * * * *'
    })
  })

  it.each([
    [
      'another event',
      scheduledRun({ schedule: '0 * * * *' }, 'workflow_dispatch'),
      'this run was not started by a schedule'
    ],
    ['no payload path', { GITHUB_EVENT_NAME: 'schedule' }, 'GITHUB_EVENT_PATH is not set'],
    [
      'a payload that is not JSON',
      scheduledRun('{"schedule": '),
      'the event payload has no schedule line'
    ],
    [
      'no schedule field',
      scheduledRun({ repository: {} }),
      'the event payload has no schedule line'
    ],
    [
      'a schedule that is not text',
      scheduledRun({ schedule: 5 }),
      'the event payload has no schedule line'
    ]
  ])('says why there is none: %s', (_, env, why) => {
    expect(scheduleLineOfThisRun(env)).toEqual({ none: why })
  })

  it('does not read a missing file or one over 1 MiB', () => {
    const missing = scheduleLineOfThisRun({
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_EVENT_PATH: join(workDir, 'nowhere.json')
    })
    expect(missing).toEqual({
      none: expect.stringMatching(/^the event payload could not be read \(.*ENOENT/)
    })
    const padding = ' '.repeat(maxPayloadBytes)
    expect(scheduleLineOfThisRun(scheduledRun(`{"schedule": "0 * * * *"}${padding}`))).toEqual({
      none: 'the event payload could not be read (larger than 1 MiB)'
    })
    expect(
      scheduleLineOfThisRun(scheduledRun(`{"schedule": "0 * * * *"}${padding.slice(25)}`))
    ).toEqual({ line: '0 * * * *' })
  })
})

describe('checkScheduleCoverage', () => {
  it('writes one warning and one notice, with titles, for an hourly line at minute 0', () => {
    checkScheduleCoverage(minutes(30), scheduledRun({ schedule: '0 * * * *' }))
    const annotations = annotationsIn(stdout.text)
    expect(annotations.map((a) => [a.level, a.properties])).toEqual([
      ['warning', 'title=Campaigns can fall between scheduled runs'],
      ['notice', 'title=Scheduled at minute 0']
    ])
    expect(annotations[0].message).toContain('Set single-sends-within-minutes to at least 75.')
  })

  it('says nothing when the line is covered', () => {
    checkScheduleCoverage(minutes(45), scheduledRun({ schedule: '10,40 * * * *' }))
    expect(stdout.text).toBe('')
  })

  it('does not look without single-sends-within-minutes', () => {
    checkScheduleCoverage(minutes(0), scheduledRun({ schedule: '0 * * * *' }))
    expect(stdout.text).toBe('')
  })

  it('writes only a debug line for another event or an unreadable line, never the raw line', () => {
    checkScheduleCoverage(minutes(30), scheduledRun({ schedule: '0 * * * *' }, 'push'))
    checkScheduleCoverage(minutes(30), scheduledRun({ schedule: '::error::x\n* * * * *' }))
    expect(stdout.text).toBe(
      '::debug::Schedule coverage not checked: this run was not started by a schedule.\n' +
        "::debug::Schedule coverage not checked: this run's schedule line cannot be read (it is not a five-field cron line this action can read).\n"
    )
  })
})
