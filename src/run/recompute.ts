// The one notion of "SendGrid recomputed it". A finished recompute moves sample_updated_at: counts
// and samples are recomputed together. last_refreshed_at is SendGrid's record of the manual
// refreshes it accepted (it drives the hourly limit), so it counts as a recompute only where the
// live check measured that it is written when the recompute ends (`recomputed-by`).
import { parseTime } from '../time/human-time.js'
import { nextHourlyRefresh } from '../time/refresh-times.js'
import type { SegmentSnapshot } from '../sendgrid/answers.js'

/** Which field of SendGrid's shows a finished recompute; `recomputed-by`. */
export type RecomputedBy = 'sample_updated_at' | 'last_refreshed_at'

export const recomputedByChoices = ['sample_updated_at', 'last_refreshed_at'] as const

type Times = Pick<SegmentSnapshot, 'sampleUpdatedAt' | 'lastRefreshedAt'>

const fieldOf = {
  sample_updated_at: 'sampleUpdatedAt',
  last_refreshed_at: 'lastRefreshedAt'
} as const

/** A time SendGrid wrote, as ms; a missing or unreadable one is -Infinity, before every moment. */
const moment = (iso: string | null): number => parseTime(iso) ?? -Infinity

/**
 * SendGrid's last recompute as read (ms) and the field that shows it: sample_updated_at, or under
 * `recomputed-by: last_refreshed_at` the later of the two fields.
 */
export function lastRecompute(
  segment: Times,
  by: RecomputedBy
): { at: number; field: RecomputedBy } | null {
  const sample = moment(segment.sampleUpdatedAt)
  const refresh = by === 'last_refreshed_at' ? moment(segment.lastRefreshedAt) : -Infinity
  const at = Math.max(sample, refresh)
  if (at === -Infinity) return null
  return { at, field: refresh >= sample ? 'last_refreshed_at' : 'sample_updated_at' }
}

/** The same as SendGrid wrote it, for the `recomputed_at` output. */
export function lastRecomputeIso(segment: Times, by: RecomputedBy): string | null {
  const last = lastRecompute(segment, by)
  if (!last) return null
  return last.field === 'last_refreshed_at' ? segment.lastRefreshedAt : segment.sampleUpdatedAt
}

/** When SendGrid accepted a manual refresh less than an hour ago (ms), or -Infinity. */
function refreshWithinTheHour(segment: Times, now: number): number {
  const accepted = moment(segment.lastRefreshedAt)
  return nextHourlyRefresh(accepted) > now ? accepted : -Infinity
}

/**
 * A refresh SendGrid accepted within the hour and has not finished recomputing: its accept moment
 * (ms), or null. Under `recomputed-by: last_refreshed_at` that field is the recompute, so there is
 * no such state.
 */
export function refreshInProgress(segment: Times, by: RecomputedBy, now: number): number | null {
  if (by === 'last_refreshed_at') return null
  const accepted = refreshWithinTheHour(segment, now)
  return accepted > moment(segment.sampleUpdatedAt) ? accepted : null
}

/**
 * A manual refresh accepted within the hour that SendGrid has since recomputed: its accept moment
 * (ms), or null. SendGrid would refuse another refresh, and the audience is as fresh as one can make it.
 */
export function recomputedAfterRecentRefresh(
  segment: Times,
  by: RecomputedBy,
  now: number
): number | null {
  const accepted = refreshWithinTheHour(segment, now)
  if (accepted === -Infinity) return null
  if (by === 'last_refreshed_at') return accepted
  return moment(segment.sampleUpdatedAt) >= accepted ? accepted : null
}

/** What the wait compares a read with: the segment before the refresh, and when it was accepted. */
export interface RecomputeBaseline {
  /** The segment as read before the refresh; null when that read failed or was not made. */
  before: Times | null
  /** When SendGrid accepted the refresh (SendGrid's clock: its Date header, whole seconds). */
  acceptedAt: number | null
  /** When this run sent the refresh (the runner's clock); null for a refresh accepted before it. */
  sentAt: number | null
}

/**
 * The recompute a read shows after a refresh (ms), or null while it shows none. The chosen field
 * must be later than before the refresh (or set where none was) and at or after the accept: SendGrid's
 * clock against SendGrid's own, so a runner whose clock is off cannot end the wait early or never.
 * Only without a read before the refresh and without a Date header is the runner's clock used: the
 * moment the refresh was sent, to SendGrid's whole seconds.
 */
export function recomputeSeen(
  now: Times,
  baseline: RecomputeBaseline,
  by: RecomputedBy
): number | null {
  const key = fieldOf[by]
  const after = moment(now[key])
  const before = baseline.before ? moment(baseline.before[key]) : -Infinity
  const floor =
    baseline.acceptedAt ??
    (baseline.before || baseline.sentAt === null
      ? -Infinity
      : Math.floor(baseline.sentAt / 1000) * 1000)
  return after > before && after >= floor ? after : null
}
