import { describe, expect, it, jest } from '@jest/globals'
import type { Settings } from '../../src/inputs/settings.js'
import { newResult, refreshLimitsSentence } from '../../src/run/results.js'
import {
  freshnessVerdict,
  inProgressVerdict,
  invalidQueryVerdict,
  preflight,
  quotaVerdict
} from '../../src/stages/preflight.js'
import { tooLargeWords, type SegmentSnapshot } from '../../src/sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import type { Target } from '../../src/stages/targets.js'
import { captureStdout } from '../support/capture-stdout.js'

const segmentId = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const target = { segmentId, segmentName: 'VIP', singleSendIds: [], sendAt: null }
const now = Date.parse('2026-11-26T15:00:00Z')
const settings = { timeZone: 'Europe/Berlin', onRateLimit: 'warn' as const, freshWithinMs: 0 }

const snapshot = (fields: Partial<SegmentSnapshot>): SegmentSnapshot => ({
  name: 'VIP',
  contactsCount: 50,
  sampleUpdatedAt: '2026-11-26T09:00:00Z',
  refreshesUsed: 0,
  maxRefreshes: 2,
  lastRefreshedAt: null,
  createdAt: '2026-01-05T10:00:00Z',
  updatedAt: '2026-01-05T10:00:00Z',
  queryValidation: 'VALID',
  queryError: null,
  ...fields
})

describe('quotaVerdict', () => {
  it('lets a segment with quota left be refreshed', () => {
    expect(
      quotaVerdict(
        target,
        snapshot({ refreshesUsed: 1, lastRefreshedAt: '2026-11-26T13:59:59Z' }),
        settings,
        now
      )
    ).toBeNull()
  })

  it('lets a segment without quota fields be refreshed', () => {
    expect(
      quotaVerdict(target, snapshot({ refreshesUsed: null, maxRefreshes: null }), settings, now)
    ).toBeNull()
  })

  it('stops a segment whose daily refreshes are used up until midnight in the time zone', () => {
    const result = quotaVerdict(
      target,
      snapshot({ refreshesUsed: 2, lastRefreshedAt: '2026-11-26T10:00:00Z' }),
      settings,
      now
    )
    expect(result).toMatchObject({
      outcome: 'rate_limited',
      httpStatus: null,
      annotation: 'warning',
      refreshesUsed: 2,
      maxRefreshes: 2,
      contactsCount: 50,
      nextRefreshAt: '2026-11-26T23:00:00Z'
    })
    expect(result?.message).toContain('2 of 2 refreshes used today')
    expect(result?.message).toContain(
      'It can be refreshed again tomorrow at 00:00 Europe/Berlin, in 8 h.'
    )
    expect(result?.message).toContain('No refresh request was sent')
    expect(result?.reason).toBe(
      '2 of 2 refreshes used today; can be refreshed again tomorrow at 00:00 Europe/Berlin, in 8 h'
    )
  })

  it('stops a segment refreshed less than an hour ago until the hour is over', () => {
    const result = quotaVerdict(
      target,
      snapshot({ refreshesUsed: 1, lastRefreshedAt: '2026-11-26T14:20:00Z' }),
      settings,
      now
    )
    expect(result).toMatchObject({ outcome: 'rate_limited', nextRefreshAt: '2026-11-26T15:20:00Z' })
    expect(result?.message).toContain(
      'a refresh accepted at 15:20 Europe/Berlin, 40 minutes ago, and SendGrid allows one an hour'
    )
    expect(result?.message).toContain('again at 16:20 Europe/Berlin, in 20 minutes')
  })

  it('gives the later time when both limits apply', () => {
    const result = quotaVerdict(
      target,
      snapshot({ refreshesUsed: 2, lastRefreshedAt: '2026-11-26T22:50:00Z' }),
      settings,
      Date.parse('2026-11-26T22:55:00Z')
    )
    expect(result?.nextRefreshAt).toBe('2026-11-26T23:50:00Z')
  })

  it('makes a used-up quota an error under on-rate-limit: fail', () => {
    expect(
      quotaVerdict(
        target,
        snapshot({ refreshesUsed: 3 }),
        { ...settings, onRateLimit: 'fail' },
        now
      )?.annotation
    ).toBe('error')
  })
})

