// A scheduled run checks that its schedule cannot let a campaign fall between two runs: the whole
// workflow's, read from GitHub (a stand-in on loopback), or the line that fired it.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { coverageAdvice, type CoverageAdvice } from '../../src/stages/schedule-advice.js'
import { checkScheduleCoverage } from '../../src/stages/schedule-coverage.js'
import { annotationsIn } from '../../tools/run-action.js'
import { captureStdout } from '../support/capture-stdout.js'
import { startGitHubApi } from '../../tools/github-api.js'

const stdout = captureStdout()
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-schedule-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))
// The runner's event, which @actions/github reads when the scheduled path first loads it.
const eventPath = join(workDir, 'event.json')
writeFileSync(eventPath, JSON.stringify({ schedule: '0 * * * *' }))
process.env.GITHUB_EVENT_PATH = eventPath

const settings = (lookAhead: number, githubToken = '') => ({
  singleSendsWithinMs: lookAhead * 60_000,
  githubToken,
  timeoutMs: 5000
})
const advised = (line: string, lookAhead: number) =>
  coverageAdvice([line], lookAhead) as CoverageAdvice

describe('coverageAdvice', () => {
  it('warns when the look-ahead is shorter than the gap plus 15 minutes, with the number to set', () => {
    expect(coverageAdvice(['0 * * * *'], 30)).toEqual({
      warning:
        'This schedule line (`0 * * * *`) runs every 60 minutes, but single-sends-within-minutes looks only 30 minutes ahead: a campaign that goes out between two runs gets no refresh. Set single-sends-within-minutes to at least 75.',
      notice:
        'This schedule line (`0 * * * *`) fires at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load). An offset minute, such as `7 * * * *`, starts on time more often.'
    })
  })

  it('is quiet at exactly the gap plus 15 minutes, and warns one minute below', () => {
    expect(coverageAdvice(['15,45 * * * *'], 45)).toEqual({ warning: null, notice: null })
    expect(advised('15,45 * * * *', 44.5).warning).toContain('at least 45.')
    expect(advised('*/30 * * * *', 60).warning).toBeNull()
  })

  it('names the longest gap of an uneven line', () => {
    expect((coverageAdvice(['10 9,17 * * *'], 60) as { warning: string }).warning).toBe(
      'This schedule line (`10 9,17 * * *`) leaves up to 16 h between two runs, but single-sends-within-minutes looks only 60 minutes ahead: a campaign that goes out between two runs gets no refresh. Looking 16 h ahead would refresh audiences long before they are sent: run the workflow more often instead (for example `7,37 * * * *`, every 30 minutes, with single-sends-within-minutes: 45).'
    )
    expect((coverageAdvice(['5 */2 * * *'], 60) as { warning: string }).warning).toContain(
      'runs every 120 minutes'
    )
  })

  it('advises running more often than looking days ahead: the weekend of a weekdays-only line', () => {
    const advice = coverageAdvice(['0 9 * * 1-5'], 60) as { warning: string; notice: string }
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
    expect(coverageAdvice(['every hour'], 60)).toEqual({
      unreadable: 'it is not a five-field cron line this action can read'
    })
    expect(coverageAdvice(['0 0 30 2 *'], 60)).toEqual({
      unreadable: 'it fires less than twice in 28 years'
    })
  })
})

