// End to end, the built bundle on a `schedule` event: it checks the cron line that fired the run
// against single-sends-within-minutes, warns when a campaign could fall between two runs, and goes on.
import { afterAll, afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const segment = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const campaign = 'bf000000-0000-4000-8000-000000000001'
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-e2e-schedule-'))
afterAll(() => rmSync(workDir, { recursive: true, force: true }))
const coverageTitle = 'title=Campaigns can fall between scheduled runs'

describe.each(runtimes)('Schedule coverage, built action on $name', ({ node }) => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>
  afterEach(async () => simulator?.close())

  /** A run started by `eventName` whose payload is `payload`, looking `lookAhead` minutes ahead. */
  async function run(eventName: string, payload: string, lookAhead: string) {
    simulator = await startSimulator({
      segments: [{ id: segment, name: 'VIP customers' }],
      singleSends: [
        {
          id: campaign,
          name: 'Black Friday',
          status: 'scheduled',
          sendAt: Date.now() + 20 * 60_000,
          segmentIds: [segment]
        }
      ]
    })
    const eventPath = join(workDir, `${eventName}-${Math.random()}.json`)
    writeFileSync(eventPath, payload)
    const result = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'single-sends-within-minutes': lookAhead
      },
      { node, env: { GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: eventPath } }
    )
    const refreshes = simulator.requests.filter((r) => r.path.includes('/refresh/'))
    return { ...result, annotations: annotationsIn(result.stdout), refreshes }
  }
  const schedule = (cron: string) => JSON.stringify({ schedule: cron, repository: {} })
  const coverageWarnings = (annotations: ReturnType<typeof annotationsIn>) =>
    annotations.filter((a) => a.properties === coverageTitle)

  it('warns about an hourly line that looks 30 minutes ahead, with the gap, and still refreshes', async () => {
    const { exitCode, annotations, refreshes } = await run('schedule', schedule('0 * * * *'), '30')
    expect(exitCode).toBe(0)
    expect(coverageWarnings(annotations)).toEqual([
      {
        level: 'warning',
        properties: coverageTitle,
        message:
          'This schedule line (`0 * * * *`) runs every 60 minutes, but single-sends-within-minutes looks only 30 minutes ahead: a campaign that goes out between two runs gets no refresh. Set single-sends-within-minutes to at least 75.'
      }
    ])
    expect(annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toContainEqual(
      expect.stringContaining('fires at minute 0 of the hour')
    )
    expect(refreshes).toHaveLength(1)
  })

  it('does not warn about every 30 minutes looking 60 ahead', async () => {
    const { exitCode, annotations } = await run('schedule', schedule('*/30 * * * *'), '60')
    expect(exitCode).toBe(0)
    expect(coverageWarnings(annotations)).toEqual([])
  })

  it('warns about the weekend of a weekdays-at-09:00 line looking 60 ahead', async () => {
    const { exitCode, annotations } = await run('schedule', schedule('0 9 * * 1-5'), '60')
    expect(exitCode).toBe(0)
    const [warning] = coverageWarnings(annotations)
    expect(warning.message).toContain('leaves up to 3 days between two runs')
    expect(warning.message).toContain('run the workflow more often instead')
  })

  it('does not warn about 15,45 looking 45 ahead: exactly the gap plus 15 minutes', async () => {
    const { exitCode, annotations } = await run('schedule', schedule('15,45 * * * *'), '45')
    expect(exitCode).toBe(0)
    expect(coverageWarnings(annotations)).toEqual([])
    expect(
      annotations.filter((a) => a.level === 'notice').map((a) => a.message)
    ).not.toContainEqual(expect.stringContaining('minute 0'))
  })

  it('does not check on a workflow_dispatch event', async () => {
    const { exitCode, annotations } = await run('workflow_dispatch', schedule('0 * * * *'), '30')
    expect(exitCode).toBe(0)
    expect(coverageWarnings(annotations)).toEqual([])
  })

  it('goes on when the cron cannot be read, without echoing it', async () => {
    const { exitCode, annotations, stdout, refreshes } = await run(
      'schedule',
      schedule('::warning::every hour'),
      '30'
    )
    expect(exitCode).toBe(0)
    expect(coverageWarnings(annotations)).toEqual([])
    expect(stdout).not.toContain('every hour')
    expect(refreshes).toHaveLength(1)
  })
})
