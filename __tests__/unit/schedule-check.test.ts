// A scheduled run whose event names no cron line, and a check that breaks: neither stops the run.
import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { captureStdout } from '../support/capture-stdout.js'

const stdout = captureStdout()
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-schedule-check-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))
// The runner's event as @actions/github reads it: this one names no cron line.
writeFileSync(join(workDir, 'event.json'), JSON.stringify({ repository: {} }))
process.env.GITHUB_EVENT_PATH = join(workDir, 'event.json')
const settings = { singleSendsWithinMs: 30 * 60_000, githubToken: '', timeoutMs: 5000 }

describe('checkSchedule', () => {
  it('checks nothing when neither the workflow nor the event gives a line, and says so', async () => {
    const { checkSchedule } = await import('../../src/stages/schedule-check.js')
    await checkSchedule(settings, { GITHUB_EVENT_NAME: 'schedule' }, new AbortController().signal)
    expect(stdout.text).toBe(
      "The workflow's whole schedule was not read, so only the line that fired this run is judged: no github-token was given.\n" +
        '::debug::Schedule coverage not checked: the event payload has no schedule line.\n'
    )
  })
})

describe('checkScheduleCoverage', () => {
  it('never stops the run: a check that throws is a debug line', async () => {
    jest.unstable_mockModule('../../src/stages/schedule-check.js', () => ({
      checkSchedule: async () => {
        throw new Error('the cron library broke')
      }
    }))
    const { checkScheduleCoverage } = await import('../../src/stages/schedule-coverage.js')
    await checkScheduleCoverage(settings, { GITHUB_EVENT_NAME: 'schedule' })
    expect(stdout.text).toBe('::debug::Schedule coverage not checked: the cron library broke.\n')
  })
})