describe('checkScheduleCoverage', () => {
  let github: Awaited<ReturnType<typeof startGitHubApi>> | undefined
  afterEach(async () => {
    await github?.close()
    github = undefined
  })
  const path = '.github/workflows/refresh.yml'
  const scheduled = { GITHUB_EVENT_NAME: 'schedule' }

  it('judges the line that fired without a token, saying why, with one warning and one notice', async () => {
    await checkScheduleCoverage(settings(30), scheduled)
    const annotations = annotationsIn(stdout.text)
    expect(annotations.map((a) => [a.level, a.properties])).toEqual([
      ['warning', 'title=Campaigns can fall between scheduled runs'],
      ['notice', 'title=Scheduled at minute 0']
    ])
    expect(annotations[0].message).toContain('Set single-sends-within-minutes to at least 75.')
    expect(stdout.text).toContain(
      "The workflow's whole schedule was not read, so only the line that fired this run is judged: no github-token was given.\n"
    )
  })

  it('judges every line of the workflow read from GitHub, and says nothing when they are covered', async () => {
    github = await startGitHubApi({
      [path]: "on:\n  schedule:\n    - cron: '0 * * * *'\n    - cron: '30 * * * *'\n"
    })
    await checkScheduleCoverage(settings(45, 'ghs_x'), { ...scheduled, ...github.env(path) })
    expect(github.requests).toHaveLength(1)
    const annotations = annotationsIn(stdout.text)
    expect(annotations.map((a) => a.level)).toEqual(['notice'])
    expect(annotations[0].message).toContain('The schedule line `0 * * * *` fires at minute 0')
  })

  it('says nothing at all when every line is covered and none fires at minute 0', async () => {
    github = await startGitHubApi({
      [path]: "on:\n  schedule:\n    - cron: '7 * * * *'\n    - cron: '37 * * * *'\n"
    })
    await checkScheduleCoverage(settings(45, 'ghs_x'), { ...scheduled, ...github.env(path) })
    expect(github.requests).toHaveLength(1)
    expect(stdout.text).toBe('')
  })

  it('names two lines at minute 0, each with its offset minute', async () => {
    github = await startGitHubApi({
      [path]: "on:\n  schedule:\n    - cron: '0 * * * *'\n    - cron: '0,30 9 * * *'\n"
    })
    await checkScheduleCoverage(settings(90, 'ghs_x'), { ...scheduled, ...github.env(path) })
    expect(annotationsIn(stdout.text).map((a) => a.message)).toEqual([
      'The schedule lines `0 * * * *` and `0,30 9 * * *` fire at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load). An offset minute starts on time more often: such as `7 * * * *` for `0 * * * *`; `7,37 9 * * *` for `0,30 9 * * *`.'
    ])
  })

  it('never fails: a schedule it cannot read is a debug line', async () => {
    github = await startGitHubApi({ [path]: "on:\n  schedule:\n    - cron: 'every hour'\n" })
    await checkScheduleCoverage(settings(30, 'ghs_x'), { ...scheduled, ...github.env(path) })
    expect(stdout.text).toBe(
      "::debug::Schedule coverage not checked: this run's schedule cannot be read (it is not a five-field cron line this action can read).\n"
    )
  })

  it('does not look without single-sends-within-minutes, nor on another event, nor ask GitHub', async () => {
    github = await startGitHubApi({})
    const env = { ...github.env(path) }
    await checkScheduleCoverage(settings(0, 'ghs_x'), { ...scheduled, ...env })
    await checkScheduleCoverage(settings(30, 'ghs_x'), { GITHUB_EVENT_NAME: 'push', ...env })
    expect(github.requests).toEqual([])
    expect(stdout.text).toBe(
      '::debug::Schedule coverage not checked: this run was not started by a schedule.\n'
    )
  })

  it('stops asking GitHub at the request timeout, and goes on', async () => {
    // A server that never answers.
    const { createServer } = await import('node:http')
    const silent = createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const port = (silent.address() as { port: number }).port
    try {
      await checkScheduleCoverage(
        { ...settings(30, 'ghs_x'), timeoutMs: 200 },
        {
          ...scheduled,
          GITHUB_API_URL: `http://127.0.0.1:${port}`,
          GITHUB_WORKFLOW_REF: `o/r/${path}@refs/heads/main`,
          GITHUB_WORKFLOW_SHA: 'b'.repeat(40)
        }
      )
    } finally {
      silent.closeAllConnections()
      silent.close()
    }
    expect(stdout.text).toMatch(
      /The workflow's whole schedule was not read, so only the line that fired this run is judged: reading \.github\/workflows\/refresh\.yml from GitHub failed \(.+\)\./
    )
    expect(annotationsIn(stdout.text).map((a) => a.level)).toEqual(['warning', 'notice'])
  })
})
