// Sending one refresh so that a refresh SendGrid accepted is never spent unseen: after an attempt
// lost on the way, the segment is read before anything else. Against a scripted client.
import { describe, expect, it } from '@jest/globals'
import {
  acceptedSince,
  acceptMoment,
  sendFloor,
  sendRefresh
} from '../../src/stages/refresh-send.js'
import type { SegmentSnapshot } from '../../src/sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import { answer } from '../support/answers.js'
import { captureStdout } from '../support/capture-stdout.js'

const stdout = captureStdout()
const lost = (reason: 'timeout' | 'network' = 'network', unsent = false): ApiResult => ({
  kind: 'no-response',
  reason,
  detail: reason === 'timeout' ? 'no answer within 30 s' : 'ECONNRESET: socket hang up',
  attempts: 1,
  lostEarlierAttempt: false,
  ...(unsent ? { unsent } : {})
})
const withHeaders = (result: ApiResult, headers: Record<string, string>, tookMs?: number) =>
  Object.assign(result, { headers }, tookMs === undefined ? {} : { tookMs })
const snapshot = (fields: Partial<SegmentSnapshot>): SegmentSnapshot => ({
  name: 'Spring sale',
  contactsCount: 10,
  sampleUpdatedAt: null,
  refreshesUsed: null,
  maxRefreshes: null,
  lastRefreshedAt: null,
  createdAt: null,
  updatedAt: null,
  queryValidation: null,
  queryError: null,
  ...fields
})
const read = (fields: Record<string, unknown>, date?: string) =>
  withHeaders(answer(200, { name: 'Spring sale', ...fields }), date ? { date } : {})

function scripted(refreshes: ApiResult[], reads: ApiResult[] = []) {
  const calls: string[] = []
  const cancel = new AbortController()
  const client = {
    signal: cancel.signal,
    refreshSegment: async () => {
      calls.push('POST')
      return refreshes.shift()!
    },
    getSegment: async () => {
      calls.push('GET')
      return reads.shift()!
    }
  } as unknown as SendGridClient
  return { client, calls, cancel }
}

describe('acceptMoment', () => {
  it("is the 202's Date less the time the request took, to the second below", () => {
    const date = 'Sun, 06 Dec 2026 10:00:01 GMT'
    expect(acceptMoment(withHeaders(answer(202), { date }, 1200))).toBe(
      Date.parse('2026-12-06T09:59:59Z')
    )
    expect(acceptMoment(withHeaders(answer(202), { date }, 1000))).toBe(
      Date.parse('2026-12-06T10:00:00Z')
    )
    expect(acceptMoment(withHeaders(answer(202), { date }))).toBe(Date.parse(date))
  })

  it('is null for anything but an accept with a Date header', () => {
    const date = 'Sun, 06 Dec 2026 10:00:01 GMT'
    expect(acceptMoment(withHeaders(answer(429), { date }))).toBeNull()
    expect(acceptMoment(withHeaders(answer(300), { date }))).toBeNull()
    expect(acceptMoment(withHeaders(answer(199), { date }))).toBeNull()
    expect(acceptMoment(answer(202))).toBeNull()
    expect(acceptMoment(lost())).toBeNull()
    expect(acceptMoment(withHeaders(answer(200), { date }))).toBe(Date.parse(date))
  })
})

describe('sendFloor', () => {
  const sentAt = Date.parse('2026-12-06T10:00:00.700Z')
  it("is the read's Date less the time since the send, to the second below", () => {
    const date = 'Sun, 06 Dec 2026 09:00:05 GMT'
    // SendGrid's clock an hour behind; 2.5 s between the send and the read's answer.
    expect(sendFloor(read({}, date), sentAt, sentAt + 2500)).toBe(
      Date.parse('2026-12-06T09:00:02Z')
    )
  })

  it("falls back on the runner's clock without a Date header", () => {
    expect(sendFloor(read({}), sentAt, sentAt + 2500)).toBe(Date.parse('2026-12-06T10:00:00Z'))
    expect(sendFloor(lost(), sentAt, sentAt + 2500)).toBe(Date.parse('2026-12-06T10:00:00Z'))
  })
})

describe('acceptedSince', () => {
  const floor = Date.parse('2026-12-06T10:00:00Z')
  it('sees an accept in last_refreshed_at at or after the send', () => {
    const after = snapshot({ lastRefreshedAt: '2026-12-06T10:00:00Z', refreshesUsed: 1 })
    expect(acceptedSince(null, after, floor)).toEqual({ after, at: floor, by: 'last_refreshed_at' })
    const before = snapshot({ lastRefreshedAt: '2026-12-06T09:59:59Z' })
    expect(acceptedSince(null, before, floor)).toBeNull()
  })

  it('sees one in refreshes_used going up since the read before, a missing field counting as none', () => {
    const after = snapshot({ refreshesUsed: 1 })
    expect(acceptedSince(snapshot({}), after, floor)).toEqual({
      after,
      at: floor,
      by: 'refreshes_used'
    })
    expect(acceptedSince(snapshot({ refreshesUsed: 0 }), after, floor)?.by).toBe('refreshes_used')
    expect(acceptedSince(snapshot({ refreshesUsed: 1 }), after, floor)).toBeNull()
    // Without a read before, a count says nothing.
    expect(acceptedSince(null, after, floor)).toBeNull()
    expect(acceptedSince(snapshot({ refreshesUsed: 1 }), snapshot({}), floor)).toBeNull()
  })
})