describe('invalidQueryVerdict', () => {
  it("fails a segment whose query is invalid, with SendGrid's message", () => {
    const result = invalidQueryVerdict(
      target,
      snapshot({ queryValidation: 'INVALID', queryError: 'unknown field foo' })
    )
    expect(result).toMatchObject({ outcome: 'failed', annotation: 'error' })
    expect(result?.message).toContain('SendGrid said: unknown field foo')
  })

  it('lets a pending or valid query be refreshed', () => {
    expect(invalidQueryVerdict(target, snapshot({ queryValidation: 'PENDING' }))).toBeNull()
    expect(invalidQueryVerdict(target, snapshot({}))).toBeNull()
  })
})

describe('freshnessVerdict', () => {
  const within = (
    minutes: number,
    recomputedBy: 'sample_updated_at' | 'last_refreshed_at' = 'sample_updated_at'
  ) => ({
    timeZone: 'Europe/Berlin',
    freshWithinMs: minutes * 60_000,
    recomputedBy
  })
  // now is 16:00 in Berlin.

  it('is fresh only when recomputed after the contacts landed, and says so', () => {
    const recomputed = snapshot({ sampleUpdatedAt: '2026-11-26T14:48:00Z' })
    const landed = (iso: string) => Date.parse(iso)
    const logged = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    expect(
      freshnessVerdict(target, recomputed, within(15), now, landed('2026-11-26T14:48:01Z'))
    ).toBeNull()
    expect(String(logged.mock.calls[0][0])).toBe(
      'Segment "VIP" (1588e03b-50aa-454a-97d1-e1530345a5ec) was recomputed at 15:48 Europe/Berlin, 12 minutes ago, before the contacts landed at 15:48 Europe/Berlin, 11 minutes ago: it is refreshed.\n'
    )
    logged.mockRestore()
    const fresh = freshnessVerdict(
      target,
      recomputed,
      within(15),
      now,
      landed('2026-11-26T14:48:00Z')
    )
    expect(fresh?.reason).toBe(
      'recomputed at 15:48 Europe/Berlin, 12 minutes ago, after the contacts landed'
    )
    expect(fresh?.message).toContain(
      "12 minutes ago, after the contacts landed (SendGrid's sample_updated_at; fresh-within-minutes: 15)."
    )
  })

  it('is not fresh when its conditions were edited after its last recompute, and says so', () => {
    const logged = jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const edited = snapshot({
      sampleUpdatedAt: '2026-11-26T14:40:00Z',
      lastRefreshedAt: '2026-11-26T12:20:00Z',
      updatedAt: '2026-11-26T14:40:01Z'
    })
    expect(freshnessVerdict(target, edited, within(60), now)).toBeNull()
    expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([
      'Segment "VIP" (1588e03b-50aa-454a-97d1-e1530345a5ec) is not fresh: its conditions were edited at 15:40 Europe/Berlin, 19 minutes ago, after it was last recomputed at 15:40 Europe/Berlin, 20 minutes ago: it is refreshed.\n'
    ])
    logged.mockRestore()
    const editedBefore = { ...edited, updatedAt: '2026-11-26T14:40:00Z' }
    expect(freshnessVerdict(target, editedBefore, within(60), now)?.outcome).toBe('fresh')
    // Recomputed after a refresh within the hour, but edited since: not fresh either.
    const refreshedBefore = { ...edited, lastRefreshedAt: '2026-11-26T14:30:00Z' }
    expect(freshnessVerdict(target, refreshedBefore, within(0), now)).toBeNull()
  })

  it("is fresh when SendGrid's recompute came within the window", () => {
    const result = freshnessVerdict(
      target,
      snapshot({ sampleUpdatedAt: '2026-11-26T14:48:00Z' }),
      within(15),
      now
    )
    expect(result).toMatchObject({
      outcome: 'fresh',
      annotation: null,
      httpStatus: null,
      sampleUpdatedAt: '2026-11-26T14:48:00Z',
      contactsCount: 50,
      reason: 'recomputed at 15:48 Europe/Berlin, 12 minutes ago'
    })
    expect(result?.message).toBe(
      'Segment "VIP" (1588e03b-50aa-454a-97d1-e1530345a5ec) is fresh: recomputed at 15:48 Europe/Berlin, 12 minutes ago (SendGrid\'s sample_updated_at; fresh-within-minutes: 15). No refresh was sent, so no budget was spent.'
    )
  })

  it('never takes a refresh accepted recently for a recompute, by default', () => {
    // last_refreshed_at 3 minutes ago, the sample 3 h ago: SendGrid is still recomputing.
    const accepted = snapshot({
      sampleUpdatedAt: '2026-11-26T12:00:00Z',
      lastRefreshedAt: '2026-11-26T14:57:00Z'
    })
    expect(freshnessVerdict(target, accepted, within(60), now)).toBeNull()
    // An older refresh and an old sample: neither is a recompute within the window.
    const old = snapshot({
      sampleUpdatedAt: '2026-11-26T09:00:00Z',
      lastRefreshedAt: '2026-11-26T14:45:00Z'
    })
    expect(freshnessVerdict(target, old, within(20), now)).toBeNull()
  })

  it('takes the later of the two fields under recomputed-by: last_refreshed_at', () => {
    const result = freshnessVerdict(
      target,
      snapshot({
        sampleUpdatedAt: '2026-11-26T09:00:00Z',
        lastRefreshedAt: '2026-11-26T13:45:00Z'
      }),
      within(120, 'last_refreshed_at'),
      now
    )
    expect(result?.reason).toBe('recomputed at 14:45 Europe/Berlin, 1 h 15 min ago')
    expect(result?.message).toContain("(SendGrid's last_refreshed_at; fresh-within-minutes: 120)")
    expect(
      freshnessVerdict(
        target,
        snapshot({
          sampleUpdatedAt: '2026-11-26T14:50:00Z',
          lastRefreshedAt: '2026-11-26T12:00:00Z'
        }),
        within(20, 'last_refreshed_at'),
        now
      )?.reason
    ).toBe('recomputed at 15:50 Europe/Berlin, 10 minutes ago')
  })

  it('is fresh when recomputed after a refresh within the hour, whatever fresh-within-minutes says', () => {
    const rerun = snapshot({
      sampleUpdatedAt: '2026-11-26T14:56:03Z',
      lastRefreshedAt: '2026-11-26T14:56:00Z'
    })
    for (const minutes of [0, 1]) {
      const result = freshnessVerdict(target, rerun, within(minutes), now)
      expect(result).toMatchObject({
        outcome: 'fresh',
        reason:
          'recomputed at 15:56 Europe/Berlin, 3 minutes ago, after a refresh accepted at 15:56 Europe/Berlin, 4 minutes ago'
      })
      expect(result?.message).toContain(
        "(SendGrid's sample_updated_at; SendGrid allows one refresh an hour, and this one has been recomputed)"
      )
    }
    // Within the window too: the window is named.
    expect(freshnessVerdict(target, rerun, within(5), now)?.message).toContain(
      'fresh-within-minutes: 5'
    )
    // Under recomputed-by: last_refreshed_at, that field is the recompute.
    expect(
      freshnessVerdict(
        target,
        snapshot({
          sampleUpdatedAt: '2026-11-26T09:00:00Z',
          lastRefreshedAt: '2026-11-26T14:56:00Z'
        }),
        within(0, 'last_refreshed_at'),
        now
      )?.outcome
    ).toBe('fresh')
    // An hour old: SendGrid would take another refresh, so only the window can make it fresh.
    const hourOld = snapshot({
      sampleUpdatedAt: '2026-11-26T14:00:03Z',
      lastRefreshedAt: '2026-11-26T14:00:00Z'
    })
    expect(freshnessVerdict(target, hourOld, within(0), now)).toBeNull()
  })

  it('counts the boundary itself as fresh, and a second past it as not', () => {
    const at = (iso: string) => snapshot({ sampleUpdatedAt: iso })
    expect(freshnessVerdict(target, at('2026-11-26T14:30:00Z'), within(30), now)?.outcome).toBe(
      'fresh'
    )
    expect(freshnessVerdict(target, at('2026-11-26T14:29:59Z'), within(30), now)).toBeNull()
    expect(freshnessVerdict(target, at('2026-11-26T14:59:00Z'), within(0.5), now)).toBeNull()
    expect(freshnessVerdict(target, at('2026-11-26T14:59:31Z'), within(0.5), now)?.outcome).toBe(
      'fresh'
    )
  })

  it('is off at 0, and never guesses when the timestamps are missing or unreadable', () => {
    expect(
      freshnessVerdict(
        target,
        snapshot({ sampleUpdatedAt: '2026-11-26T15:00:00Z' }),
        within(0),
        now
      )
    ).toBeNull()
    expect(
      freshnessVerdict(target, snapshot({ sampleUpdatedAt: null }), within(60), now)
    ).toBeNull()
    expect(
      freshnessVerdict(target, snapshot({ sampleUpdatedAt: 'yesterday' }), within(60), now)
    ).toBeNull()
  })
})

