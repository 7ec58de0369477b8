// End to end, on a busy account: SendGrid's general rate limit, shared by every integration on the
// account, refuses reads (and sometimes a refresh) with 429. The built action, run as the runner
// runs it, against the simulator limiting reads as SendGrid does. One runtime (Node 24, what
// `using: node24` gives), since the request policy does not depend on it; e2e/refresh and e2e/tls
// run the client's transport under both.
import { afterEach, describe, expect, it } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { runtimes } from '../../tools/runtimes.js'

type Simulator = Awaited<ReturnType<typeof startSimulator>>
const { node } = runtimes[runtimes.length - 1]
const minuteMs = 60_000
/** SendGrid's general limit: nothing left in a window that resets in a second. */
const generalLimit = {
  status: 429,
  body: '{"errors":[{"field":null,"message":"too many requests"}]}',
  headers: { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '1' }
}

let simulator: Simulator
afterEach(async () => {
  await simulator.close()
})

const ids = (count: number) => Array.from({ length: count }, () => randomUUID())
const run = (inputs: Record<string, string>) =>
  runAction({ 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs }, { node })
const results = (outputs: Record<string, string>) =>
  JSON.parse(outputs.results) as Array<Record<string, unknown>>
const refreshes = () => simulator.requests.filter((r) => r.path.includes('/refresh/'))

