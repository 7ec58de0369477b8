// End to end for names, the quota pre-flight and waiting: the built dist/index.js against the
// simulator, which recomputes a segment some time after a refresh is accepted.
import { afterEach, describe, expect, it } from '@jest/globals'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { runtimes } from '../../tools/runtimes.js'

const ids = {
  vip: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  spring: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  churn: '3788e03b-50aa-454a-97d1-e1530345a5ee'
}
const hourMs = 3_600_000

type Simulator = Awaited<ReturnType<typeof startSimulator>>
type SimulatorOptions = Parameters<typeof startSimulator>[0]

/** An Etc/GMT zone where it is now around noon, so "earlier today" is hours long whatever the time. */
function zoneNearNoon(): { zone: string; offsetHours: number } {
  const offsetHours = 12 - new Date().getUTCHours()
  if (offsetHours === 0) return { zone: 'UTC', offsetHours }
  return { zone: `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`, offsetHours }
}

describe.each(runtimes)('the built action on $name', ({ node }) => {
  let simulator: Simulator

  afterEach(async () => {
    await simulator?.close()
  })

  async function start(options: SimulatorOptions = {}) {
    simulator = await startSimulator({
      segments: [
        { id: ids.vip, name: 'VIP customers', contactsCount: 80, contactsCountAfterRefresh: 85 },
        { id: ids.spring, name: 'Spring sale, EU customers', contactsCount: 1200 },
        { id: ids.churn, name: 'Churn risk' }
      ],
      ...options
    })
    return simulator
  }

  const run = (inputs: Record<string, string>, timeoutMs?: number) =>
    runAction({ 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs }, { node, timeoutMs })
  const results = (outputs: Record<string, string>) =>
    JSON.parse(outputs.results) as Array<Record<string, unknown>>
  const refreshRequests = () => simulator.requests.filter((r) => r.method === 'POST')

  describe('segment-names', () => {
    it('resolves names with one list request, and refreshes a segment given by ID and name once', async () => {
      await start()
      const { exitCode, outputs, stdout, summary } = await run({
        'segment-ids': ids.vip,
        'segment-names': 'Spring sale, EU customers\nVIP customers',
        'check-quota': 'false'
      })
      expect(exitCode).toBe(0)
      expect(simulator.requestsFor('list')).toHaveLength(1)
      expect(refreshRequests().map((r) => r.path.split('/').pop())).toEqual(
        expect.arrayContaining([ids.vip, ids.spring])
      )
      expect(refreshRequests()).toHaveLength(2)
      expect(results(outputs).map((r) => [r.segment_id, r.segment_name, r.outcome])).toEqual([
        [ids.vip, 'VIP customers', 'refreshed'],
        [ids.spring, 'Spring sale, EU customers', 'refreshed']
      ])
      expect(stdout).toContain(
        `Segment "VIP customers" (${ids.vip}) was given both by ID and by name; it is refreshed once.`
      )
      expect(summary).toContain('Spring sale, EU customers')
    })

    it('fails on an unknown name before any refresh, suggesting the closest names', async () => {
      await start()
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': ids.churn,
        'segment-names': 'vip customer\nVIP customers\nNewsletter'
      })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
      expect(errors[0].message).toBe(
        `Input 'segment-names': no segment is named "vip customer" (names must match exactly). Did you mean "VIP customers"?`
      )
      expect(errors[1].message).toMatch(
        /no segment is named "Newsletter".*The account has 3 segment\(s\), none with a similar name/
      )
      expect(errors.at(-1)?.message).toContain('no segment was refreshed')
      expect(JSON.parse(outputs.results)).toEqual([])
    })

    it('fails before any refresh when the segments cannot be listed', async () => {
      await start()
      simulator.inject('list', '', {
        status: 401,
        body: JSON.stringify({ errors: [{ field: null, message: 'bad key' }] })
      })
      const { exitCode, stdout } = await run({
        'segment-ids': ids.churn,
        'segment-names': 'VIP customers'
      })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      // A key problem, said as one, not as an unknown name.
      expect(annotationsIn(stdout).map((a) => [a.properties, a.message])).toEqual([
        [
          'title=API key rejected',
          "Could not list the account's segments to resolve segment-names: SendGrid rejected the API key; it is wrong, expired or revoked. Check the api-key secret (HTTP 401)."
        ],
        ['', 'SendGrid rejected the API key; no segment was refreshed.']
      ])
    })

    it('says to give one name per line when names were given on one line', async () => {
      await start()
      const { exitCode, stdout } = await run({
        'segment-names': 'VIP customers, Spring sale, EU customers'
      })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      expect(annotationsIn(stdout)[0].message).toBe(
        `Input 'segment-names': no segment is named "VIP customers, Spring sale, EU customers" (names must match exactly). The account has 3 segment(s), none with a similar name.`
      )
      const twoNames = await run({ 'segment-names': 'VIP customers, Churn risk' })
      expect(annotationsIn(twoNames.stdout)[0].message).toContain(
        '"VIP customers" and "Churn risk" are segments of their own. Names may contain commas, so give one name per line'
      )
    })

    it('refuses a zone name that is no IANA zone, and warns about one without a city', async () => {
      await start()
      const refused = await run({ 'segment-ids': ids.vip, 'time-zone': 'BST' })
      expect(refused.exitCode).toBe(1)
      expect(simulator.requests).toHaveLength(0)
      expect(annotationsIn(refused.stdout)[0]).toMatchObject({
        properties: 'title=Invalid input%3A time-zone',
        message: expect.stringContaining('for UK time use Europe/London')
      })
      const warned = await run({ 'segment-ids': ids.vip, 'time-zone': 'EST' })
      expect(warned.exitCode).toBe(0)
      expect(annotationsIn(warned.stdout)[0]).toEqual({
        level: 'warning',
        properties: 'title=Time zone',
        message:
          'time-zone "EST" is a fixed UTC-05:00 without daylight saving; for US Eastern time use America/New_York. It is sent to SendGrid as user_time_zone America/Panama.'
      })
    })

    it('writes a summary that says which name is unknown, the closest names, and that nothing was sent', async () => {
      await start()
      const { exitCode, outputs, summary } = await run({
        'segment-names': 'VIP customer\nSpring sale, EU customers'
      })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      expect(outputs.ready).toBe('false')
      expect(JSON.parse(outputs.results)).toEqual([])
      expect(summary).toContain(
        '<p><strong>Some segment names could not be resolved; no segment was refreshed.</strong></p>'
      )
      expect(summary).toContain(
        "<li>Input 'segment-names': no segment is named &quot;VIP customer&quot; (names must match exactly). Did you mean &quot;VIP customers&quot;?</li>"
      )
      expect(summary).toContain('<tr><td>VIP customer</td><td>segment, by name</td></tr>')
      expect(summary).toContain('<p>No refresh request was sent, so no budget was spent.</p>')
    })
  })

  describe('the quota pre-flight', () => {
    it('reads each segment without its contacts sample, then refreshes, reporting names and quota', async () => {
      await start()
      const { exitCode, outputs, stdout, summary } = await run({
        'segment-ids': `${ids.vip} ${ids.spring}`
      })
      expect(exitCode).toBe(0)
      for (const id of [ids.vip, ids.spring]) {
        const [read] = simulator.requestsFor('get', id)
        expect(read.query).toBe('?contacts_sample=false')
        expect(read.headers.authorization).toBe(`Bearer ${demoApiKey}`)
      }
      expect(refreshRequests()).toHaveLength(2)
      expect(results(outputs)[0]).toMatchObject({
        segment_id: ids.vip,
        segment_name: 'VIP customers',
        outcome: 'refreshed',
        // Read as 0 before the refresh; the accepted refresh counts until SendGrid is read again.
        refreshes_used: 1,
        max_refreshes: 2,
        last_refreshed_at: null,
        contacts_count: 80
      })
      expect(JSON.parse(outputs['contacts-counts'])).toEqual({ [ids.vip]: 80, [ids.spring]: 1200 })
      expect(stdout).not.toContain('someone@example.com')
      expect(summary).toContain('0 of 2')
      expect(summary).toContain('VIP customers')
    })

    it('sends no refresh when the daily refreshes are used up, and says when the next is possible', async () => {
      const { zone, offsetHours } = zoneNearNoon()
      const now = Date.now()
      await start()
      Object.assign(simulator.segments.get(ids.vip)!, {
        timeZone: zone,
        refreshTimes: [now - 3 * hourMs, now - 2 * hourMs],
        lastRefreshedAt: now - 2 * hourMs
      })
      const { exitCode, outputs, stdout, summary } = await run({
        'segment-ids': `${ids.vip} ${ids.spring}`,
        'time-zone': zone
      })

      expect(exitCode).toBe(0)
      expect(simulator.requestsFor('refresh', ids.vip)).toHaveLength(0)
      expect(simulator.requestsFor('refresh', ids.spring)).toHaveLength(1)
      const local = new Date(now + offsetHours * hourMs)
      const midnight =
        Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) -
        offsetHours * hourMs
      const expectedNext = new Date(midnight).toISOString().replace('.000Z', 'Z')
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'rate_limited',
        http_status: null,
        refreshes_used: 2,
        max_refreshes: 2,
        next_refresh_at: expectedNext
      })
      const [warning] = annotationsIn(stdout).filter((a) => a.level === 'warning')
      expect(warning.message).toContain('2 of 2 refreshes used today')
      expect(warning.message).toMatch(
        new RegExp(
          `It can be refreshed again tomorrow at 00:00 ${zone.replace('+', '\\+')}, in \\d+ h`
        )
      )
      expect(JSON.parse(outputs['rate-limited'])).toEqual([ids.vip])
      expect(summary).toMatch(
        /0 of 2 audiences are ready to send to\. SendGrid accepted the refresh of &quot;Spring sale, EU customers&quot; and is recomputing it; .* &quot;VIP customers&quot; can be refreshed again tomorrow at 00:00 /
      )
      expect(summary).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/)
    })

    it('sends no refresh while a refresh accepted 20 minutes ago is still recomputing, and fails under on-rate-limit: fail', async () => {
      await start()
      const lastRefreshedAt = Date.now() - 20 * 60_000
      Object.assign(simulator.segments.get(ids.vip)!, {
        refreshTimes: [lastRefreshedAt],
        lastRefreshedAt,
        pendingUntil: Date.now() + hourMs
      })
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': ids.vip,
        'on-rate-limit': 'fail'
      })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      const next = new Date(Math.floor(lastRefreshedAt / 1000) * 1000 + hourMs)
        .toISOString()
        .replace('.000Z', 'Z')
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'rate_limited',
        ready: false,
        not_ready_reason: 'rate_limited',
        next_refresh_at: next
      })
      expect(annotationsIn(stdout)[0]).toMatchObject({ level: 'error' })
      expect(annotationsIn(stdout)[0].message).toMatch(
        /a refresh accepted (yesterday )?at \d\d:\d\d UTC, 20 minutes ago is still being recomputed \(SendGrid's last_refreshed_at is later than its sample_updated_at\), and SendGrid allows one refresh an hour\. With wait: true the run waits for it\./
      )
    })

    it('waits for a refresh accepted 3 minutes ago and not yet recomputed, then is fresh and ready with no refresh spent', async () => {
      await start()
      const acceptedAt = Date.now() - 3 * 60_000
      Object.assign(simulator.segments.get(ids.vip)!, {
        refreshTimes: [acceptedAt],
        lastRefreshedAt: acceptedAt,
        pendingUntil: Date.now() + hourMs
      })
      // The recompute lands 1.5 s after the action's first read, however late it starts.
      const firstRead = simulator.nextRequest('get', ids.vip)
      const running = run({
        'segment-ids': ids.vip,
        // Fresh within 60 minutes would not do: a refresh in progress is never fresh by the window.
        'fresh-within-minutes': '60',
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'fail-unless-ready': 'true',
        'min-contacts': '1'
      })
      await firstRead
      simulator.segments.get(ids.vip)!.pendingUntil = Date.now() + 1500
      const { exitCode, outputs } = await running
      expect(exitCode).toBe(0)
      expect(refreshRequests()).toHaveLength(0)
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'fresh',
        ready: true,
        contacts_count: 85
      })
      // Seen only once the recompute landed, 1.5 s in: the wait reads the segment list.
      const [read] = simulator.requestsFor('get', ids.vip)
      expect(simulator.requestsFor('list').at(-1)!.at).toBeGreaterThanOrEqual(read.at + 1000)
    })

    it('fails a segment that does not exist without sending its refresh', async () => {
      await start()
      const missing = '9988e03b-50aa-454a-97d1-e1530345a5ec'
      const { exitCode, outputs } = await run({ 'segment-ids': `${missing} ${ids.vip}` })
      expect(exitCode).toBe(1)
      expect(simulator.requestsFor('refresh', missing)).toHaveLength(0)
      expect(results(outputs)[0]).toMatchObject({
        segment_id: missing,
        outcome: 'failed',
        http_status: null
      })
      expect(results(outputs)[0].message).toMatch(
        /does not exist.*HTTP 404.*No refresh request was sent/
      )
      expect(results(outputs)[1]).toMatchObject({ outcome: 'refreshed' })
    })

    it("fails a segment whose query is invalid, with SendGrid's message, without sending its refresh", async () => {
      await start({
        segments: [
          {
            id: ids.vip,
            name: 'Broken',
            queryValidation: 'INVALID',
            errorMessage: 'field "foo" does not exist'
          }
        ]
      })
      const { exitCode, outputs } = await run({ 'segment-ids': ids.vip })
      expect(exitCode).toBe(1)
      expect(refreshRequests()).toHaveLength(0)
      expect(results(outputs)[0]).toMatchObject({ outcome: 'failed', segment_name: 'Broken' })
      expect(results(outputs)[0].message).toContain('SendGrid said: field "foo" does not exist')
    })

    it.each([
      [
        'the key may not read segments',
        { status: 403, body: '' },
        'this API key may not read segments (HTTP 403)'
      ],
      ['reads keep failing', { status: 503, body: '' }, 'reading the segment failed (HTTP 503)']
    ])(
      'refreshes anyway when %s, saying once why the pre-flight was skipped',
      async (_case, fault, reason) => {
        await start()
        for (const id of [ids.vip, ids.spring]) simulator.inject('get', id, fault, fault, fault)
        const { exitCode, outputs, stdout } = await run({
          'segment-ids': `${ids.vip} ${ids.spring}`,
          'max-retries': '1'
        })
        expect(exitCode).toBe(0)
        expect(refreshRequests()).toHaveLength(2)
        expect(results(outputs).map((r) => r.outcome)).toEqual(['refreshed', 'refreshed'])
        const notices = annotationsIn(stdout).filter((a) => a.level === 'notice')
        expect(notices).toHaveLength(1)
        expect(notices[0].message).toContain(reason)
      }
    )

    it('refreshes a segment whose read has no quota fields', async () => {
      await start({ segments: [{ id: ids.vip, quotaFields: false }] })
      const { exitCode, outputs } = await run({ 'segment-ids': ids.vip })
      expect(exitCode).toBe(0)
      expect(refreshRequests()).toHaveLength(1)
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'refreshed',
        refreshes_used: null,
        max_refreshes: null
      })
    })
  })

  describe('wait', () => {
    it('holds the run until SendGrid has recomputed each segment, reporting contacts before and after', async () => {
      await start({ refreshDelayMs: 1200 })
      const { exitCode, outputs, stdout, summary } = await run({
        'segment-ids': `${ids.vip} ${ids.spring}`,
        wait: 'true',
        'wait-interval-seconds': '0.3'
      })
      expect(exitCode).toBe(0)
      expect(stdout).toMatch(/Still waiting for 2 segment\(s\)/)
      expect(stdout).toMatch(
        /Segment "VIP customers" \(.*\) refreshed \(refresh job .*\) and recomputed at \d\d:\d\d:\d\d UTC by SendGrid's sample_updated_at, about [123] s after SendGrid accepted the refresh\. It now has 85 contacts \(80 before\)\./
      )
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'refreshed',
        ready: true,
        contacts_count: 85,
        refreshes_used: 1
      })
      expect(results(outputs)[0].recomputed_at).toBe(results(outputs)[0].sample_updated_at)
      expect(outputs.ready).toBe('true')
      expect(results(outputs)[0].sample_updated_at).toMatch(/Z$/)
      expect(JSON.parse(outputs['contacts-counts'])).toEqual({ [ids.vip]: 85, [ids.spring]: 1201 })
      expect(summary).toContain('80 → 85')
      // The baseline read of each, then one list read a round for both: at least two rounds.
      expect(simulator.requestsFor('get', ids.vip)).toHaveLength(1)
      const rounds = simulator.requestsFor('list').length
      expect(rounds).toBeGreaterThanOrEqual(2)
      expect(rounds).toBeLessThan(12)
    })

    it('with last_refreshed_at written on accept and a recompute of 3 s, ends only after the sample moved', async () => {
      await start({ lastRefreshedWritten: 'on_accept', refreshDelayMs: 3000 })
      const { exitCode, outputs } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'fail-unless-ready': 'true'
      })
      expect(exitCode).toBe(0)
      const [refresh] = simulator.requestsFor('refresh', ids.vip)
      const polls = simulator.requestsFor('list')
      // last_refreshed_at moved at once; every poll before the sample moved said: still waiting.
      expect(polls.filter((p) => p.at < refresh.at + 3000).length).toBeGreaterThan(2)
      expect(polls.at(-1)!.at).toBeGreaterThanOrEqual(refresh.at + 3000)
      const [result] = results(outputs)
      expect(result).toMatchObject({ outcome: 'refreshed', ready: true })
      expect(result.recomputed_at).toBe(result.sample_updated_at)
      // Recomputed 3 s after SendGrid accepted the refresh, to its whole seconds.
      expect(Date.parse(result.sample_updated_at as string) - refresh.at).toBeGreaterThanOrEqual(
        2000
      )
    })

    it('with a wait timeout of 2 s against a recompute of 6 s: refreshed, not ready, and the step fails', async () => {
      await start({ lastRefreshedWritten: 'on_accept', refreshDelayMs: 6000 })
      const { exitCode, outputs } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'wait-timeout-seconds': '2',
        'fail-unless-ready': 'true'
      })
      expect(exitCode).toBe(1)
      expect(outputs.ready).toBe('false')
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'refreshed',
        ready: false,
        not_ready_reason: 'not_recomputed'
      })
    })

    it('never ends on last_refreshed_at by default where the sample never moves; recomputed-by: last_refreshed_at ends it', async () => {
      await start({
        lastRefreshedWritten: 'on_recompute',
        refreshMovesSample: false,
        refreshDelayMs: 500
      })
      const strict = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'wait-timeout-seconds': '2'
      })
      expect(strict.exitCode).toBe(1)
      expect(results(strict.outputs)[0]).toMatchObject({
        ready: false,
        not_ready_reason: 'not_recomputed'
      })
      const byRefresh = await run({
        'segment-ids': ids.spring,
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'recomputed-by': 'last_refreshed_at'
      })
      expect(byRefresh.exitCode).toBe(0)
      const [result] = results(byRefresh.outputs)
      expect(result).toMatchObject({ outcome: 'refreshed', ready: true })
      expect(result.recomputed_at).toBe(result.last_refreshed_at)
      expect(byRefresh.stdout).toMatch(
        /recomputed at \d\d:\d\d:\d\d UTC by SendGrid's last_refreshed_at/
      )
    })

    it('stops polling a segment as soon as it is done', async () => {
      await start({ refreshDelayMs: 0 })
      await run({ 'segment-ids': ids.vip, wait: 'true', 'wait-interval-seconds': '0.2' })
      expect(simulator.requestsFor('get', ids.vip)).toHaveLength(1)
      expect(simulator.requestsFor('list')).toHaveLength(1)
    })

    it('fails the step when a segment does not finish in time, with every output set', async () => {
      await start({ refreshDelayMs: 60_000 })
      const { exitCode, outputs, stdout, durationMs } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-timeout-seconds': '1',
        'wait-interval-seconds': '0.3'
      })
      expect(exitCode).toBe(1)
      // Ends at its 1 s timeout, not at the recompute a minute away.
      expect(durationMs).toBeLessThan(20_000)
      // SendGrid accepted the refresh: it stays refreshed (and spent), not ready, and fails the step.
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'refreshed',
        http_status: 202,
        ready: false,
        refreshes_used: 1
      })
      const jobId = results(outputs)[0].job_id
      expect(jobId).toMatch(/^[0-9a-f-]{36}$/)
      expect(JSON.parse(outputs.refreshed)).toEqual([ids.vip])
      expect(JSON.parse(outputs['job-ids'])).toEqual({ [ids.vip]: jobId })
      expect(JSON.parse(outputs.failed)).toEqual([])
      expect(outputs.ready).toBe('false')
      expect(JSON.parse(outputs['contacts-counts'])).toEqual({ [ids.vip]: 80 })
      const [error] = annotationsIn(stdout).filter((a) => a.level === 'error')
      expect(error.message).toContain('had not finished after 1 s (wait-timeout-seconds)')
    })

    it('fails a segment deleted while waiting', async () => {
      await start({ refreshDelayMs: 60_000 })
      // Deleted once SendGrid has accepted the refresh, however late the action starts.
      const refreshed = simulator.nextRequest('refresh', ids.vip)
      const running = run({
        'segment-ids': `${ids.vip}`,
        wait: 'true',
        'wait-interval-seconds': '0.3',
        'wait-timeout-seconds': '10'
      })
      await refreshed
      simulator.segments.delete(ids.vip)
      const { exitCode, outputs, stdout } = await running
      expect(exitCode).toBe(1)
      expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', ready: false })
      expect(JSON.parse(outputs.refreshed)).toEqual([ids.vip])
      expect(JSON.parse(outputs.failed)).toEqual([])
      expect(results(outputs)[0].message).toContain('was deleted while waiting')
      const [error] = annotationsIn(stdout).filter((a) => a.level === 'error')
      expect(error.message).toContain('was deleted while waiting')
    })

    it('ends as soon as SendGrid recomputes, though its clock is 5 s behind the runner', async () => {
      // Before, the runner's clock was the yardstick: this ran to its timeout and failed.
      await start({ now: () => Date.now() - 5000, refreshDelayMs: 300 })
      const { exitCode, outputs, durationMs } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.5',
        'wait-timeout-seconds': '20'
      })
      expect(exitCode).toBe(0)
      expect(outputs.ready).toBe('true')
      expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', ready: true })
      expect(durationMs).toBeLessThan(10_000)
    })

    it('does not end before the recompute when SendGrid is 5 s ahead of the runner', async () => {
      const ahead = () => Date.now() + 5000
      await start({ now: ahead, refreshDelayMs: 1500 })
      // Recomputed by SendGrid's schedule a moment "in the runner's future".
      simulator.segments.get(ids.vip)!.sampleUpdatedAt = ahead() - 1000
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.3'
      })
      expect(exitCode).toBe(0)
      const [refresh] = simulator.requestsFor('refresh', ids.vip)
      const polls = simulator.requestsFor('list')
      // Every poll before the recompute landed (1.5 s after the refresh) said: still waiting.
      expect(polls.filter((p) => p.at < refresh.at + 1500).length).toBeGreaterThan(0)
      expect(stdout).toMatch(/Still waiting for 1 segment\(s\)/)
      expect(results(outputs)[0]).toMatchObject({ ready: true })
      expect(stdout).toMatch(
        /recomputed at \d\d:\d\d:\d\d UTC by SendGrid's sample_updated_at, about [123] s after/
      )
    })

    it('keeps waiting through read errors', async () => {
      await start({ refreshDelayMs: 800 })
      const refusal = { status: 500, body: '' }
      // The baseline read succeeds; the first two rounds' list reads fail even after one retry each.
      simulator.inject('list', '', refusal, refusal, refusal, refusal)
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.2',
        'max-retries': '1'
      })
      expect(exitCode).toBe(0)
      expect(stdout).toContain('(reading the segment list failed: HTTP 500); still waiting.')
      expect(simulator.requestsFor('list').length).toBeGreaterThanOrEqual(5)
      expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', contacts_count: 85 })
    })

    it('detects the recompute from sample_updated_at when last_refreshed_at is absent', async () => {
      await start({
        refreshDelayMs: 600,
        segments: [{ id: ids.vip, quotaFields: false, contactsCount: 5 }]
      })
      const { exitCode, outputs } = await run({
        'segment-ids': ids.vip,
        wait: 'true',
        'wait-interval-seconds': '0.2',
        'check-quota': 'false'
      })
      expect(exitCode).toBe(0)
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'refreshed',
        contacts_count: 6,
        last_refreshed_at: null
      })
      expect(simulator.requestsFor('get', ids.vip)).toHaveLength(1)
      expect(simulator.requestsFor('list').length).toBeGreaterThanOrEqual(2)
    })
  })
})
