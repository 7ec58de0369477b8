// Waiting for SendGrid to recompute, against a client whose answers are scripted poll by poll.
import { describe, expect, it } from '@jest/globals'
import type { Settings } from '../../src/inputs/settings.js'
import { isReady, newResult, notReadyReason, type SegmentResult } from '../../src/run/results.js'
import type { EarlierRefresh } from '../../src/stages/preflight.js'
import type { SentRefresh } from '../../src/stages/refresh.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import { waitForRefreshes } from '../../src/stages/wait.js'
import { captureStdout } from '../support/capture-stdout.js'

const stdout = captureStdout()
const settings = (waitTimeoutMs: number, more: Partial<Settings> = {}) =>
  ({
    waitTimeoutMs,
    waitIntervalMs: 1,
    timeZone: 'UTC',
    recomputedBy: 'sample_updated_at',
    onRateLimit: 'warn',
    minContacts: 0,
    maxContactsChangePercent: null,
    failUnlessReady: false,
    ...more
  }) as Settings

const sentAt = Date.parse('2026-11-27T12:00:00.400Z')
const segment = (fields: Record<string, unknown>): ApiResult => ({
  kind: 'response',
  status: 200,
  headers: {},
  body: JSON.stringify({ name: 'Read', contacts_count: 10, ...fields }),
  attempts: 1,
  lostEarlierAttempt: false
})
const httpStatus = (status: number): ApiResult => ({
  kind: 'response',
  status,
  headers: {},
  body: '',
  attempts: 1,
  lostEarlierAttempt: false
})
const listOf = (segments: Array<Record<string, unknown>>): ApiResult =>
  Object.assign(httpStatus(200), { body: JSON.stringify({ results: segments }) })
// SendGrid writes last_refreshed_at when it accepts the refresh; the sample moves when it is done.
const landed = segment({
  last_refreshed_at: '2026-11-27T11:59:58Z',
  sample_updated_at: '2026-11-27T12:00:00Z',
  contacts_count: 12
})
const notYet = segment({
  last_refreshed_at: '2026-11-27T11:59:58Z',
  sample_updated_at: '2026-11-27T06:00:00Z'
})

/**
 * A client answering each segment's reads in turn, the last answer repeated. Its segment list
 * answers in turn too; by default it lists no segment, so each is read by ID.
 */
function scripted(answers: Record<string, ApiResult[]>, lists: ApiResult[] = [listOf([])]) {
  const reads: string[] = []
  const readAt: number[] = []
  const client = {
    signal: new AbortController().signal,
    listSegments: async () => {
      reads.push('list')
      readAt.push(Date.now())
      return lists.length > 1 ? (lists.shift() as ApiResult) : lists[0]
    },
    getSegment: async (id: string) => {
      reads.push(id)
      readAt.push(Date.now())
      const queue = answers[id]
      return queue.length > 1 ? (queue.shift() as ApiResult) : queue[0]
    }
  } as unknown as SendGridClient
  return { client, reads, readAt }
}

const sent = (
  id: string,
  name: string | null,
  outcome: SegmentResult['outcome'] = 'refreshed',
  jobId: string | null = `job-${id}`
): SentRefresh => ({
  result: newResult(id, name, {
    outcome,
    httpStatus: 202,
    jobId,
    annotation: null,
    reason: 'refresh accepted',
    message: 'accepted'
  }),
  sentAt,
  acceptedAt: null,
  before: null
})