describe('reads refused by the rate limit', () => {
  it('reads twelve fresh segments at 3 reads a second: all fresh, no refresh, ready', async () => {
    const segments = ids(12)
    simulator = await startSimulator({
      readLimit: { perSecond: 3 },
      segments: segments.map((id) => ({ id, sampleUpdatedAt: Date.now() - 5 * minuteMs }))
    })
    const { exitCode, outputs, summary, stdout } = await run({
      'segment-ids': segments.join(' '),
      'fresh-within-minutes': '60',
      'max-contacts-change-percent': '10',
      wait: 'true',
      'fail-unless-ready': 'true'
    })
    expect(exitCode).toBe(0)
    expect(results(outputs).map((r) => r.outcome)).toEqual(segments.map(() => 'fresh'))
    expect(outputs.ready).toBe('true')
    expect(refreshes()).toHaveLength(0)
    // The limit was met, and every read came back after it.
    expect(simulator.readsRefused.get).toBeGreaterThan(0)
    expect(stdout).toMatch(
      /^GET \/v3\/marketing\/segments\/2\.0\/[0-9a-f-]{36}\?contacts_sample=false got HTTP 429 \(SendGrid's rate limit, 0 of 3 left\); sending it again in \d+\.\d s, when the limit resets$/m
    )
    expect(summary).toMatch(
      /SendGrid's rate limit for requests, which every integration on the account shares, asked this run to slow down \d+ times; it waited \d+\.\d s in all/
    )
  })

  it('reads a contact job again after two 429s: completed, and the segment refreshed', async () => {
    const [segment] = ids(1)
    const job = randomUUID()
    simulator = await startSimulator({
      segments: [{ id: segment }],
      contactJobs: [{ id: job, status: 'completed', finishesAt: Date.now() - minuteMs }]
    })
    simulator.inject('contact-job', job, generalLimit, generalLimit)
    const { exitCode, outputs } = await run({ 'segment-ids': segment, 'contact-job-ids': job })
    expect(exitCode).toBe(0)
    expect(JSON.parse(outputs['contact-jobs'])).toEqual([
      expect.objectContaining({ id: job, status: 'completed' })
    ])
    expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed' })
    const reads = simulator.requestsFor('contact-job', job)
    expect(reads).toHaveLength(3)
    // Each came back after the 1 s reset, not at once.
    expect(reads[1].at - reads[0].at).toBeGreaterThanOrEqual(900)
  })

  it('finds eight Single Sends due in 30 minutes at 3 reads a second, and refreshes all eight segments', async () => {
    const segments = ids(8)
    simulator = await startSimulator({
      readLimit: { perSecond: 3, resetForm: 'epoch' },
      segments: segments.map((id) => ({ id })),
      singleSends: segments.map((segment, i) => ({
        id: randomUUID(),
        name: `Campaign ${i + 1}`,
        status: 'scheduled',
        sendAt: Date.now() + 30 * minuteMs,
        segmentIds: [segment]
      }))
    })
    const { exitCode, outputs } = await run({ 'single-sends-within-minutes': '45' })
    expect(exitCode).toBe(0)
    expect(JSON.parse(outputs.refreshed).sort()).toEqual([...segments].sort())
    expect(refreshes()).toHaveLength(8)
    expect(simulator.readsRefused.singlesend ?? 0).toBeGreaterThan(0)
  })

  it('resolves a segment name after the list was answered 429 once', async () => {
    const [segment] = ids(1)
    simulator = await startSimulator({ segments: [{ id: segment, name: 'Spring sale' }] })
    simulator.inject('list', '', generalLimit)
    const { exitCode, outputs } = await run({ 'segment-names': 'Spring sale' })
    expect(exitCode).toBe(0)
    expect(results(outputs)[0]).toMatchObject({ segment_id: segment, outcome: 'refreshed' })
    expect(simulator.requestsFor('list')).toHaveLength(2)
  })

  it('spends no refresh on segments it cannot read at all, fails within its bound, and follows the reset', async () => {
    const segments = ids(2)
    simulator = await startSimulator({
      readLimit: { perSecond: 0 },
      segments: segments.map((id) => ({ id }))
    })
    const { exitCode, outputs, stdout, durationMs } = await run({
      'segment-ids': segments.join(' '),
      'read-limit-wait-seconds': '2'
    })
    expect(exitCode).toBe(1)
    expect(refreshes()).toHaveLength(0)
    for (const result of results(outputs)) {
      expect(result).toMatchObject({ outcome: 'failed', ready: false })
      expect(result.message).toContain("SendGrid's rate limit for requests")
      expect(result.message).toContain('no budget was spent')
    }
    // A 2 s bound, not the default 2 minutes.
    expect(durationMs).toBeLessThan(30_000)
    // About one read a second for 2 s each, as the reset says: no hammering.
    for (const id of segments) {
      const reads = simulator.requestsFor('get', id)
      expect(reads.length).toBeGreaterThanOrEqual(2)
      expect(reads.length).toBeLessThanOrEqual(4)
    }
    const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
    expect(errors.some((e) => e.message.includes("SendGrid's rate limit"))).toBe(true)
  })
})

describe('requests in flight', () => {
  it('keeps at most 10 on the wire for sixteen segments at 300 ms each, and still sends 10 at once', async () => {
    const segments = ids(16)
    simulator = await startSimulator({
      responseDelayMs: 300,
      segments: segments.map((id) => ({ id }))
    })
    const { outputs } = await run({ 'segment-ids': segments.join(' ') })
    expect(simulator.counts.mostInFlight).toBe(10)
    expect(JSON.parse(outputs.refreshed)).toHaveLength(10)
  })
})

describe('a refresh on a busy account', () => {
  it('sends a refresh again once the general limit (nothing left, reset in 1 s) has reset', async () => {
    const [segment] = ids(1)
    simulator = await startSimulator({ segments: [{ id: segment }] })
    simulator.inject('refresh', segment, generalLimit)
    const { exitCode, outputs } = await run({ 'segment-ids': segment })
    expect(exitCode).toBe(0)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', http_status: 202 })
    const sent = simulator.requestsFor('refresh', segment)
    expect(sent).toHaveLength(2)
    expect(sent[1].at - sent[0].at).toBeGreaterThanOrEqual(900)
  })

  it('counts a refresh SendGrid accepted whose answer was lost, and waits for its recompute', async () => {
    const [segment] = ids(1)
    simulator = await startSimulator({ refreshDelayMs: 1000, segments: [{ id: segment }] })
    simulator.inject('refresh', segment, { dropAnswer: true })
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': segment,
      wait: 'true',
      'wait-interval-seconds': '0.3',
      'fail-unless-ready': 'true'
    })
    expect(exitCode).toBe(0)
    expect(refreshes()).toHaveLength(1)
    expect(JSON.parse(outputs.refreshed)).toEqual([segment])
    expect(results(outputs)[0]).toMatchObject({
      outcome: 'refreshed',
      ready: true,
      job_id: null,
      refreshes_used: 1
    })
    expect(stdout).toMatch(
      /refresh accepted: its answer was lost \(the connection was lost: .*\), but reading the segment shows SendGrid accepted it \(its last_refreshed_at is .*, after the refresh was sent\)\. It counts against today's refreshes, and it was not sent again\./
    )
  })

  it('sees a recompute stamped in the second SendGrid accepted the refresh, its 202 1.2 s later', async () => {
    const [segment] = ids(1)
    simulator = await startSimulator({ refreshDelayMs: 0, segments: [{ id: segment }] })
    simulator.inject('refresh', segment, { answerAfterMs: 1200 })
    const { exitCode, outputs } = await run({
      'segment-ids': segment,
      wait: 'true',
      'wait-interval-seconds': '0.3',
      'wait-timeout-seconds': '5',
      'fail-unless-ready': 'true'
    })
    expect(exitCode).toBe(0)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', ready: true })
  })
})

describe('the wait', () => {
  it('costs about one request a round for six segments', async () => {
    const segments = ids(6)
    simulator = await startSimulator({
      refreshDelayMs: 5000,
      segments: segments.map((id) => ({ id }))
    })
    const { exitCode } = await run({
      'segment-ids': segments.join(' '),
      wait: 'true',
      'wait-interval-seconds': '1'
    })
    expect(exitCode).toBe(0)
    // The pre-flight's one read of each, then only the list, once a round.
    for (const id of segments) expect(simulator.requestsFor('get', id)).toHaveLength(1)
    const rounds = simulator.requestsFor('list').length
    expect(rounds).toBeGreaterThanOrEqual(3)
    expect(rounds).toBeLessThanOrEqual(7)
  })
})