describe('sendRefresh', () => {
  const before = snapshot({ refreshesUsed: 0, maxRefreshes: 2 })
  const date = 'Sun, 06 Dec 2026 10:00:05 GMT'

  it('hands on an answer at once, with its accept moment', async () => {
    const accepted = withHeaders(answer(202, { job_id: 'j' }), { date })
    const { client, calls } = scripted([accepted])
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
    expect(calls).toEqual(['POST'])
    expect(sent).toMatchObject({
      answer: accepted,
      acceptedAt: Date.parse(date),
      seenAccepted: null,
      readAfterLoss: null
    })
  })

  it('reads the segment after a lost attempt, and counts the refresh the read shows accepted', async () => {
    const { client, calls } = scripted(
      [lost()],
      // Accepted in the second the read was answered in: at or after the send, however fast.
      [read({ refreshes_used: 1, last_refreshed_at: '2026-12-06T10:00:05Z' }, date)]
    )
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
    expect(calls).toEqual(['POST', 'GET'])
    expect(sent.seenAccepted).toMatchObject({ by: 'last_refreshed_at' })
    expect(sent.acceptedAt).toBe(Date.parse('2026-12-06T10:00:05Z'))
    expect(sent.answer).toMatchObject({ kind: 'no-response', lostEarlierAttempt: true })
  })

  it('sends it again after a back-off when the read shows it was not accepted', async () => {
    const accepted = withHeaders(answer(202, { job_id: 'j' }), { date })
    const { client, calls } = scripted([lost('timeout'), accepted], [read({ refreshes_used: 0 })])
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 1)
    expect(calls).toEqual(['POST', 'GET', 'POST'])
    expect(sent).toMatchObject({ acceptedAt: Date.parse(date), seenAccepted: null })
    expect(sent.answer).toMatchObject({ status: 202, lostEarlierAttempt: true })
    expect(stdout.text).toMatch(
      /^POST refresh of s-1 got no answer in time, and reading the segment showed SendGrid had not accepted it; retry 1 of 1 in \d+ ms$/m
    )
  })

  it('stops after max-retries lost attempts, saying what the read showed', async () => {
    const { client, calls } = scripted([lost(), lost()], [read({}), read({})])
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 1)
    expect(calls).toEqual(['POST', 'GET', 'POST', 'GET'])
    expect(sent).toMatchObject({
      acceptedAt: null,
      seenAccepted: null,
      readAfterLoss: 'reading the segment showed SendGrid had not accepted it'
    })
    expect(sent.answer).toMatchObject({ kind: 'no-response', lostEarlierAttempt: false })
    expect(stdout.text).toContain('no answer (the connection was lost)')
  })

  it('reads once more when a real answer follows a lost attempt: a 429 may mean the first counted', async () => {
    const { client, calls } = scripted(
      [lost(), answer(429)],
      [read({}), read({ refreshes_used: 1 })]
    )
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
    expect(calls).toEqual(['POST', 'GET', 'POST', 'GET'])
    expect(sent.seenAccepted).toMatchObject({ by: 'refreshes_used' })
  })

  it('says so when the read after a lost attempt fails too, and sends nothing more', async () => {
    const { client, calls } = scripted([lost()], [answer(503)])
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
    expect(calls).toEqual(['POST', 'GET'])
    expect(sent).toMatchObject({
      acceptedAt: null,
      readAfterLoss: 'reading the segment to see whether SendGrid accepted it failed too (HTTP 503)'
    })
    expect(sent.answer).toMatchObject({ lostEarlierAttempt: true })
  })

  it('neither reads nor sends again once the run is cancelled', async () => {
    const { client, calls, cancel } = scripted([lost()])
    cancel.abort()
    const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
    expect(calls).toEqual(['POST'])
    expect(sent).toMatchObject({ acceptedAt: null, seenAccepted: null, readAfterLoss: null })
  })

  it('takes a refresh that provably never left, or a certificate error, as the answer', async () => {
    for (const failure of [lost('network', true), { ...lost(), reason: 'certificate' as const }]) {
      const { client, calls } = scripted([failure])
      const sent = await sendRefresh(client, 's-1', 'UTC', before, 2)
      expect(calls).toEqual(['POST'])
      expect(sent.answer).toBe(failure)
    }
  })
})
