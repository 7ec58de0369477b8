// Sending the refreshes: what each answer adds to the record, and what the wait later needs of it.
import { describe, expect, it } from '@jest/globals'
import type { Settings } from '../../src/inputs/settings.js'
import type { SegmentResult } from '../../src/run/results.js'
import { refreshSegments } from '../../src/stages/refresh.js'
import type { SegmentSnapshot } from '../../src/sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import { answer } from '../support/answers.js'
import { captureStdout } from '../support/capture-stdout.js'

const out = captureStdout()
const settings = {
  baseUrl: 'https://api.sendgrid.com',
  timeZone: 'UTC',
  onRateLimit: 'warn',
  maxRetries: 2
} as Settings
const target = (id: string) => ({ segmentId: id, segmentName: id, singleSendIds: [], sendAt: null })
const before = (refreshesUsed: number | null) =>
  ({ refreshesUsed, maxRefreshes: 2 }) as SegmentSnapshot
const accepted = (status: number, headers: Record<string, string> = {}): ApiResult =>
  Object.assign(answer(status, status === 202 ? { job_id: 'j' } : ''), { headers })

async function send(
  answers: Record<string, ApiResult>,
  planned: Array<[string, SegmentSnapshot | null]>
) {
  const told: string[] = []
  const answered: SegmentResult[] = []
  const client = {
    signal: new AbortController().signal,
    refreshSegment: async (id: string) => answers[id],
    // A lost refresh is followed by a read of the segment; this one cannot tell.
    getSegment: async () => answer(500, '')
  } as unknown as SendGridClient
  const sent = await refreshSegments(
    client,
    settings,
    planned.map(([id, read]) => ({ target: target(id), before: read })),
    { sending: (id) => told.push(id), answered: (result) => answered.push(result) }
  )
  return { sent, told, answered }
}

describe('refreshSegments', () => {
  it('takes the moment SendGrid accepted a refresh from its Date header, and only then', async () => {
    const date = 'Tue, 01 Dec 2026 14:02:19 GMT'
    const { sent, told } = await send(
      {
        a: accepted(202, { date }),
        b: accepted(202),
        c: accepted(429, { date }),
        d: accepted(202, { date: 'yesterday' }),
        e: {
          kind: 'no-response',
          reason: 'timeout',
          detail: 'x',
          attempts: 1,
          lostEarlierAttempt: false
        }
      },
      [
        ['a', null],
        ['b', null],
        ['c', null],
        ['d', null],
        ['e', null]
      ]
    )
    expect(told).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(sent.map((s) => s.acceptedAt)).toEqual([Date.parse(date), null, null, null, null])
    expect(sent[4].result.message).toContain(
      'After the lost attempt, reading the segment to see whether SendGrid accepted it failed too (HTTP 500).'
    )
    // Only what a lost attempt's read shows is added, and only a refresh counted so is logged here.
    for (const { result } of sent.slice(0, 4))
      expect(result.message).not.toContain('After the lost attempt')
    expect(out.text).toBe('')
  })

  it('counts an accepted refresh in refreshes_used, and nothing else', async () => {
    const { sent, answered } = await send(
      { a: accepted(202), b: accepted(429), c: accepted(202) },
      [
        ['a', before(1)],
        ['b', before(1)],
        ['c', before(null)]
      ]
    )
    expect(sent.map((s) => s.result.refreshesUsed)).toEqual([2, 1, null])
    expect(answered.map((r) => r.refreshesUsed)).toEqual([2, 1, null])
    expect(sent.map((s) => s.before?.refreshesUsed ?? null)).toEqual([1, 1, null])
  })

  it('counts a refresh whose answer was lost when the read after it shows SendGrid accepted it', async () => {
    const told: SegmentResult[] = []
    const date = 'Sun, 06 Dec 2026 10:00:05 GMT'
    const read = Object.assign(
      answer(200, {
        name: 'Spring sale',
        refreshes_used: 1,
        max_refreshes: 2,
        last_refreshed_at: '2026-12-06T10:00:05Z'
      }),
      { headers: { date } }
    )
    const client = {
      signal: new AbortController().signal,
      refreshSegment: async () => ({
        kind: 'no-response',
        reason: 'timeout',
        detail: 'no answer within 30 s',
        attempts: 1,
        lostEarlierAttempt: false
      }),
      getSegment: async () => read
    } as unknown as SendGridClient
    const [sent] = await refreshSegments(
      client,
      settings,
      [{ target: target('a'), before: before(0) }],
      { sending: () => {}, answered: (result) => told.push(result) }
    )
    expect(sent.acceptedAt).toBe(Date.parse('2026-12-06T10:00:05Z'))
    expect(sent.result).toMatchObject({
      outcome: 'refreshed',
      httpStatus: null,
      jobId: null,
      annotation: null,
      refreshesUsed: 1,
      lastRefreshedAt: '2026-12-06T10:00:05Z',
      reason:
        "refresh accepted (its answer was lost; SendGrid's last_refreshed_at shows it); SendGrid is recomputing it"
    })
    expect(sent.result.message).toMatch(
      /^Segment "a" \(a\) refresh accepted: its answer was lost \(no answer in time: no answer within 30 s\), but reading the segment shows SendGrid accepted it \(its last_refreshed_at is .*, after the refresh was sent\)\. It counts against today's refreshes, and it was not sent again\.$/
    )
    expect(told).toEqual([sent.result])
    expect(out.text).toContain(sent.result.message)
  })

  it('names refreshes_used when that is what shows the accept', async () => {
    const client = {
      signal: new AbortController().signal,
      refreshSegment: async () => ({
        kind: 'no-response',
        reason: 'network',
        detail: 'ECONNRESET',
        attempts: 1,
        lostEarlierAttempt: false
      }),
      getSegment: async () => answer(200, { refreshes_used: 1, max_refreshes: 2 })
    } as unknown as SendGridClient
    const sent = await refreshSegments(
      client,
      settings,
      [{ target: target('a'), before: before(0) }],
      { sending: () => {}, answered: () => {} }
    )
    expect(sent[0].result.message).toContain(
      'its answer was lost (the connection was lost: ECONNRESET), but reading the segment shows SendGrid accepted it (its refreshes_used went up to 1)'
    )
    expect(sent[0].acceptedAt).not.toBeNull()
  })

  it('names the answer that came after a lost attempt, when a read shows the lost one accepted', async () => {
    const answers: ApiResult[] = [
      {
        kind: 'no-response',
        reason: 'timeout',
        detail: 'x',
        attempts: 1,
        lostEarlierAttempt: false
      },
      answer(429)
    ]
    const reads = [answer(200, { refreshes_used: 0 }), answer(200, { refreshes_used: 1 })]
    const client = {
      signal: new AbortController().signal,
      refreshSegment: async () => answers.shift()!,
      getSegment: async () => reads.shift()!
    } as unknown as SendGridClient
    const [sent] = await refreshSegments(
      { ...client } as SendGridClient,
      { ...settings, maxRetries: 1 },
      [{ target: target('a'), before: before(0) }],
      { sending: () => {}, answered: () => {} }
    )
    expect(sent.result).toMatchObject({ outcome: 'refreshed', refreshesUsed: 1 })
    expect(sent.result.message).toContain('refresh accepted: its answer was lost (HTTP 429)')
  })
})