describe('inProgressVerdict', () => {
  const inProgress = snapshot({
    sampleUpdatedAt: '2026-11-26T12:00:00Z',
    lastRefreshedAt: '2026-11-26T14:57:00Z',
    refreshesUsed: 1
  })
  const base = {
    timeZone: 'Europe/Berlin',
    onRateLimit: 'warn' as const,
    recomputedBy: 'sample_updated_at' as const,
    wait: false
  }

  it('is rate-limited and not ready without wait, and says that wait would wait for it', () => {
    const verdict = inProgressVerdict(target, inProgress, base, now)
    expect(verdict?.waitFrom).toBeNull()
    expect(verdict?.result).toMatchObject({
      outcome: 'rate_limited',
      annotation: 'warning',
      nextRefreshAt: '2026-11-26T15:57:00Z',
      reason: 'a refresh accepted at 15:57 Europe/Berlin, 3 minutes ago is still being recomputed'
    })
    expect(verdict?.result.message).toBe(
      `Segment "VIP" (${segmentId}) was not refreshed: a refresh accepted at 15:57 Europe/Berlin, 3 minutes ago is still being recomputed (SendGrid's last_refreshed_at is later than its sample_updated_at), and SendGrid allows one refresh an hour. With wait: true the run waits for it. Do not send to it yet; it can be refreshed again at 16:57 Europe/Berlin, in 57 minutes.`
    )
    expect(
      inProgressVerdict(target, inProgress, { ...base, onRateLimit: 'fail' }, now)?.result
        .annotation
    ).toBe('error')
  })

  it('is waited for under wait, from its accept moment, with no annotation yet', () => {
    const verdict = inProgressVerdict(target, inProgress, { ...base, wait: true }, now)
    expect(verdict?.waitFrom).toBe(Date.parse('2026-11-26T14:57:00Z'))
    expect(verdict?.result.annotation).toBeNull()
    expect(verdict?.result.message).toContain(
      'The run waits for that recompute; no refresh is sent, so no budget is spent.'
    )
  })

  it('is not waited for when it was accepted before the contacts landed, and says why', () => {
    const landed = Date.parse('2026-11-26T14:58:00Z')
    const verdict = inProgressVerdict(target, inProgress, { ...base, wait: true }, now, landed)
    expect(verdict?.waitFrom).toBeNull()
    expect(verdict?.result.reason).toBe(
      'a refresh accepted at 15:57 Europe/Berlin, 3 minutes ago, before the contacts landed, is still being recomputed'
    )
    expect(verdict?.result.message).toContain(
      'That refresh was accepted before the contacts landed at 15:58 Europe/Berlin, 2 minutes ago, so it cannot be trusted to include them; it is not waited for.'
    )
    // Accepted after they landed: waited for.
    expect(
      inProgressVerdict(target, inProgress, { ...base, wait: true }, now, landed - 120_000)
        ?.waitFrom
    ).toBe(Date.parse('2026-11-26T14:57:00Z'))
  })

  it('gives the later limit as the next refresh, and is no state under recomputed-by: last_refreshed_at', () => {
    const allUsed = { ...inProgress, refreshesUsed: 2 }
    expect(inProgressVerdict(target, allUsed, base, now)?.result.nextRefreshAt).toBe(
      '2026-11-26T23:00:00Z'
    )
    expect(
      inProgressVerdict(target, inProgress, { ...base, recomputedBy: 'last_refreshed_at' }, now)
    ).toBeNull()
    expect(inProgressVerdict(target, snapshot({}), base, now)).toBeNull()
  })
})

