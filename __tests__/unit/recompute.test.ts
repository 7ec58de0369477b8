// The one notion of "SendGrid recomputed it": sample_updated_at, and last_refreshed_at only under
// recomputed-by: last_refreshed_at.
import { describe, expect, it } from '@jest/globals'
import {
  lastRecompute,
  lastRecomputeIso,
  recomputedAfterRecentRefresh,
  recomputeSeen,
  refreshInProgress
} from '../../src/run/recompute.js'

const now = Date.parse('2026-11-26T15:00:00Z')
const times = (lastRefreshedAt: string | null, sampleUpdatedAt: string | null) => ({
  lastRefreshedAt,
  sampleUpdatedAt
})

describe('lastRecompute', () => {
  it('is sample_updated_at by default, whatever last_refreshed_at says', () => {
    const read = times('2026-11-26T14:57:00Z', '2026-11-26T12:00:00Z')
    expect(lastRecompute(read, 'sample_updated_at')).toEqual({
      at: Date.parse('2026-11-26T12:00:00Z'),
      field: 'sample_updated_at'
    })
    expect(lastRecomputeIso(read, 'sample_updated_at')).toBe('2026-11-26T12:00:00Z')
    expect(lastRecompute(times('2026-11-26T14:57:00Z', null), 'sample_updated_at')).toBeNull()
    expect(lastRecomputeIso(times('2026-11-26T14:57:00Z', null), 'sample_updated_at')).toBeNull()
    expect(lastRecompute(times(null, 'soon'), 'sample_updated_at')).toBeNull()
  })

  it('is the later of the two fields under recomputed-by: last_refreshed_at', () => {
    const at = (lastRefreshedAt: string | null, sampleUpdatedAt: string | null) =>
      lastRecomputeIso(times(lastRefreshedAt, sampleUpdatedAt), 'last_refreshed_at')
    expect(at('2026-11-26T08:00:00Z', '2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:00Z')
    expect(at('2026-11-26T10:00:00Z', '2026-11-26T09:00:00Z')).toBe('2026-11-26T10:00:00Z')
    expect(at(null, '2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:00Z')
    expect(at('2026-11-26T10:00:00Z', null)).toBe('2026-11-26T10:00:00Z')
    expect(at('2026-11-26T10:00:00Z', 'soon')).toBe('2026-11-26T10:00:00Z')
    expect(at('soon', '2026-11-26T09:00:00Z')).toBe('2026-11-26T09:00:00Z')
    // The same moment written twice: last_refreshed_at is named.
    expect(
      lastRecompute(times('2026-11-26T10:00:00Z', '2026-11-26T10:00:00.000Z'), 'last_refreshed_at')
        ?.field
    ).toBe('last_refreshed_at')
    expect(at(null, null)).toBeNull()
  })
})

describe('a refresh in progress', () => {
  it('is a refresh accepted less than an hour ago, later than the sample or with none', () => {
    const accepted = Date.parse('2026-11-26T14:57:00Z')
    expect(
      refreshInProgress(
        times('2026-11-26T14:57:00Z', '2026-11-26T12:00:00Z'),
        'sample_updated_at',
        now
      )
    ).toBe(accepted)
    expect(refreshInProgress(times('2026-11-26T14:57:00Z', null), 'sample_updated_at', now)).toBe(
      accepted
    )
    // Recomputed since, at the same second or later: done.
    expect(
      refreshInProgress(
        times('2026-11-26T14:57:00Z', '2026-11-26T14:57:00Z'),
        'sample_updated_at',
        now
      )
    ).toBeNull()
    // An hour old: SendGrid would take a new refresh, so it is no longer in progress for the action.
    expect(
      refreshInProgress(
        times('2026-11-26T14:00:00Z', '2026-11-26T12:00:00Z'),
        'sample_updated_at',
        now
      )
    ).toBeNull()
    expect(
      refreshInProgress(
        times('2026-11-26T14:00:01Z', '2026-11-26T12:00:00Z'),
        'sample_updated_at',
        now
      )
    ).toBe(Date.parse('2026-11-26T14:00:01Z'))
    expect(
      refreshInProgress(times(null, '2026-11-26T12:00:00Z'), 'sample_updated_at', now)
    ).toBeNull()
  })

  it('does not exist under recomputed-by: last_refreshed_at', () => {
    expect(
      refreshInProgress(
        times('2026-11-26T14:57:00Z', '2026-11-26T12:00:00Z'),
        'last_refreshed_at',
        now
      )
    ).toBeNull()
  })
})

describe('recomputed after a refresh within the hour', () => {
  it('needs the sample at or after a refresh accepted less than an hour ago', () => {
    const after = (lastRefreshedAt: string | null, sampleUpdatedAt: string | null) =>
      recomputedAfterRecentRefresh(
        times(lastRefreshedAt, sampleUpdatedAt),
        'sample_updated_at',
        now
      )
    expect(after('2026-11-26T14:56:00Z', '2026-11-26T14:56:03Z')).toBe(
      Date.parse('2026-11-26T14:56:00Z')
    )
    expect(after('2026-11-26T14:56:00Z', '2026-11-26T14:56:00Z')).toBe(
      Date.parse('2026-11-26T14:56:00Z')
    )
    expect(after('2026-11-26T14:56:00Z', '2026-11-26T14:55:59Z')).toBeNull()
    expect(after('2026-11-26T14:56:00Z', null)).toBeNull()
    expect(after('2026-11-26T14:00:00Z', '2026-11-26T14:00:05Z')).toBeNull()
    expect(after(null, '2026-11-26T14:56:00Z')).toBeNull()
  })

  it('is any refresh within the hour under recomputed-by: last_refreshed_at', () => {
    expect(
      recomputedAfterRecentRefresh(
        times('2026-11-26T14:56:00Z', '2026-11-26T09:00:00Z'),
        'last_refreshed_at',
        now
      )
    ).toBe(Date.parse('2026-11-26T14:56:00Z'))
    expect(
      recomputedAfterRecentRefresh(times('2026-11-26T13:59:00Z', null), 'last_refreshed_at', now)
    ).toBeNull()
  })
})

describe('recomputeSeen', () => {
  const sentAt = Date.parse('2026-11-26T15:00:00.700Z')
  const acceptedAt = Date.parse('2026-11-26T15:00:00Z')
  const before = times('2026-11-26T15:00:00Z', '2026-11-26T09:00:00Z')

  it('by default, ends only when the sample moves, never on last_refreshed_at alone', () => {
    const baseline = { before: times(null, '2026-11-26T09:00:00Z'), acceptedAt, sentAt }
    // last_refreshed_at written at the accept: the recompute is still running.
    expect(recomputeSeen(before, baseline, 'sample_updated_at')).toBeNull()
    expect(
      recomputeSeen(
        times('2026-11-26T15:00:00Z', '2026-11-26T15:00:03Z'),
        baseline,
        'sample_updated_at'
      )
    ).toBe(Date.parse('2026-11-26T15:00:03Z'))
  })

  it('needs the field later than before the refresh, and at or after the accept', () => {
    const baseline = { before, acceptedAt, sentAt }
    expect(recomputeSeen(times(null, '2026-11-26T15:00:00Z'), baseline, 'sample_updated_at')).toBe(
      acceptedAt
    )
    // SendGrid's own schedule moved the sample between the read and the accept: not this refresh.
    expect(
      recomputeSeen(times(null, '2026-11-26T14:59:59Z'), baseline, 'sample_updated_at')
    ).toBeNull()
    expect(
      recomputeSeen(
        times(null, '2026-11-26T09:00:00Z'),
        { ...baseline, acceptedAt: null },
        'sample_updated_at'
      )
    ).toBeNull()
    expect(recomputeSeen(times(null, null), baseline, 'sample_updated_at')).toBeNull()
  })

  it('compares SendGrid with SendGrid: a Date header behind the runner still ends the wait', () => {
    const behind = Date.parse('2026-11-26T14:59:55Z')
    const baseline = { before: times(null, '2026-11-26T09:00:00Z'), acceptedAt: behind, sentAt }
    expect(recomputeSeen(times(null, '2026-11-26T14:59:56Z'), baseline, 'sample_updated_at')).toBe(
      Date.parse('2026-11-26T14:59:56Z')
    )
  })

  it('without a Date header, only the read before counts; a sample set where none was counts', () => {
    const baseline = { before: times(null, null), acceptedAt: null, sentAt }
    expect(recomputeSeen(times(null, '2026-11-26T08:00:00Z'), baseline, 'sample_updated_at')).toBe(
      Date.parse('2026-11-26T08:00:00Z')
    )
    const ahead = { before: times(null, '2026-11-26T15:00:04Z'), acceptedAt: null, sentAt }
    // SendGrid 5 s ahead: its unchanged value is later than sentAt, but not than before.
    expect(
      recomputeSeen(times(null, '2026-11-26T15:00:04Z'), ahead, 'sample_updated_at')
    ).toBeNull()
  })

  it('without a read before, needs the field at or after the accept, or else the second it was sent', () => {
    const accepted = { before: null, acceptedAt, sentAt }
    expect(recomputeSeen(times(null, '2026-11-26T15:00:00Z'), accepted, 'sample_updated_at')).toBe(
      acceptedAt
    )
    expect(
      recomputeSeen(times(null, '2026-11-26T14:59:59Z'), accepted, 'sample_updated_at')
    ).toBeNull()
    const sentOnly = { before: null, acceptedAt: null, sentAt }
    expect(recomputeSeen(times(null, '2026-11-26T15:00:00Z'), sentOnly, 'sample_updated_at')).toBe(
      acceptedAt
    )
    expect(
      recomputeSeen(times(null, '2026-11-26T14:59:59Z'), sentOnly, 'sample_updated_at')
    ).toBeNull()
    // A refresh accepted before the run has no moment it was sent: its accept moment decides.
    const earlier = { before: null, acceptedAt: null, sentAt: null }
    expect(recomputeSeen(times(null, '2026-11-26T14:59:59Z'), earlier, 'sample_updated_at')).toBe(
      Date.parse('2026-11-26T14:59:59Z')
    )
  })

  it('compares only last_refreshed_at, the same way, under recomputed-by: last_refreshed_at', () => {
    const baseline = {
      before: times('2026-11-26T10:00:00Z', '2026-11-26T09:00:00Z'),
      acceptedAt,
      sentAt
    }
    expect(
      recomputeSeen(
        times('2026-11-26T10:00:00Z', '2026-11-26T15:00:03Z'),
        baseline,
        'last_refreshed_at'
      )
    ).toBeNull()
    expect(
      recomputeSeen(
        times('2026-11-26T15:00:02Z', '2026-11-26T09:00:00Z'),
        baseline,
        'last_refreshed_at'
      )
    ).toBe(Date.parse('2026-11-26T15:00:02Z'))
    expect(
      recomputeSeen(
        times('2026-11-26T14:59:00Z', '2026-11-26T09:00:00Z'),
        baseline,
        'last_refreshed_at'
      )
    ).toBeNull()
  })
})