describe('waitForRefreshes', () => {
  it('polls nothing when no refresh was accepted', async () => {
    const { client, reads } = scripted({})
    const refreshes = [sent('s-1', 'A', 'rate_limited'), sent('s-2', 'B', 'failed')]
    const results = await waitForRefreshes(client, settings(60_000), refreshes)
    expect(results).toEqual(refreshes.map((r) => r.result))
    expect(reads).toEqual([])
    expect(stdout.text).toBe('')
  })

  it('settles each segment as its answers come, and polls only those still pending', async () => {
    const { client, reads } = scripted({
      's-1': [notYet, landed],
      's-2': [httpStatus(404)],
      's-3': [
        httpStatus(500),
        {
          kind: 'no-response',
          reason: 'timeout',
          detail: 'x',
          attempts: 1,
          lostEarlierAttempt: false
        },
        segment({ sample_updated_at: '2026-11-27T12:00:01Z', contacts_count: 1234 })
      ]
    })
    const refreshes = [
      sent('s-1', 'Alpha'),
      sent('s-2', null),
      sent('s-3', 'Gamma', 'refreshed', null),
      sent('s-4', 'Delta', 'rate_limited')
    ]
    // Read before the refresh: 2,345 contacts, last refreshed at 11:00. SendGrid accepted it at 11:59:58
    // by its own clock (the Date header).
    refreshes[0].before = {
      contactsCount: 2345,
      lastRefreshedAt: '2026-11-27T11:00:00Z',
      sampleUpdatedAt: '2026-11-27T06:00:00Z'
    } as SentRefresh['before']
    refreshes[0].acceptedAt = Date.parse('2026-11-27T11:59:58Z')
    const results = await waitForRefreshes(client, settings(60_000), refreshes)

    expect(reads).toEqual(['list', 's-1', 's-2', 's-3', 'list', 's-1', 's-3', 'list', 's-3'])
    expect(results[0]).toMatchObject({
      outcome: 'refreshed',
      recomputed: true,
      contactsCount: 12,
      contactsCountBefore: 2345,
      reason: 'recomputed at 12:00:00 UTC, 2 s after the refresh',
      message:
        'Segment "Alpha" (s-1) refreshed (refresh job job-s-1) and recomputed at 12:00:00 UTC by SendGrid\'s sample_updated_at, about 2 s after SendGrid accepted the refresh. It now has 12 contacts (2,345 before).'
    })
    // Deleted while waiting: SendGrid accepted the refresh, so it stays refreshed (and spent).
    expect(results[1]).toMatchObject({
      outcome: 'refreshed',
      annotation: 'error',
      recomputed: false,
      reason: 'deleted while waiting for its refresh to finish',
      message:
        'Segment s-2 was deleted while waiting for its refresh to finish (reading it answered HTTP 404).'
    })
    expect(results[2]).toMatchObject({
      outcome: 'refreshed',
      recomputed: true,
      contactsCountBefore: null,
      reason: 'recomputed at 12:00:01 UTC',
      message:
        'Segment "Gamma" (s-3) refreshed and recomputed at 12:00:01 UTC by SendGrid\'s sample_updated_at. It now has 1,234 contacts.'
    })
    expect(results[3]).toBe(refreshes[3].result)
    expect(stdout.text.split('\n')).toEqual([
      'Waiting up to 60 s for 3 segment(s) to finish refreshing...',
      'Could not read Segment "Gamma" (s-3) (HTTP 500); still waiting.',
      expect.stringMatching(/^Still waiting for 2 segment\(s\) after \d+\.\d s: "Alpha", "Gamma"$/),
      'Segment "Alpha" (s-1) refreshed (refresh job job-s-1) and recomputed at 12:00:00 UTC by SendGrid\'s sample_updated_at, about 2 s after SendGrid accepted the refresh. It now has 12 contacts (2,345 before).',
      'Could not read Segment "Gamma" (s-3) (timeout); still waiting.',
      expect.stringMatching(/^Still waiting for 1 segment\(s\) after \d+\.\d s: "Gamma"$/),
      'Segment "Gamma" (s-3) refreshed and recomputed at 12:00:01 UTC by SendGrid\'s sample_updated_at. It now has 1,234 contacts.',
      ''
    ])
  })

  it('names each segment it still waits for, by name or by ID, and warns of a campaign due', async () => {
    const { client } = scripted({ 's-1': [notYet, landed], 's-2': [notYet, landed] })
    const flashSale = {
      id: 'c-1',
      name: 'Flash sale',
      status: 'scheduled',
      sendAt: new Date(Date.now() - 60_000).toISOString(),
      segmentIds: ['s-2'],
      listIds: [],
      all: false
    }
    await waitForRefreshes(
      client,
      settings(60_000),
      [sent('s-1', 'Alpha'), sent('s-2', null)],
      [flashSale]
    )
    const lines = stdout.text.split('\n')
    expect(lines).toContainEqual(
      expect.stringMatching(/^Still waiting for 2 segment\(s\) after \d+\.\d s: "Alpha", s-2$/)
    )
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^::warning title=Single Send due before its audience is fresh::Single Send "Flash sale" was due .*, and Segment s-2 is still recomputing: /
      )
    )
  })

  it('says a segment without a contact count has finished, without counting', async () => {
    const { client } = scripted({
      's-1': [segment({ sample_updated_at: '2026-11-27T12:00:01Z', contacts_count: 'many' })]
    })
    const refresh = { ...sent('s-1', 'Alpha'), acceptedAt: Date.parse('2026-11-27T12:00:01Z') }
    const [result] = await waitForRefreshes(client, settings(60_000), [refresh])
    expect(result.message).toBe(
      'Segment "Alpha" (s-1) refreshed (refresh job job-s-1) and recomputed at 12:00:01 UTC by SendGrid\'s sample_updated_at, about 0 s after SendGrid accepted the refresh.'
    )
  })

  it('keeps what has not landed when wait-timeout-seconds runs out refreshed, with an error not to send yet', async () => {
    const { client, reads } = scripted({ 's-1': [notYet], 's-2': [notYet] })
    const results = await waitForRefreshes(client, settings(1_400), [
      sent('s-1', 'Alpha'),
      sent('s-2', null, 'refreshed', null)
    ])
    expect(reads.length).toBeGreaterThan(2)
    expect(results.map((r) => [r.outcome, r.annotation, r.reason, r.message])).toEqual([
      [
        'refreshed',
        'error',
        'refresh accepted, but not recomputed within 1 s; do not send to it yet',
        'Segment "Alpha" (s-1): SendGrid accepted the refresh (refresh job job-s-1), but it had not finished after 1 s (wait-timeout-seconds). The segment may still be recomputing; do not send to it yet.'
      ],
      [
        'refreshed',
        'error',
        'refresh accepted, but not recomputed within 1 s; do not send to it yet',
        'Segment s-2: SendGrid accepted the refresh, but it had not finished after 1 s (wait-timeout-seconds). The segment may still be recomputing; do not send to it yet.'
      ]
    ])
    expect(stdout.text).toMatch(
      /^Waiting up to 1 s for 2 segment\(s\) to finish refreshing\.\.\.\n/
    )
  })

  it('polls about once per wait-interval-seconds, never faster, until the deadline', async () => {
    const { client, readAt } = scripted({ 's-1': [notYet] })
    const started = Date.now()
    await waitForRefreshes(
      client,
      { waitTimeoutMs: 1_000, waitIntervalMs: 200, timeZone: 'UTC' } as Settings,
      [sent('s-1', 'Alpha')]
    )
    // Polls at about 0.2, 0.4, 0.6 and 0.8 s (each up to 10% later), and one at the deadline.
    // A slow machine only stretches the gaps, so the bounds hold under load too.
    expect(readAt.length).toBeGreaterThanOrEqual(2)
    expect(readAt.length).toBeLessThanOrEqual(6)
    expect(readAt[0] - started).toBeGreaterThanOrEqual(195)
    // Every gap but the last, which the deadline may cut short.
    readAt.slice(1, -1).forEach((at, i) => expect(at - readAt[i]).toBeGreaterThanOrEqual(195))
    expect(readAt.at(-1)! - started).toBeGreaterThanOrEqual(950)
  })

  describe('a refresh accepted before this run, still recomputing', () => {
    const acceptedAt = Date.parse('2026-11-27T11:57:00Z')
    const earlier = (): EarlierRefresh => ({
      result: newResult('s-9', 'Newsletter', {
        outcome: 'rate_limited',
        httpStatus: null,
        annotation: null,
        reason: 'a refresh accepted at 11:57 UTC is still being recomputed',
        message: 'still recomputing'
      }),
      before: {
        contactsCount: 1000,
        lastRefreshedAt: '2026-11-27T11:57:00Z',
        sampleUpdatedAt: '2026-11-27T09:00:00Z'
      } as EarlierRefresh['before'],
      acceptedAt
    })
    const stillRecomputing = segment({
      last_refreshed_at: '2026-11-27T11:57:00Z',
      sample_updated_at: '2026-11-27T09:00:00Z',
      contacts_count: 1000
    })

    it('is waited for with no refresh spent, then fresh once the sample moves', async () => {
      const { client, reads } = scripted({
        's-9': [
          stillRecomputing,
          segment({
            last_refreshed_at: '2026-11-27T11:57:00Z',
            sample_updated_at: '2026-11-27T11:57:04Z',
            contacts_count: 1100
          })
        ]
      })
      const [result] = await waitForRefreshes(client, settings(60_000), [], [], undefined, [
        earlier()
      ])
      expect(reads).toEqual(['list', 's-9', 'list', 's-9'])
      expect(result).toMatchObject({
        outcome: 'fresh',
        recomputed: true,
        annotation: null,
        nextRefreshAt: null,
        contactsCount: 1100,
        contactsCountBefore: 1000,
        sampleUpdatedAt: '2026-11-27T11:57:04Z'
      })
      expect(isReady(result)).toBe(true)
      expect(result.reason).toMatch(
        /^recomputed at 11:57:04 UTC, after a refresh accepted at 11:57:00 UTC, before this run$/
      )
      expect(result.message).toMatch(
        /^Segment "Newsletter" \(s-9\) is fresh: recomputed at 11:57:04 UTC by SendGrid's sample_updated_at, after a refresh accepted at 11:57:00 UTC, before this run\. No refresh was sent, so no budget was spent\. It now has 1,100 contacts \(1,000 before\)\.$/
      )
      expect(stdout.text).toMatch(
        /^Waiting up to 60 s for 1 segment\(s\) to finish recomputing\.\.\.\n/
      )
    })

    it('stays rate-limited and not ready when the wait times out first', async () => {
      const { client } = scripted({ 's-9': [stillRecomputing] })
      const [result] = await waitForRefreshes(
        client,
        settings(300, { onRateLimit: 'fail' }),
        [],
        [],
        undefined,
        [earlier()]
      )
      expect(result).toMatchObject({
        outcome: 'rate_limited',
        annotation: 'error',
        reason:
          'a refresh accepted at 11:57 UTC is still being recomputed, not recomputed within 0 s; do not send to it yet'
      })
      expect(result.message).toBe(
        'Segment "Newsletter" (s-9): a refresh SendGrid accepted before this run had not finished recomputing after 0 s (wait-timeout-seconds). No refresh was sent, since SendGrid allows one an hour; do not send to it yet.'
      )
      const warned = await waitForRefreshes(client, settings(300), [], [], undefined, [earlier()])
      expect(warned[0].annotation).toBe('warning')
    })

    it('fails when the segment is deleted while waiting', async () => {
      const { client } = scripted({ 's-9': [httpStatus(404)] })
      const [result] = await waitForRefreshes(client, settings(60_000), [], [], undefined, [
        earlier()
      ])
      expect(result).toMatchObject({
        outcome: 'failed',
        annotation: 'error',
        reason: 'deleted while waiting for its recompute',
        message:
          'Segment "Newsletter" (s-9) was deleted while waiting for SendGrid to recompute it (reading it answered HTTP 404). No refresh was sent.'
      })
    })

    it('judges the change against the count read before it', async () => {
      const { client } = scripted({
        's-9': [
          segment({
            last_refreshed_at: '2026-11-27T11:57:00Z',
            sample_updated_at: '2026-11-27T11:58:00Z',
            contacts_count: 3000
          })
        ]
      })
      const [result] = await waitForRefreshes(
        client,
        settings(60_000, { maxContactsChangePercent: 50 }),
        [],
        [],
        undefined,
        [earlier()]
      )
      expect(result.outcome).toBe('fresh')
      expect(notReadyReason(result)).toBe('contacts_changed')
    })
  })

  describe('the audience guards on what the wait saw', () => {
    const before = {
      contactsCount: 1200,
      lastRefreshedAt: null,
      sampleUpdatedAt: '2026-11-27T06:00:00Z'
    } as SentRefresh['before']

    it('stops a recompute to 0 contacts under min-contacts, and one that tripled under max-contacts-change-percent', async () => {
      const { client } = scripted({
        's-1': [segment({ sample_updated_at: '2026-11-27T12:00:03Z', contacts_count: 0 })],
        's-2': [segment({ sample_updated_at: '2026-11-27T12:00:03Z', contacts_count: 3600 })],
        's-3': [segment({ sample_updated_at: '2026-11-27T12:00:03Z', contacts_count: 1440 })]
      })
      const refreshes = ['s-1', 's-2', 's-3'].map((id) => ({ ...sent(id, id), before }))
      const results = await waitForRefreshes(
        client,
        settings(60_000, { minContacts: 1, maxContactsChangePercent: 50, failUnlessReady: true }),
        refreshes
      )
      expect(
        results.map((r) => [r.outcome, r.recomputed, notReadyReason(r), r.annotation])
      ).toEqual([
        ['refreshed', true, 'too_few_contacts', 'error'],
        ['refreshed', true, 'contacts_changed', 'error'],
        ['refreshed', true, null, null]
      ])
      // The guard's words are logged as the recompute is seen.
      expect(stdout.text).toContain(
        'Segment "s-1" (s-1) has 0 contacts after its recompute, fewer than min-contacts (1): not ready.'
      )
    })
  })

  describe('recomputed-by', () => {
    // A SendGrid whose refresh never moves the sample, and writes last_refreshed_at on recompute.
    const before = {
      contactsCount: 10,
      lastRefreshedAt: '2026-11-27T08:00:00Z',
      sampleUpdatedAt: '2026-11-27T06:00:00Z'
    } as SentRefresh['before']
    const recomputed = segment({
      last_refreshed_at: '2026-11-27T12:00:02Z',
      sample_updated_at: '2026-11-27T06:00:00Z'
    })

    it('never ends the wait on last_refreshed_at by default', async () => {
      const { client } = scripted({ 's-1': [recomputed] })
      const [result] = await waitForRefreshes(client, settings(200), [
        { ...sent('s-1', 'Alpha'), before }
      ])
      expect(result.recomputed).toBe(false)
    })

    it('ends it on last_refreshed_at under recomputed-by: last_refreshed_at, and says so', async () => {
      const { client, reads } = scripted({ 's-1': [recomputed] })
      const [result] = await waitForRefreshes(
        client,
        settings(60_000, { recomputedBy: 'last_refreshed_at' }),
        [{ ...sent('s-1', 'Alpha'), before, acceptedAt: Date.parse('2026-11-27T12:00:00Z') }]
      )
      expect(result.recomputed).toBe(true)
      // The list has no refresh fields: each segment is read by ID.
      expect(reads).toEqual(['s-1'])
      // The summary says when; the log says which of SendGrid's fields showed it.
      expect(result.reason).toBe('recomputed at 12:00:02 UTC, 2 s after the refresh')
      expect(result.message).toContain(
        "recomputed at 12:00:02 UTC by SendGrid's last_refreshed_at, about 2 s after SendGrid accepted the refresh."
      )
    })
  })

  describe('one list read a round', () => {
    const listed = (id: string, fields: Record<string, unknown>) => ({
      id,
      name: `Listed ${id}`,
      contacts_count: 10,
      ...fields
    })

    it('reads every segment waited for from one list answer, keeping the refresh fields it lacks', async () => {
      const { client, reads } = scripted({}, [
        listOf([
          listed('S-1', { sample_updated_at: '2026-11-27T06:00:00Z' }),
          listed('s-2', { sample_updated_at: '2026-11-27T06:00:00Z' })
        ]),
        listOf([
          listed('S-1', { sample_updated_at: '2026-11-27T12:00:01Z', contacts_count: 40 }),
          listed('s-2', { sample_updated_at: '2026-11-27T06:00:00Z' })
        ]),
        listOf([listed('s-2', { sample_updated_at: '2026-11-27T12:00:03Z', contacts_count: 7 })])
      ])
      const first = { ...sent('s-1', 'Alpha'), acceptedAt: Date.parse('2026-11-27T12:00:00Z') }
      first.result = { ...first.result, refreshesUsed: 1, maxRefreshes: 2 }
      const second = { ...sent('s-2', 'Beta'), acceptedAt: Date.parse('2026-11-27T12:00:00Z') }
      const [a, b] = await waitForRefreshes(client, settings(60_000), [first, second])
      expect(reads).toEqual(['list', 'list', 'list'])
      expect(a).toMatchObject({
        recomputed: true,
        contactsCount: 40,
        refreshesUsed: 1,
        maxRefreshes: 2
      })
      expect(a.sampleUpdatedAt).toBe('2026-11-27T12:00:01Z')
      expect(b).toMatchObject({ recomputed: true, contactsCount: 7 })
    })

    it('loses a round, not a segment, when the list cannot be read, and says why once per segment', async () => {
      const { client, reads } = scripted({}, [
        httpStatus(503),
        listOf([listed('s-1', { sample_updated_at: '2026-11-27T12:00:01Z' })])
      ])
      const [result] = await waitForRefreshes(client, settings(60_000), [
        { ...sent('s-1', 'Alpha'), acceptedAt: Date.parse('2026-11-27T12:00:00Z') }
      ])
      expect(reads).toEqual(['list', 'list'])
      expect(result).toMatchObject({ outcome: 'refreshed', recomputed: true })
      expect(stdout.text).toContain(
        'Could not read Segment "Alpha" (s-1) (reading the segment list failed: HTTP 503); still waiting.'
      )
    })
  })
})
