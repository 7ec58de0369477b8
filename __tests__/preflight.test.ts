import { describe, expect, it } from '@jest/globals'
import { freshnessVerdict, invalidQueryVerdict, quotaVerdict } from '../src/preflight.js'
import type { SegmentSnapshot } from '../src/sendgrid-answers.js'
import { hasLanded } from '../src/wait.js'

const segmentId = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const target = { segmentId, segmentName: 'VIP', singleSendIds: [], sendAt: null }
const now = Date.parse('2026-11-26T15:00:00Z')
const settings = { timeZone: 'Europe/Berlin', onRateLimit: 'warn' as const }

const snapshot = (fields: Partial<SegmentSnapshot>): SegmentSnapshot => ({
  name: 'VIP',
  contactsCount: 50,
  sampleUpdatedAt: '2026-11-26T09:00:00Z',
  refreshesUsed: 0,
  maxRefreshes: 2,
  lastRefreshedAt: null,
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
      'last refreshed at 15:20 Europe/Berlin, 40 minutes ago, and SendGrid allows one an hour'
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
  const within = (minutes: number) => ({
    timeZone: 'Europe/Berlin',
    freshWithinMs: minutes * 60_000
  })
  // now is 16:00 in Berlin.

  it("is fresh when SendGrid's schedule recomputed the segment within the window", () => {
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
      reason: "recomputed by SendGrid's schedule at 15:48 Europe/Berlin, 12 minutes ago"
    })
    expect(result?.message).toBe(
      'Segment "VIP" (1588e03b-50aa-454a-97d1-e1530345a5ec) is fresh: recomputed by SendGrid\'s schedule at 15:48 Europe/Berlin, 12 minutes ago (fresh-within-minutes: 15). No refresh was sent, so no budget was spent.'
    )
  })

  it('is fresh by a manual refresh when that is the later of the two', () => {
    const result = freshnessVerdict(
      target,
      snapshot({
        sampleUpdatedAt: '2026-11-26T09:00:00Z',
        lastRefreshedAt: '2026-11-26T14:45:00Z'
      }),
      within(20),
      now
    )
    expect(result?.reason).toBe(
      'recomputed by a manual refresh at 15:45 Europe/Berlin, 15 minutes ago'
    )
  })

  it('takes the later timestamp, whichever field it is in', () => {
    const result = freshnessVerdict(
      target,
      snapshot({
        sampleUpdatedAt: '2026-11-26T14:50:00Z',
        lastRefreshedAt: '2026-11-26T12:00:00Z'
      }),
      within(20),
      now
    )
    expect(result?.reason).toMatch(/^recomputed by SendGrid's schedule at 15:50/)
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

describe('hasLanded', () => {
  const sentAt = Date.parse('2026-11-26T15:00:00.700Z')
  it('is true once last_refreshed_at reaches the second the refresh was sent', () => {
    expect(
      hasLanded(snapshot({ lastRefreshedAt: '2026-11-26T15:00:00Z' }), { sentAt, before: null })
    ).toBe(true)
    expect(
      hasLanded(snapshot({ lastRefreshedAt: '2026-11-26T14:59:59Z' }), { sentAt, before: null })
    ).toBe(false)
  })

  it('falls back to a change of sample_updated_at', () => {
    const before = snapshot({ sampleUpdatedAt: '2026-11-26T09:00:00Z' })
    expect(
      hasLanded(snapshot({ sampleUpdatedAt: '2026-11-26T09:00:00Z' }), { sentAt, before })
    ).toBe(false)
    expect(
      hasLanded(snapshot({ sampleUpdatedAt: '2026-11-26T15:00:03Z' }), { sentAt, before })
    ).toBe(true)
  })

  it('without a baseline, needs sample_updated_at after the refresh was sent', () => {
    expect(
      hasLanded(snapshot({ sampleUpdatedAt: '2026-11-26T09:00:00Z' }), { sentAt, before: null })
    ).toBe(false)
    expect(
      hasLanded(snapshot({ sampleUpdatedAt: '2026-11-26T15:00:01Z' }), { sentAt, before: null })
    ).toBe(true)
    expect(hasLanded(snapshot({ sampleUpdatedAt: null }), { sentAt, before: null })).toBe(false)
  })
})
