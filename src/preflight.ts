// Reads each segment before refreshing it, so the scarce refresh budget (2 per segment and 10 per
// account a day) is only spent when the refresh is needed and can succeed. It never makes a refresh
// that would have worked fail, nor skips one on a guess: when the read fails, the refresh goes ahead.
import { describeInstant, parseTime } from './human-time.js'
import type { Settings } from './inputs.js'
import { log } from './log.js'
import {
  accessProblem,
  newResult,
  refreshLimitsSentence,
  segmentLabel,
  withSnapshot,
  type SegmentResult
} from './outcomes.js'
import { isoSeconds, nextHourlyRefresh, nextMidnight } from './refresh-times.js'
import type { Target } from './targets.js'
import type { ApiResult, SendGridClient } from './sendgrid-client.js'
import { segmentIn, tooLargeWords, type SegmentSnapshot } from './sendgrid-answers.js'
import { newSegmentNote } from './segment-age.js'

export interface PlannedRefresh {
  target: Target
  /** The segment as read before the refresh; null when it was not read. */
  before: SegmentSnapshot | null
}

export interface Preflight {
  toRefresh: PlannedRefresh[]
  /** Segments whose outcome is known without sending a refresh. */
  settled: SegmentResult[]
}

/**
 * Reads every target (for `check-quota`, `fresh-within-minutes`, and `wait`'s baseline), then settles
 * those that need no refresh or cannot get one.
 */
export async function preflight(
  client: SendGridClient,
  settings: Settings,
  targets: Target[],
  contactsLandedAt: number | null = null,
  now: () => number = Date.now
): Promise<Preflight> {
  if (!settings.checkQuota && !settings.wait && settings.freshWithinMs === 0) {
    return { toRefresh: targets.map((target) => ({ target, before: null })), settled: [] }
  }
  const reads = await Promise.all(targets.map((target) => client.getSegment(target.segmentId)))
  // The same key would be refused for every refresh: spend nothing.
  if (reads.some((answer) => answer.kind === 'response' && answer.status === 401)) {
    return { toRefresh: [], settled: targets.map(keyRejected) }
  }

  const toRefresh: PlannedRefresh[] = []
  const settled: SegmentResult[] = []
  const skipReasons = new Set<string>()
  targets.forEach((target, index) => {
    const answer = reads[index]
    const before = segmentIn(answer)
    if (before) {
      target.segmentName ??= before.name
      const at = now()
      const note = newSegmentNote(
        segmentLabel(target.segmentId, target.segmentName),
        before.createdAt,
        settings.timeZone,
        at
      )
      if (note) log.notice(note, { title: 'New segment' })
      const verdict =
        (settings.checkQuota ? invalidQueryVerdict(target, before) : null) ??
        freshnessVerdict(target, before, settings, at, contactsLandedAt) ??
        (settings.checkQuota ? quotaVerdict(target, before, settings, at) : null)
      if (verdict) settled.push(verdict)
      else toRefresh.push({ target, before })
    } else if (settings.checkQuota && answer.kind === 'response' && answer.status === 404) {
      settled.push(
        newResult(target.segmentId, target.segmentName, {
          outcome: 'failed',
          httpStatus: null,
          annotation: 'error',
          reason: 'the segment does not exist in this SendGrid account (HTTP 404)',
          message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: the segment does not exist in this SendGrid account (reading it answered HTTP 404). Check the ID, the data-residency region and on-behalf-of. No refresh request was sent.`
        })
      )
    } else {
      skipReasons.add(skipReason(answer))
      toRefresh.push({ target, before: null })
    }
  })

  if (skipReasons.size > 0) {
    const what = settings.checkQuota
      ? 'The quota pre-flight was skipped'
      : settings.freshWithinMs > 0
        ? 'The freshness check was skipped'
        : 'The pre-refresh read was skipped'
    log.notice(
      `${what} for some segments, which are refreshed anyway: ${[...skipReasons].join('; ')}.`,
      { title: 'Pre-flight skipped' }
    )
  }
  return { toRefresh, settled }
}

function keyRejected(target: Target): SegmentResult {
  const { reason, advice } = accessProblem(401)!
  return newResult(target.segmentId, target.segmentName, {
    outcome: 'failed',
    httpStatus: null,
    annotation: 'error',
    reason: `${reason} (HTTP 401 on reading the segment)`,
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: ${reason}${advice} (reading the segment answered HTTP 401). No refresh request was sent.`
  })
}

function skipReason(answer: ApiResult): string {
  if (answer.kind === 'no-response')
    return `reading the segment failed (${answer.reason}: ${answer.detail})`
  if (answer.status === 403) return `this API key may not read segments (HTTP 403)`
  if (answer.tooLarge) return `the answer to reading the segment was ${tooLargeWords}`
  if (answer.status === 200) return 'SendGrid answered the read with a body that is not a segment'
  return `reading the segment failed (HTTP ${answer.status})`
}

/** A failure when SendGrid cannot compute the segment at all: a refresh would be spent in vain. */
export function invalidQueryVerdict(
  target: Target,
  segment: SegmentSnapshot
): SegmentResult | null {
  if (segment.queryValidation !== 'INVALID') return null
  const said = segment.queryError ? ` SendGrid said: ${segment.queryError}` : ''
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'failed',
    httpStatus: null,
    annotation: 'error',
    reason: 'its query is invalid, so SendGrid cannot compute it',
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: its query is invalid, so SendGrid cannot compute it. Fix the segment's conditions in SendGrid.${said} No refresh request was sent.`
  })
  return withSnapshot(result, segment)
}

/**
 * `fresh` when SendGrid recomputed the segment within `fresh-within-minutes`, on its own schedule
 * (sample_updated_at) or by a manual refresh (last_refreshed_at), whichever is later, after its
 * conditions were last edited (updated_at), and after the contacts of this run's contact jobs
 * landed; else null.
 */
export function freshnessVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'freshWithinMs'>,
  now: number,
  contactsLandedAt: number | null = null
): SegmentResult | null {
  if (settings.freshWithinMs <= 0) return null
  const scheduled = parseTime(segment.sampleUpdatedAt)
  const manual = parseTime(segment.lastRefreshedAt)
  const recomputedAt = Math.max(scheduled ?? -Infinity, manual ?? -Infinity)
  if (!Number.isFinite(recomputedAt) || now - recomputedAt > settings.freshWithinMs) return null

  const label = segmentLabel(target.segmentId, target.segmentName)
  // SendGrid: counts "don't update immediately when segment criteria are modified". That updated_at
  // moves only on such an edit (not on a rename or a recompute) is not measured yet: the live check
  // records it.
  const edited = parseTime(segment.updatedAt)
  if (edited !== null && edited > recomputedAt) {
    log.info(
      `${label} is not fresh: its conditions were edited ${describeInstant(edited, settings.timeZone, now)}, after it was last recomputed ${describeInstant(recomputedAt, settings.timeZone, now)}: it is refreshed.`
    )
    return null
  }
  const how =
    manual !== null && manual >= recomputedAt ? 'by a manual refresh' : "by SendGrid's schedule"
  const when = `recomputed ${how} ${describeInstant(recomputedAt, settings.timeZone, now)}`
  if (contactsLandedAt !== null && recomputedAt < contactsLandedAt) {
    log.info(
      `${label} was ${when}, before the contacts landed ${describeInstant(contactsLandedAt, settings.timeZone, now)}: it is refreshed.`
    )
    return null
  }
  const after = contactsLandedAt === null ? '' : ', after the contacts landed'
  const window = settings.freshWithinMs / 60_000
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'fresh',
    httpStatus: null,
    annotation: null,
    reason: `${when}${after}`,
    message: `${label} is fresh: ${when}${after} (fresh-within-minutes: ${window}). No refresh was sent, so no budget was spent.`
  })
  return withSnapshot(result, segment)
}

