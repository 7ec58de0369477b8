// `npm run live-check` against the simulator in each behaviour SendGrid might have: the findings it
// reports, the one refresh it spends, and the clean-up at every end.
import { afterEach, describe, expect, it } from '@jest/globals'
import { clockOffsetSeconds, findings, recomputeShown } from '../../tools/live-check/findings.js'
import { runLiveCheck } from '../support/live-check.js'
import { startSimulator } from '../../tools/simulator/index.js'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Options = Parameters<typeof startSimulator>[0]

describe('npm run live-check against the simulator', () => {
  let simulator: Simulator
  afterEach(async () => simulator?.close())
  const start = async (options: Options = {}) => {
    // A recompute lands a second or more after the first compute, so SendGrid's whole-second
    // timestamps always tell the two apart.
    simulator = await startSimulator({
      refreshDelayMs: 1100,
      contactJobMs: 300,
      ...options
    })
  }
  const check = (args: string[] = [], options: Parameters<typeof runLiveCheck>[1] = {}) =>
    runLiveCheck(['--spend-one-refresh', '--api-url', simulator.url, ...args], options)
  const refreshes = () => simulator.requests.filter((r) => r.path.includes('/refresh/'))
  const leftBehind = () => ({
    segments: [...simulator.segments.values()].map((s) => s.name),
    contacts: [...simulator.contacts.keys()]
  })

  it('sends no request at all without --spend-one-refresh, and says how to run it', async () => {
    await start()
    const run = await runLiveCheck(['--api-url', simulator.url])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('live-check: nothing was sent.')
    expect(run.stderr).toContain("spends 1 of the account's 10 manual refreshes a day")
    expect(run.stderr).toContain('npm run live-check -- --spend-one-refresh')
    expect(simulator.requests).toEqual([])
    expect(run.report).toBeNull()
  })

  it('refuses a bad option value and a missing key before any request', async () => {
    await start()
    const run = await runLiveCheck(
      ['--spend-one-refresh', '--api-url', 'http://example.com', '--settle-seconds', 'soon'],
      { key: '' }
    )
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('SENDGRID_API_KEY is not set')
    expect(run.stderr).toContain(
      '--settle-seconds must be a whole number from 0 to 3600, not "soon"'
    )
    expect(run.stderr).toContain(
      '--api-url "http://example.com": it must use https:// (plain http:// is allowed only for localhost, 127.0.0.0/8 and [::1], so the key never travels in clear text).'
    )
    expect(simulator.requests).toEqual([])
  })

  it("refuses an api-url with credentials or a query by the action's own rules, never echoing the credentials", async () => {
    await start()
    const withPassword = simulator.url.replace('//', '//user:s3cret@')
    const credentials = await runLiveCheck(['--spend-one-refresh', '--api-url', withPassword])
    expect(credentials.exitCode).toBe(2)
    expect(credentials.stderr).toContain('it must not contain credentials')
    expect(credentials.stdout + credentials.stderr).not.toContain('s3cret')
    const query = await runLiveCheck(['--spend-one-refresh', '--api-url', `${simulator.url}/?x=1`])
    expect(query.exitCode).toBe(2)
    expect(query.stderr).toContain('it must not contain a query or fragment')
    const residency = await runLiveCheck(['--spend-one-refresh', '--data-residency', 'us'])
    expect(residency.stderr).toContain('--data-residency must be global or eu, not "us".')
    expect(simulator.requests).toEqual([])
  })

  it('finds last_refreshed_at written on accept and the sample moved, spends one refresh, and deletes what it made', async () => {
    await start()
    const run = await check()
    expect(run.exitCode).toBe(0)
    expect(refreshes()).toHaveLength(1)
    expect(run.report).toMatchObject({
      refresh_spent: true,
      recomputed_by: 'sample_updated_at',
      last_refreshed_at_written: 'on_accept',
      sample_updated_at_moves_on_refresh: true,
      updated_at_moves_on_refresh: false,
      contact_counted_by_refresh: true,
      left_behind: []
    })
    expect(Math.abs(run.report.clock_offset_seconds)).toBeLessThanOrEqual(1)
    expect(run.report.seconds_until_recomputed).toBeGreaterThanOrEqual(0)
    // The simulator recomputes in 1.1 s; polls late on a slow machine add to that.
    expect(run.report.seconds_until_recomputed).toBeLessThanOrEqual(10)
    expect(run.report.timeline.length).toBeGreaterThan(1)
    expect(run.report.timeline[0]).toEqual(
      expect.objectContaining({ contacts_count: expect.any(Number), refreshes_used: 1 })
    )
    expect(run.stdout).toMatch(/Deleted segment [0-9a-f-]{36}\./)
    expect(run.stdout).toMatch(/Deleted contact refresh-segment-live-check-.*@example\.com/)
    expect(leftBehind()).toEqual({ segments: [], contacts: [] })
  }, 60_000)

  it('exits 0 when last_refreshed_at is written on recompute and the sample moves too', async () => {
    await start({ lastRefreshedWritten: 'on_recompute' })
    const run = await check()
    expect(run.exitCode).toBe(0)
    expect(run.report).toMatchObject({
      recomputed_by: 'sample_updated_at',
      last_refreshed_at_written: 'on_recompute'
    })
    expect(leftBehind()).toEqual({ segments: [], contacts: [] })
  }, 60_000)

  it('says to set recomputed-by: last_refreshed_at where only that field shows the recompute', async () => {
    await start({ refreshMovesSample: false, lastRefreshedWritten: 'on_recompute' })
    const run = await check()
    expect(run.exitCode).toBe(1)
    expect(run.report).toMatchObject({
      recomputed_by: 'last_refreshed_at',
      last_refreshed_at_written: 'on_recompute',
      sample_updated_at_moves_on_refresh: false,
      contact_counted_by_refresh: true
    })
    expect(run.stderr).toContain('set recomputed-by: last_refreshed_at for wait to be right here')
  }, 60_000)

  it('says no value of recomputed-by makes wait right where no field showed the recompute', async () => {
    await start({ refreshMovesSample: false })
    const run = await check()
    expect(run.exitCode).toBe(1)
    expect(run.report).toMatchObject({
      recomputed_by: null,
      last_refreshed_at_written: 'on_accept',
      sample_updated_at_moves_on_refresh: false
    })
    expect(run.stderr).toContain(
      'no value of recomputed-by makes wait right here: do not gate a send on wait on this account'
    )
    expect(leftBehind()).toEqual({ segments: [], contacts: [] })
  }, 60_000)

  it('tells whether the new contact counted, as the lag and --settle-seconds imply', async () => {
    // A written contact counts in a recompute only 5 s after its job finished: a lag a slow
    // machine's hasty refresh (and its 1.1 s recompute) does not reach.
    await start({ contactCountsAfterMs: 5000 })
    const hasty = await check()
    expect(hasty.report.contact_counted_by_refresh).toBe(false)
    expect(hasty.report.seconds_from_job_finished_to_refresh).toBeLessThan(5)
    await simulator.close()
    await start({ contactCountsAfterMs: 5000 })
    // 50 s, scaled down to 5 s by the tests: the refresh comes after the lag.
    const settled = await check(['--settle-seconds', '50'])
    expect(settled.report.contact_counted_by_refresh).toBe(true)
    expect(settled.report.seconds_from_job_finished_to_refresh).toBeGreaterThanOrEqual(5)
  }, 60_000)

  it("estimates SendGrid's clock offset from its Date headers", async () => {
    await start({ now: () => Date.now() - 5000 })
    const run = await check()
    expect(run.report.clock_offset_seconds).toBeGreaterThanOrEqual(-6)
    expect(run.report.clock_offset_seconds).toBeLessThanOrEqual(-4)
    expect(run.report.recomputed_by).toBe('sample_updated_at')
  }, 60_000)

  it('cleans up after a 429 on the refresh, and exits non-zero', async () => {
    await start()
    // A fault is keyed by segment ID: queued as soon as the check has created its segment.
    const run = await check([], {
      whileRunning: async (_child, output) => {
        while (!/Created segment ([0-9a-f-]{36})/.test(output())) {
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        const id = /Created segment ([0-9a-f-]{36})/.exec(output())![1]
        simulator.inject('refresh', id, { status: 429 })
      }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain(
      'SendGrid refused the refresh: a refresh limit is reached (HTTP 429)'
    )
    expect(run.report).toMatchObject({ refresh_spent: false, left_behind: [] })
    expect(leftBehind()).toEqual({ segments: [], contacts: [] })
  }, 60_000)

  const posix = process.platform === 'win32' ? it.skip : it
  posix(
    'cleans up after SIGINT while it reads the segment, and says so',
    async () => {
      await start({ refreshDelayMs: 60_000 })
      const run = await check([], {
        whileRunning: async (child, output) => {
          while (!output().includes('SendGrid accepted the refresh')) {
            await new Promise((resolve) => setTimeout(resolve, 20))
          }
          child.kill('SIGINT')
        }
      })
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain('SIGINT: stopping, then deleting what the check created.')
      expect(run.stdout).toMatch(/Deleted segment /)
      expect(run.stdout).toMatch(/Deleted contact /)
      expect(run.report).toMatchObject({ refresh_spent: true, left_behind: [] })
      expect(refreshes()).toHaveLength(1)
      expect(leftBehind()).toEqual({ segments: [], contacts: [] })
    },
    60_000
  )

  it('names a contact it could not find again, for a person to delete', async () => {
    // SendGrid's search lags behind the job by more than the clean-up waits (60 s, scaled to 6 s).
    await start({ contactSearchLagMs: 600_000 })
    const run = await check()
    expect(run.exitCode).toBe(0)
    expect(run.report.left_behind).toEqual([
      expect.stringMatching(
        /^contact refresh-segment-live-check-.*@example\.com: delete it in SendGrid's Marketing > Contacts$/
      )
    ])
    expect(run.stderr).toMatch(
      /Left behind, delete it by hand: contact refresh-segment-live-check-/
    )
    expect(leftBehind().segments).toEqual([])
  }, 60_000)
})

describe('the live check’s findings', () => {
  type Reading = {
    seconds: number | null
    last_refreshed_at: string | null
    sample_updated_at: string | null
    updated_at: string | null
    contacts_count: number | null
    refreshes_used: number | null
  }
  const read = (seconds: number | null, fields: Partial<Reading> = {}): Reading => ({
    seconds,
    last_refreshed_at: null,
    sample_updated_at: '2026-12-01T10:00:00Z',
    updated_at: '2026-11-01T10:00:00Z',
    contacts_count: 0,
    refreshes_used: 0,
    ...fields
  })
  const acceptedAt = Date.parse('2026-12-01T12:00:00Z')
  const before = read(null)

  it('says on_recompute when last_refreshed_at moves with the recompute, within 2 s', () => {
    const moved = {
      last_refreshed_at: '2026-12-01T12:00:05Z',
      sample_updated_at: '2026-12-01T12:00:06Z',
      contacts_count: 1
    }
    const result = findings({
      before,
      timeline: [read(2), read(4), read(6, moved)],
      acceptedAt,
      jobFinishedAt: acceptedAt - 3000
    })
    expect(result).toEqual({
      recomputed_by: 'sample_updated_at',
      last_refreshed_at_written: 'on_recompute',
      sample_updated_at_moves_on_refresh: true,
      updated_at_moves_on_refresh: false,
      seconds_until_recomputed: 6,
      contact_counted_by_refresh: true,
      seconds_from_job_finished_to_refresh: 3
    })
  })

  it('says on_accept when last_refreshed_at moves first, or 2 s or more before the new sample', () => {
    const accepted = { last_refreshed_at: '2026-12-01T12:00:00Z' }
    const early = findings({
      before,
      timeline: [
        read(2, accepted),
        read(4, { ...accepted, sample_updated_at: '2026-12-01T12:00:03Z', contacts_count: 1 })
      ],
      acceptedAt,
      jobFinishedAt: null
    })
    expect(early.last_refreshed_at_written).toBe('on_accept')
    expect(early.seconds_from_job_finished_to_refresh).toBeNull()
    const together = findings({
      before,
      timeline: [read(4, { ...accepted, sample_updated_at: '2026-12-01T12:00:02Z' })],
      acceptedAt,
      jobFinishedAt: null
    })
    expect(together.last_refreshed_at_written).toBe('on_accept')
  })

  it('says unknown, and null, when no recompute was seen', () => {
    expect(
      findings({ before, timeline: [read(2), read(4)], acceptedAt, jobFinishedAt: null })
    ).toEqual({
      recomputed_by: null,
      last_refreshed_at_written: 'unknown',
      sample_updated_at_moves_on_refresh: null,
      updated_at_moves_on_refresh: null,
      seconds_until_recomputed: null,
      contact_counted_by_refresh: null,
      seconds_from_job_finished_to_refresh: null
    })
  })

  it('sees the recompute only when the sample or the count moved, never last_refreshed_at alone', () => {
    const lr = { last_refreshed_at: '2026-12-01T12:00:01Z' }
    expect(recomputeShown([read(2, lr)], before)).toBe(false)
    expect(recomputeShown([read(2, lr), read(600, lr)], before)).toBe(false)
    expect(
      recomputeShown([read(2, { ...lr, sample_updated_at: '2026-12-01T12:00:01Z' })], before)
    ).toBe(true)
    expect(recomputeShown([read(2, lr), read(4, { ...lr, contacts_count: 1 })], before)).toBe(true)
    expect(recomputeShown([read(2)], before)).toBe(false)
  })

  it('names the recomputed-by that makes wait right, or none', () => {
    const at = (timeline: Reading[]) =>
      findings({ before, timeline, acceptedAt, jobFinishedAt: null }).recomputed_by
    // The sample moved after the accept: the default, whenever last_refreshed_at was written.
    expect(
      at([
        read(2, { last_refreshed_at: '2026-12-01T12:00:00Z' }),
        read(4, {
          last_refreshed_at: '2026-12-01T12:00:00Z',
          sample_updated_at: '2026-12-01T12:00:03Z'
        })
      ])
    ).toBe('sample_updated_at')
    expect(at([read(4, { sample_updated_at: '2026-12-01T12:00:03Z' })])).toBe('sample_updated_at')
    // The sample moved, but to a moment before the accept: SendGrid's own schedule, not the refresh.
    expect(at([read(4, { sample_updated_at: '2026-12-01T11:59:59Z' })])).toBeNull()
    // Only last_refreshed_at moved, with the count: written on recompute.
    expect(at([read(4, { last_refreshed_at: '2026-12-01T12:00:03Z', contacts_count: 1 })])).toBe(
      'last_refreshed_at'
    )
    // last_refreshed_at at the accept, then only the count: nothing shows the recompute.
    expect(
      at([
        read(2, { last_refreshed_at: '2026-12-01T12:00:00Z' }),
        read(4, { last_refreshed_at: '2026-12-01T12:00:00Z', contacts_count: 1 })
      ])
    ).toBeNull()
  })

  it("takes the median offset of SendGrid's Date headers against the middle of each request", () => {
    const local = Date.parse('2026-12-01T12:00:00.000Z')
    const exchange = (offsetMs: number) => ({
      sentAt: local,
      answeredAt: local + 200,
      date: new Date(Math.floor((local + 100 + offsetMs) / 1000) * 1000).toUTCString()
    })
    expect(clockOffsetSeconds([exchange(-5000), exchange(-5000), exchange(3000)])).toBeCloseTo(
      -4.6,
      1
    )
    expect(clockOffsetSeconds([{ sentAt: local, answeredAt: local, date: undefined }])).toBeNull()
  })
})