describe('the words of a settled segment', () => {
  it('says an invalid query cannot be computed, with and without SendGrid message', () => {
    const withError = invalidQueryVerdict(
      target,
      snapshot({ queryValidation: 'INVALID', queryError: 'unknown field foo' })
    )
    expect(withError).toMatchObject({
      outcome: 'failed',
      httpStatus: null,
      annotation: 'error',
      contactsCount: 50,
      reason: 'its query is invalid, so SendGrid cannot compute it',
      message: `Segment "VIP" (${segmentId}) was not refreshed: its query is invalid, so SendGrid cannot compute it. Fix the segment's conditions in SendGrid. SendGrid said: unknown field foo No refresh request was sent.`
    })
    expect(invalidQueryVerdict(target, snapshot({ queryValidation: 'INVALID' }))?.message).toBe(
      `Segment "VIP" (${segmentId}) was not refreshed: its query is invalid, so SendGrid cannot compute it. Fix the segment's conditions in SendGrid. No refresh request was sent.`
    )
  })

  it('names every limit in force and the time the last one lifts', () => {
    const result = quotaVerdict(
      target,
      snapshot({ refreshesUsed: 2, lastRefreshedAt: '2026-11-26T22:50:00Z' }),
      settings,
      Date.parse('2026-11-26T22:55:00Z')
    )
    expect(result?.reason).toBe(
      'a refresh accepted at 23:50 Europe/Berlin, 5 minutes ago, and SendGrid allows one an hour; can be refreshed again tomorrow at 00:50 Europe/Berlin, in 55 minutes'
    )
    expect(result?.message).toBe(
      `Segment "VIP" (${segmentId}) was not refreshed: its refresh limit is used up (2 of 2 refreshes used today; a refresh accepted at 23:50 Europe/Berlin, 5 minutes ago, and SendGrid allows one an hour). ${refreshLimitsSentence}. It can be refreshed again tomorrow at 00:50 Europe/Berlin, in 55 minutes. No refresh request was sent, so no budget was spent.`
    )
  })

  it('lets the midnight decide when it is later than the hour', () => {
    const result = quotaVerdict(
      target,
      snapshot({ refreshesUsed: 2, lastRefreshedAt: '2026-11-26T14:30:00Z' }),
      settings,
      now
    )
    expect(result?.nextRefreshAt).toBe('2026-11-26T23:00:00Z')
    expect(result?.reason).toMatch(/^2 of 2 refreshes used today; can be refreshed again/)
    const dailyOnly = quotaVerdict(target, snapshot({ refreshesUsed: 2 }), settings, now)
    expect(dailyOnly?.message).toBe(
      `Segment "VIP" (${segmentId}) was not refreshed: its refresh limit is used up (2 of 2 refreshes used today). ${refreshLimitsSentence}. It can be refreshed again tomorrow at 00:00 Europe/Berlin, in 8 h. No refresh request was sent, so no budget was spent.`
    )
  })

  it('counts the quota as used up only when all of it is used', () => {
    expect(quotaVerdict(target, snapshot({ refreshesUsed: 1 }), settings, now)).toBeNull()
    expect(quotaVerdict(target, snapshot({ refreshesUsed: 2 }), settings, now)?.outcome).toBe(
      'rate_limited'
    )
    expect(
      quotaVerdict(target, snapshot({ refreshesUsed: 2, maxRefreshes: null }), settings, now)
    ).toBeNull()
    expect(
      quotaVerdict(target, snapshot({ refreshesUsed: null, maxRefreshes: 0 }), settings, now)
    ).toBeNull()
  })

  it('lets a segment refreshed exactly an hour ago be refreshed', () => {
    expect(
      quotaVerdict(target, snapshot({ lastRefreshedAt: '2026-11-26T14:00:00Z' }), settings, now)
    ).toBeNull()
    expect(
      quotaVerdict(target, snapshot({ lastRefreshedAt: '2026-11-26T14:00:01Z' }), settings, now)
        ?.nextRefreshAt
    ).toBe('2026-11-26T15:00:01Z')
  })
})