/** A result when the read shows the refresh limit is used up; null when the refresh can be sent. */
export function quotaVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'onRateLimit' | 'freshWithinMs'>,
  now: number
): SegmentResult | null {
  // Each limit in force, with when it lifts; the one that lifts last decides.
  const limits: Array<{ why: string; until: number }> = []
  if (
    segment.refreshesUsed !== null &&
    segment.maxRefreshes !== null &&
    segment.refreshesUsed >= segment.maxRefreshes
  ) {
    limits.push({
      why: `${segment.refreshesUsed} of ${segment.maxRefreshes} refreshes used today`,
      until: nextMidnight(now, settings.timeZone)
    })
  }
  const lastRefreshed = parseTime(segment.lastRefreshedAt)
  const hourly = lastRefreshed !== null && nextHourlyRefresh(lastRefreshed) > now
  if (hourly) {
    limits.push({
      why: `last refreshed ${describeInstant(lastRefreshed, settings.timeZone, now)}, and SendGrid allows one an hour`,
      until: nextHourlyRefresh(lastRefreshed)
    })
  }
  if (limits.length === 0) return null
  const decisive = limits.reduce((a, b) => (b.until > a.until ? b : a))
  const nextPossible = decisive.until
  const reasons = limits.map((limit) => limit.why)

  const next = describeInstant(nextPossible, settings.timeZone, now)
  // A plain re-run, minutes after the last one: what a re-run should have said is "fresh".
  const rerun =
    hourly && settings.freshWithinMs === 0
      ? ' If this is a re-run, set fresh-within-minutes (for example 60): a segment recomputed that recently then counts as fresh, with no refresh and no warning.'
      : ''
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'rate_limited',
    httpStatus: null,
    annotation: settings.onRateLimit === 'fail' ? 'error' : 'warning',
    nextRefreshAt: isoSeconds(nextPossible),
    reason: `${decisive.why}; can be refreshed again ${next}`,
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: its refresh limit is used up (${reasons.join('; ')}). ${refreshLimitsSentence}. It can be refreshed again ${next}. No refresh request was sent, so no budget was spent.${rerun}`
  })
  return withSnapshot(result, segment)
}
