// End to end, the built bundle against the simulator: the refresh budget is spent only where it buys
// a fresher audience (fresh-within-minutes), and one run never asks for more than the account's 10.
import { afterEach, describe, expect, it } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { countToday, wallClock } from '../support/wall-clock.js'

const minuteMs = 60_000
const ids = {
  spring: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  vip: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  churn: '3788e03b-50aa-454a-97d1-e1530345a5ee'
}
type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Result = Record<string, unknown>

describe.each(runtimes)('the refresh budget, built action on $name', ({ node }) => {
  let simulator: Simulator
  afterEach(async () => simulator?.close())

  const start = async (segments: Parameters<typeof startSimulator>[0] = {}) => {
    simulator = await startSimulator({
      segments: [
        { id: ids.spring, name: 'Spring sale', contactsCount: 1200 },
        { id: ids.vip, name: 'VIP customers', contactsCount: 87 },
        { id: ids.churn, name: 'Churn risk' }
      ],
      ...segments
    })
  }
  const run = (inputs: Record<string, string>) =>
    runAction({ 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs }, { node })
  const results = (outputs: Record<string, string>) => JSON.parse(outputs.results) as Result[]
  const refreshes = () => simulator.requests.filter((r) => r.method === 'POST')
  const reads = (id: string) => simulator.requestsFor('get', id)
  const recomputed = (id: string, fields: Record<string, unknown>) =>
    Object.assign(simulator.segments.get(id)!, fields)

  it('does not refresh a segment SendGrid recomputed within fresh-within-minutes', async () => {
    await start()
    const recomputedAt = Date.now() - 12 * minuteMs
    recomputed(ids.vip, { sampleUpdatedAt: recomputedAt })
    const { exitCode, outputs, stdout, summary } = await run({
      'segment-ids': `${ids.spring} ${ids.vip}`,
      'fresh-within-minutes': '30',
      'time-zone': 'Europe/Berlin'
    })
    expect(exitCode).toBe(0)
    expect(refreshes().map((r) => r.path)).toEqual([
      `/v3/marketing/segments/2.0/refresh/${ids.spring}`
    ])
    const [spring, vip] = results(outputs)
    expect(spring).toMatchObject({ outcome: 'refreshed' })
    expect(vip).toMatchObject({
      segment_name: 'VIP customers',
      outcome: 'fresh',
      http_status: null,
      job_id: null,
      sample_updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    })
    expect(vip.message).toContain(
      `Segment "VIP customers" (${ids.vip}) is fresh: recomputed ${wallClock(recomputedAt, 'Europe/Berlin')}, 12 minutes ago (SendGrid's sample_updated_at; fresh-within-minutes: 30). No refresh was sent`
    )
    expect(JSON.parse(outputs.fresh)).toEqual([ids.vip])
    expect(JSON.parse(outputs.refreshed)).toEqual([ids.spring])
    expect(stdout).toContain(String(vip.message))
    expect(annotationsIn(stdout)).toEqual([])
    expect(summary).toContain('🟢 fresh')
    expect(summary).toContain(`recomputed ${wallClock(recomputedAt, 'Europe/Berlin')}`)
  })

  it('makes a re-run safe: a segment refreshed and recomputed 15 minutes ago is fresh, even under on-rate-limit: fail', async () => {
    await start()
    const refreshedAt = Date.now() - 15 * minuteMs
    recomputed(ids.vip, {
      refreshTimes: [refreshedAt],
      lastRefreshedAt: refreshedAt,
      sampleUpdatedAt: refreshedAt
    })
    const { exitCode, outputs, summary } = await run({
      'segment-ids': ids.vip,
      'on-rate-limit': 'fail'
    })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(0)
    // Within 15 minutes after midnight in the segment's zone (UTC), today's count has reset.
    expect(results(outputs)[0]).toMatchObject({
      outcome: 'fresh',
      refreshes_used: countToday([refreshedAt], 'UTC')
    })
    expect(results(outputs)[0].message).toContain(
      `recomputed ${wallClock(refreshedAt, 'UTC')}, 15 minutes ago, after a refresh accepted ${wallClock(refreshedAt, 'UTC')}, 15 minutes ago`
    )
    expect(JSON.parse(outputs['rate-limited'])).toEqual([])
    expect(summary).toContain('&quot;VIP customers&quot; is ready to send to.')
  })

  it('on a re-run right after a refresh: fresh once recomputed, rate limited while still recomputing; never a refresh', async () => {
    await start()
    const refreshedAt = Date.now() - 5 * minuteMs
    recomputed(ids.spring, {
      refreshTimes: [refreshedAt],
      lastRefreshedAt: refreshedAt,
      sampleUpdatedAt: refreshedAt + 2000
    })
    recomputed(ids.vip, {
      refreshTimes: [refreshedAt],
      lastRefreshedAt: refreshedAt,
      pendingUntil: Date.now() + 60 * minuteMs
    })
    const segments = { 'segment-ids': `${ids.spring} ${ids.vip}` }
    const rerun = await run(segments)
    expect(rerun.exitCode).toBe(0)
    expect(rerun.outputs.ready).toBe('false')
    expect(results(rerun.outputs).map((r) => [r.outcome, r.ready, r.not_ready_reason])).toEqual([
      ['fresh', true, null],
      ['rate_limited', false, 'rate_limited']
    ])

    const gated = await run({
      ...segments,
      wait: 'true',
      'wait-timeout-seconds': '1',
      'wait-interval-seconds': '0.3',
      'fail-unless-ready': 'true'
    })
    expect(gated.exitCode).toBe(1)
    expect(refreshes()).toHaveLength(0)
    expect(gated.outputs.ready).toBe('false')
    const errors = annotationsIn(gated.stdout).filter((a) => a.level === 'error')
    expect(errors.at(-1)?.message).toMatch(
      /^1 of 2 segment\(s\) not ready to send to \(fail-unless-ready\): "VIP customers" \(rate limited: a refresh accepted .* is still being recomputed, not recomputed within 1 s; do not send to it yet\)\.$/
    )
  })

  it('refuses fail-unless-ready without wait, or with a bad value, before any request', async () => {
    await start()
    for (const [inputs, words] of [
      [
        { 'fail-unless-ready': 'true' },
        `Input 'fail-unless-ready' has an invalid value "true": it needs wait: true`
      ],
      [
        { 'fail-unless-ready': 'maybe', wait: 'true' },
        `Input 'fail-unless-ready' has an invalid value "maybe": it must be true or false`
      ]
    ] as const) {
      const { exitCode, stdout, outputs } = await run({ 'segment-ids': ids.vip, ...inputs })
      expect(exitCode).toBe(1)
      expect(annotationsIn(stdout)[0]).toMatchObject({
        level: 'error',
        properties: 'title=Invalid input%3A fail-unless-ready',
        message: expect.stringContaining(words)
      })
      expect(outputs.ready).toBe('false')
    }
    expect(simulator.requests).toHaveLength(0)
  })

  it('refreshes a segment edited after its last recompute, even within fresh-within-minutes', async () => {
    await start()
    const recomputedAt = Date.now() - 10 * minuteMs
    recomputed(ids.vip, { sampleUpdatedAt: recomputedAt, updatedAt: recomputedAt + 4 * minuteMs })
    recomputed(ids.spring, { sampleUpdatedAt: recomputedAt, updatedAt: recomputedAt - minuteMs })
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': `${ids.vip} ${ids.spring}`,
      'fresh-within-minutes': '30'
    })
    expect(exitCode).toBe(0)
    expect(refreshes().map((r) => r.path)).toEqual([
      `/v3/marketing/segments/2.0/refresh/${ids.vip}`
    ])
    expect(JSON.parse(outputs.fresh)).toEqual([ids.spring])
    expect(stdout).toContain(
      `Segment "VIP customers" (${ids.vip}) is not fresh: its conditions were edited ${wallClock(recomputedAt + 4 * minuteMs, 'UTC')}, 6 minutes ago, after it was last recomputed ${wallClock(recomputedAt, 'UTC')}, 10 minutes ago: it is refreshed.`
    )
  })

  it('notes, in the log and the summary, a segment created less than 30 minutes ago, and refreshes it', async () => {
    await start()
    const createdAt = Date.now() - 12 * minuteMs
    recomputed(ids.vip, { createdAt, updatedAt: createdAt })
    const { exitCode, stdout, summary } = await run({ 'segment-ids': `${ids.vip} ${ids.spring}` })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(2)
    const note = `was created ${wallClock(createdAt, 'UTC')}, 12 minutes ago: SendGrid says segments built on engagement data take about 30 minutes to begin populating, so its count may still grow.`
    expect(annotationsIn(stdout).filter((a) => a.level === 'notice')).toEqual([
      {
        level: 'notice',
        properties: 'title=New segment',
        message: `Segment "VIP customers" (${ids.vip}) ${note}`
      }
    ])
    expect(summary).toContain(`<p>&quot;VIP customers&quot; ${note}</p>`)
  })

  it('refreshes every segment as asked with the default of 0', async () => {
    await start()
    recomputed(ids.vip, { sampleUpdatedAt: Date.now() - minuteMs })
    const { exitCode, outputs } = await run({ 'segment-ids': `${ids.spring} ${ids.vip}` })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(2)
    expect(JSON.parse(outputs.fresh)).toEqual([])
  })

  it('reads the segments for freshness even with check-quota: false', async () => {
    await start()
    recomputed(ids.vip, { sampleUpdatedAt: Date.now() - 2 * minuteMs })
    const { exitCode, outputs } = await run({
      'segment-ids': `${ids.spring} ${ids.vip}`,
      'fresh-within-minutes': '5',
      'check-quota': 'false'
    })
    expect(exitCode).toBe(0)
    expect(reads(ids.vip)).toHaveLength(1)
    expect(refreshes()).toHaveLength(1)
    expect(JSON.parse(outputs.fresh)).toEqual([ids.vip])
  })

  it('refreshes anyway when the read fails: never skips on a guess', async () => {
    await start()
    recomputed(ids.vip, { sampleUpdatedAt: Date.now() - 2 * minuteMs })
    simulator.inject('get', ids.vip, { status: 500 }, { status: 500 }, { status: 500 })
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': ids.vip,
      'fresh-within-minutes': '5'
    })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(1)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed' })
    expect(annotationsIn(stdout)).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining('which are refreshed anyway')
      })
    ])
  })

  it('does not poll a fresh segment while waiting for the others', async () => {
    await start({ refreshDelayMs: 300 })
    recomputed(ids.vip, { sampleUpdatedAt: Date.now() - minuteMs })
    const { exitCode, outputs, summary } = await run({
      'segment-ids': `${ids.spring} ${ids.vip}`,
      'fresh-within-minutes': '10',
      wait: 'true',
      'wait-interval-seconds': '0.2'
    })
    expect(exitCode).toBe(0)
    // Each is read once before; the wait reads the segment list, not the segments one by one.
    expect(reads(ids.vip)).toHaveLength(1)
    expect(reads(ids.spring)).toHaveLength(1)
    expect(simulator.requestsFor('list').length).toBeGreaterThan(0)
    expect(results(outputs).map((r) => r.outcome)).toEqual(['refreshed', 'fresh'])
    expect(summary).toContain('All 2 audiences are ready to send to.')
    expect(summary).toContain('1,200 → 1,201 (+1)')
  })

  it('sends exactly 10 refreshes for 12 segments, and rate-limits the last 2 without a request', async () => {
    const many = Array.from({ length: 12 }, () => randomUUID())
    simulator = await startSimulator({ segments: many.map((id) => ({ id })) })
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': many.join('\n'),
      'on-rate-limit': 'fail'
    })
    expect(exitCode).toBe(1)
    expect(refreshes().map((r) => r.path.split('/').at(-1))).toEqual(
      expect.arrayContaining(many.slice(0, 10))
    )
    expect(refreshes()).toHaveLength(10)
    expect(JSON.parse(outputs.refreshed)).toEqual(many.slice(0, 10))
    expect(JSON.parse(outputs['rate-limited'])).toEqual(many.slice(10))
    const last = results(outputs).slice(10)
    for (const result of last) {
      expect(result).toMatchObject({ outcome: 'rate_limited', http_status: null })
      expect(result.message).toContain('this run already sends 10 refreshes')
    }
    const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
    expect(errors.map((e) => e.properties)).toEqual([
      expect.stringMatching(/rate limited$/),
      expect.stringMatching(/rate limited$/),
      ''
    ])
    expect(errors[2].message).toContain("2 of 12 segment(s) hit SendGrid's refresh limit")
  })

  it('does not count segments the pre-flight settled against the budget', async () => {
    const many = Array.from({ length: 11 }, () => randomUUID())
    simulator = await startSimulator({
      segments: many.map((id, n) => ({
        id,
        ...(n === 0 ? { sampleUpdatedAt: Date.now() - minuteMs } : {})
      }))
    })
    const { exitCode, outputs } = await run({
      'segment-ids': many.join(' '),
      'fresh-within-minutes': '5'
    })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(10)
    expect(JSON.parse(outputs.fresh)).toEqual([many[0]])
    expect(JSON.parse(outputs['rate-limited'])).toEqual([])
  })

  it.each([['-1'], ['soon'], ['1e3']])(
    'refuses fresh-within-minutes = %s before any request, naming the input',
    async (value) => {
      await start()
      const { exitCode, stdout } = await run({
        'segment-ids': ids.spring,
        'fresh-within-minutes': value
      })
      expect(exitCode).toBe(1)
      expect(simulator.requests).toHaveLength(0)
      expect(annotationsIn(stdout)[0]).toMatchObject({
        level: 'error',
        message: `Input 'fresh-within-minutes' has an invalid value "${value}": it must be a non-negative number`
      })
    }
  )
})