describe('preflight', () => {
  const stdout = captureStdout()
  const ids = ['s-1', 's-2', 's-3', 's-4', 's-5', 's-6']
  const segmentBody = (fields: Record<string, unknown>) =>
    JSON.stringify({
      name: 'Read name',
      contacts_count: 50,
      sample_updated_at: '2026-11-26T09:00:00Z',
      refreshes_used: 0,
      max_refreshes: 2,
      status: { query_validation: 'VALID' },
      ...fields
    })
  const ok = (fields: Record<string, unknown> = {}): ApiResult => ({
    kind: 'response',
    status: 200,
    headers: {},
    body: segmentBody(fields),
    attempts: 1,
    lostEarlierAttempt: false
  })
  const status = (code: number, extra = {}, body = ''): ApiResult => ({
    kind: 'response',
    status: code,
    headers: {},
    body,
    attempts: 1,
    lostEarlierAttempt: false,
    ...extra
  })
  const clientAnswering = (answers: Record<string, ApiResult>) => {
    const read: string[] = []
    const client = {
      getSegment: async (id: string) => {
        read.push(id)
        return answers[id]
      }
    } as unknown as SendGridClient
    return { client, read }
  }
  const targetsFor = (count: number, name: string | null = null): Target[] =>
    ids
      .slice(0, count)
      .map((id) => ({ segmentId: id, segmentName: name, singleSendIds: [], sendAt: null }))
  const base = {
    checkQuota: false,
    wait: false,
    freshWithinMs: 0,
    timeZone: 'Europe/Berlin',
    onRateLimit: 'warn' as const,
    recomputedBy: 'sample_updated_at' as const,
    minContacts: 0,
    maxContactsChangePercent: null,
    failUnlessReady: false
  }
  const run = (settings: Partial<typeof base>, client: SendGridClient, targets: Target[]) =>
    preflight(client, { ...base, ...settings } as Settings, targets, null, () => now)

  it('fails a segment the rate limit kept from being read, and spends no refresh on it', async () => {
    const limited = status(429, { rateLimited: { times: 3, waitedMs: 2500 } })
    const { client } = clientAnswering({ 's-1': limited, 's-2': ok(), 's-3': status(503) })
    const targets = targetsFor(3, 'VIP')
    const { settled, toRefresh } = await run({ freshWithinMs: 60_000 }, client, targets)
    expect(toRefresh.map((p) => p.target.segmentId)).toEqual(['s-2', 's-3'])
    expect(settled).toEqual([
      expect.objectContaining({
        segmentId: 's-1',
        outcome: 'failed',
        httpStatus: null,
        annotation: 'error',
        reason:
          "SendGrid's rate limit kept it from being read (HTTP 429, after waiting 2.5 s for it 3 times); no refresh spent",
        message:
          'Segment "VIP" (s-1) was not refreshed: SendGrid\'s rate limit for requests, which every integration on the account shares, kept refusing to read it (HTTP 429, after waiting 2.5 s for it 3 times; read-limit-wait-seconds). A refresh sent unread could be spent on an audience that needs none, so none was sent and no budget was spent. Run again when the account is less busy, or raise read-limit-wait-seconds.'
      })
    ])
  })

  it('reads nothing when no check needs a read', async () => {
    const { client, read } = clientAnswering({})
    const targets = targetsFor(2)
    const result = await run({}, client, targets)
    expect(read).toEqual([])
    expect(result).toEqual({
      toRefresh: targets.map((target) => ({ target, before: null })),
      settled: [],
      recomputing: []
    })
  })

  it.each([
    ['wait', { wait: true }],
    ['fresh-within-minutes', { freshWithinMs: 60_000 }],
    ['check-quota', { checkQuota: true }]
  ])('reads every segment for %s, and learns names it was not given', async (_, settings) => {
    const { client, read } = clientAnswering({ 's-1': ok(), 's-2': ok({ name: 'Other' }) })
    const targets = [...targetsFor(1), { ...targetsFor(2, 'Given')[1] }]
    const result = await run(settings, client, targets)
    expect(read).toEqual(['s-1', 's-2'])
    expect(result.settled).toEqual([])
    expect(result.toRefresh.map((planned) => planned.before?.contactsCount)).toEqual([50, 50])
    expect(targets.map((t) => t.segmentName)).toEqual(['Read name', 'Given'])
  })

  it('applies the quota and query checks only under check-quota, and freshness only when asked', async () => {
    const answers = {
      's-1': ok({ status: { query_validation: 'INVALID' } }),
      's-2': ok({ refreshes_used: 2 }),
      's-3': ok({ sample_updated_at: '2026-11-26T14:59:00Z' }),
      's-4': ok()
    }
    const outcomes = async (settings: Partial<typeof base>) => {
      const { settled, toRefresh } = await run(
        settings,
        clientAnswering(answers).client,
        targetsFor(4)
      )
      return {
        settled: settled.map((r) => `${r.segmentId} ${r.outcome}`),
        toRefresh: toRefresh.map((planned) => planned.target.segmentId)
      }
    }
    expect(await outcomes({ wait: true })).toEqual({
      settled: [],
      toRefresh: ['s-1', 's-2', 's-3', 's-4']
    })
    expect(await outcomes({ freshWithinMs: 5 * 60_000 })).toEqual({
      settled: ['s-3 fresh'],
      toRefresh: ['s-1', 's-2', 's-4']
    })
    expect(await outcomes({ checkQuota: true })).toEqual({
      settled: ['s-1 failed', 's-2 rate_limited'],
      toRefresh: ['s-3', 's-4']
    })
    expect(await outcomes({ checkQuota: true, freshWithinMs: 5 * 60_000 })).toEqual({
      settled: ['s-1 failed', 's-2 rate_limited', 's-3 fresh'],
      toRefresh: ['s-4']
    })
  })

  it('sends no refresh for a refresh in progress: waits for it under wait, else rate-limits it', async () => {
    const answers = {
      's-1': ok({ last_refreshed_at: '2026-11-26T14:57:00Z', refreshes_used: 1 }),
      's-2': ok()
    }
    const waiting = await run(
      { checkQuota: true, wait: true },
      clientAnswering(answers).client,
      targetsFor(2)
    )
    expect(waiting.toRefresh.map((planned) => planned.target.segmentId)).toEqual(['s-2'])
    expect(waiting.settled.map((r) => [r.segmentId, r.outcome])).toEqual([['s-1', 'rate_limited']])
    expect(waiting.recomputing).toEqual([
      {
        result: waiting.settled[0],
        before: expect.objectContaining({ lastRefreshedAt: '2026-11-26T14:57:00Z' }),
        acceptedAt: Date.parse('2026-11-26T14:57:00Z')
      }
    ])
    // Judged whenever the segment is read, under check-quota or not.
    for (const settings of [{ checkQuota: true }, { freshWithinMs: 60 * 60_000 }]) {
      const alone = await run(settings, clientAnswering(answers).client, targetsFor(2))
      expect(alone.recomputing).toEqual([])
      expect(alone.settled.map((r) => [r.segmentId, r.outcome, r.annotation])).toEqual([
        ['s-1', 'rate_limited', 'warning']
      ])
    }
  })

  it('holds a fresh segment to min-contacts', async () => {
    const answers = {
      's-1': ok({ sample_updated_at: '2026-11-26T14:59:00Z', contacts_count: 0 }),
      's-2': ok({ sample_updated_at: '2026-11-26T14:59:00Z', contacts_count: 1 })
    }
    const { settled } = await run(
      { freshWithinMs: 5 * 60_000, minContacts: 1 },
      clientAnswering(answers).client,
      targetsFor(2, 'VIP')
    )
    expect(settled.map((r) => [r.outcome, r.audienceProblem?.kind ?? null, r.annotation])).toEqual([
      ['fresh', 'too_few_contacts', 'warning'],
      ['fresh', null, null]
    ])
  })

  it('checks the query first, then freshness, then the quota', async () => {
    const recent = '2026-11-26T14:59:00Z'
    const answers = {
      's-1': ok({ status: { query_validation: 'INVALID' }, sample_updated_at: recent }),
      's-2': ok({ refreshes_used: 2, sample_updated_at: recent })
    }
    const { settled } = await run(
      { checkQuota: true, freshWithinMs: 5 * 60_000 },
      clientAnswering(answers).client,
      targetsFor(2)
    )
    expect(settled.map((r) => r.outcome)).toEqual(['failed', 'fresh'])
  })

  it('settles a segment that reading shows does not exist, under check-quota only', async () => {
    const answers = { 's-1': status(404) }
    const { settled, toRefresh } = await run(
      { checkQuota: true },
      clientAnswering(answers).client,
      targetsFor(1, 'VIP')
    )
    expect(toRefresh).toEqual([])
    expect(settled).toEqual([
      newResult('s-1', 'VIP', {
        outcome: 'failed',
        httpStatus: null,
        annotation: 'error',
        reason: 'the segment does not exist in this SendGrid account (HTTP 404)',
        message:
          'Segment "VIP" (s-1) was not refreshed: the segment does not exist in this SendGrid account (reading it answered HTTP 404). Check the ID, the data-residency region and on-behalf-of. No refresh request was sent.'
      })
    ])
    expect(stdout.text).toBe('')

    const withoutQuota = await run({ wait: true }, clientAnswering(answers).client, targetsFor(1))
    expect(withoutQuota.settled).toEqual([])
    expect(withoutQuota.toRefresh).toHaveLength(1)
  })

  it('refreshes anyway when a read fails, and says why once per reason', async () => {
    const answers: Record<string, ApiResult> = {
      's-1': {
        kind: 'no-response',
        reason: 'timeout',
        detail: 'no answer within 30 s',
        attempts: 3,
        lostEarlierAttempt: false
      },
      's-2': status(403),
      's-3': status(403),
      's-4': status(200, { tooLarge: true }),
      's-5': status(200, {}, '["not a segment"]'),
      's-6': status(500)
    }
    const result = await run({ checkQuota: true }, clientAnswering(answers).client, [
      ...targetsFor(6),
      { segmentId: 's-6', segmentName: null, singleSendIds: [], sendAt: null }
    ])
    expect(result.settled).toEqual([])
    expect(result.toRefresh.map((planned) => planned.before)).toEqual(Array(7).fill(null))
    expect(stdout.text).toBe(
      `::notice title=Pre-flight skipped::The quota pre-flight was skipped for some segments, which are refreshed anyway: reading the segment failed (timeout: no answer within 30 s); this API key may not read segments (HTTP 403); the answer to reading the segment was ${tooLargeWords}; SendGrid answered the read with a body that is not a segment; reading the segment failed (HTTP 500).\n`
    )
  })

  it.each([
    ['check-quota', { checkQuota: true }],
    ['wait', { wait: true }]
  ])(
    'ends the run before any refresh when a read answers 401 (%s): the key is the problem',
    async (_, settings) => {
      const { client, read } = clientAnswering({ 's-1': ok(), 's-2': status(401) })
      const result = await run(settings, client, targetsFor(2, 'VIP'))
      expect(read).toEqual(['s-1', 's-2'])
      expect(result.toRefresh).toEqual([])
      expect(result.settled.map((r) => [r.segmentId, r.outcome, r.annotation])).toEqual([
        ['s-1', 'failed', 'error'],
        ['s-2', 'failed', 'error']
      ])
      expect(result.settled[0].reason).toBe(
        'SendGrid rejected the API key (HTTP 401 on reading the segment)'
      )
      expect(result.settled[1].message).toBe(
        'Segment "VIP" (s-2) was not refreshed: SendGrid rejected the API key; it is wrong, expired or revoked. Check the api-key secret (reading the segment answered HTTP 401). No refresh request was sent.'
      )
      expect(stdout.text).toBe('')
    }
  )

  it('notes a segment created less than 30 minutes ago, and refreshes it as asked', async () => {
    const { client } = clientAnswering({
      's-1': ok({ created_at: '2026-11-26T14:31:00Z' }),
      's-2': ok({ created_at: '2026-11-26T14:30:00Z' })
    })
    const result = await run({ wait: true }, client, targetsFor(2, 'VIP'))
    expect(result.toRefresh.map((planned) => planned.target.segmentId)).toEqual(['s-1', 's-2'])
    expect(stdout.text).toBe(
      '::notice title=New segment::Segment "VIP" (s-1) was created at 15:31 Europe/Berlin, 29 minutes ago: SendGrid says segments built on engagement data take about 30 minutes to begin populating, so its count may still grow.\n'
    )
  })

  it.each([
    [{ freshWithinMs: 60_000 }, 'The freshness check was skipped'],
    [{ freshWithinMs: 60_000, wait: true }, 'The freshness check was skipped'],
    [{ wait: true }, 'The pre-refresh read was skipped']
  ])('names the check that was skipped (%j)', async (settings, what) => {
    await run(settings, clientAnswering({ 's-1': status(500) }).client, targetsFor(1))
    expect(stdout.text).toBe(
      `::notice title=Pre-flight skipped::${what} for some segments, which are refreshed anyway: reading the segment failed (HTTP 500).\n`
    )
  })
})
