// Reads each segment before refreshing it, so the scarce refresh budget (2 per segment and 10 per
// account a day) is only spent when the refresh is needed and can succeed. It never makes a refresh
// that would have worked fail, nor skips one on a guess: when the read fails, the refresh goes ahead,
// except when SendGrid's rate limit refused the read: a busy account is no reason to spend budget.
import { checkAudience } from '../run/audience-guards.js'
import { describeInstant, parseTime } from '../time/human-time.js'
import type { Settings } from '../inputs/settings.js'
import { log } from '../report/log.js'
import {
  accessProblem,
  newResult,
  refreshLimitsSentence,
  segmentLabel,
  withSnapshot,
  type SegmentResult
} from '../run/results.js'
import { lastRecompute, recomputedAfterRecentRefresh, refreshInProgress } from '../run/recompute.js'
import { isoSeconds, nextHourlyRefresh, nextMidnight } from '../time/refresh-times.js'
import type { Target } from './targets.js'
import type { ApiResult, SendGridClient } from '../sendgrid/client.js'
import {
  readLimitWait,
  segmentIn,
  tooLargeWords,
  type SegmentSnapshot
} from '../sendgrid/answers.js'
import { newSegmentNote } from '../time/segment-age.js'

export interface PlannedRefresh {
  target: Target
  /** The segment as read before the refresh; null when it was not read. */
  before: SegmentSnapshot | null
}

/** A refresh SendGrid accepted before this run and is still recomputing, for `wait` to watch. */
export interface EarlierRefresh {
  /** The segment's result until the recompute shows: rate-limited, not ready. */
  result: SegmentResult
  /** The segment as read by the pre-flight. */
  before: SegmentSnapshot
  /** When SendGrid accepted that refresh: its last_refreshed_at (ms). */
  acceptedAt: number
}

export interface Preflight {
  toRefresh: PlannedRefresh[]
  /** Segments whose outcome is known without sending a refresh. */
  settled: SegmentResult[]
  /** Segments with an earlier refresh still recomputing, to wait for (only with `wait`). */
  recomputing: EarlierRefresh[]
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
    return {
      toRefresh: targets.map((target) => ({ target, before: null })),
      settled: [],
      recomputing: []
    }
  }
  const reads = await Promise.all(targets.map((target) => client.getSegment(target.segmentId)))
  // The same key would be refused for every refresh: spend nothing.
  if (reads.some((answer) => answer.kind === 'response' && answer.status === 401)) {
    return { toRefresh: [], settled: targets.map(keyRejected), recomputing: [] }
  }

  const toRefresh: PlannedRefresh[] = []
  const settled: SegmentResult[] = []
  const recomputing: EarlierRefresh[] = []
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
      const verdict = verdictOf(target, before, settings, at, contactsLandedAt)
      if (verdict && verdict.waitFrom !== null)
        recomputing.push({ result: verdict.result, before, acceptedAt: verdict.waitFrom })
      if (verdict) settled.push(verdict.result)
      else toRefresh.push({ target, before })
    } else if (answer.kind === 'response' && answer.status === 429) {
      // Refreshing unread would spend the scarce budget because the account is busy.
      settled.push(readLimited(target, answer))
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
  return { toRefresh, settled, recomputing }
}

/**
 * What the read settles, in this order: a query SendGrid cannot compute, a refresh still
 * recomputing, fresh (then the audience guards), a used-up quota; null when the refresh is sent.
 */
function verdictOf(
  target: Target,
  before: SegmentSnapshot,
  settings: Settings,
  now: number,
  contactsLandedAt: number | null
): { result: SegmentResult; waitFrom: number | null } | null {
  const invalid = settings.checkQuota ? invalidQueryVerdict(target, before) : null
  if (invalid) return { result: invalid, waitFrom: null }
  const inProgress = inProgressVerdict(target, before, settings, now, contactsLandedAt)
  if (inProgress) return inProgress
  const fresh = freshnessVerdict(target, before, settings, now, contactsLandedAt)
  const result =
    (fresh && checkAudience(fresh, settings)) ??
    (settings.checkQuota ? quotaVerdict(target, before, settings, now) : null)
  return result && { result, waitFrom: null }
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

/** A segment SendGrid's rate limit kept from being read, for as long as a read may wait. */
function readLimited(target: Target, answer: ApiResult): SegmentResult {
  const label = segmentLabel(target.segmentId, target.segmentName)
  const waited = readLimitWait(answer)
  return newResult(target.segmentId, target.segmentName, {
    outcome: 'failed',
    httpStatus: null,
    annotation: 'error',
    reason: `SendGrid's rate limit kept it from being read (HTTP 429${waited}); no refresh spent`,
    message: `${label} was not refreshed: SendGrid's rate limit for requests, which every integration on the account shares, kept refusing to read it (HTTP 429${waited}; read-limit-wait-seconds). A refresh sent unread could be spent on an audience that needs none, so none was sent and no budget was spent. Run again when the account is less busy, or raise read-limit-wait-seconds.`
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
 * `fresh` when SendGrid's last recompute (see recompute.ts) came within `fresh-within-minutes`, or
 * after a manual refresh accepted within the hour (SendGrid would refuse another), and after the
 * segment's conditions were last edited (updated_at) and the contacts of this run's contact jobs
 * landed; else null.
 */
export function freshnessVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'freshWithinMs' | 'recomputedBy'>,
  now: number,
  contactsLandedAt: number | null = null
): SegmentResult | null {
  const last = lastRecompute(segment, settings.recomputedBy)
  if (!last) return null
  const afterRefresh = recomputedAfterRecentRefresh(segment, settings.recomputedBy, now)
  const inWindow = settings.freshWithinMs > 0 && now - last.at <= settings.freshWithinMs
  if (!inWindow && afterRefresh === null) return null

  const label = segmentLabel(target.segmentId, target.segmentName)
  const describe = (instant: number): string => describeInstant(instant, settings.timeZone, now)
  // SendGrid: counts "don't update immediately when segment criteria are modified". That updated_at
  // moves only on such an edit (not on a rename or a recompute) is not measured yet: the live check
  // records it.
  const edited = parseTime(segment.updatedAt)
  if (edited !== null && edited > last.at) {
    log.info(
      `${label} is not fresh: its conditions were edited ${describe(edited)}, after it was last recomputed ${describe(last.at)}: it is refreshed.`
    )
    return null
  }
  const when = `recomputed ${describe(last.at)}${afterRefresh === null ? '' : `, after a refresh accepted ${describe(afterRefresh)}`}`
  if (contactsLandedAt !== null && last.at < contactsLandedAt) {
    log.info(
      `${label} was ${when}, before the contacts landed ${describe(contactsLandedAt)}: it is refreshed.`
    )
    return null
  }
  const after = contactsLandedAt === null ? '' : ', after the contacts landed'
  const rule = inWindow
    ? `; fresh-within-minutes: ${settings.freshWithinMs / 60_000}`
    : '; SendGrid allows one refresh an hour, and this one has been recomputed'
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'fresh',
    httpStatus: null,
    annotation: null,
    reason: `${when}${after}`,
    message: `${label} is fresh: ${when}${after} (SendGrid's ${last.field}${rule}). No refresh was sent, so no budget was spent.`
  })
  return withSnapshot(result, segment)
}

/**
 * A refresh SendGrid accepted within the hour and is still recomputing: no refresh is sent (SendGrid
 * would refuse one), and the segment is rate-limited, not ready. Under `wait` the run waits for
 * that recompute from its accept moment (`waitFrom`), unless the refresh was accepted before the
 * contacts landed.
 */
export function inProgressVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'onRateLimit' | 'recomputedBy' | 'wait'>,
  now: number,
  contactsLandedAt: number | null = null
): { result: SegmentResult; waitFrom: number | null } | null {
  const accepted = refreshInProgress(segment, settings.recomputedBy, now)
  if (accepted === null) return null
  const describe = (instant: number): string => describeInstant(instant, settings.timeZone, now)
  const until = refreshLimits(segment, settings.timeZone, now).reduce((a, b) =>
    b.until > a.until ? b : a
  ).until
  const beforeContacts = contactsLandedAt !== null && accepted < contactsLandedAt
  const waitFor = settings.wait && !beforeContacts
  const still = `a refresh accepted ${describe(accepted)} is still being recomputed (SendGrid's last_refreshed_at is later than its sample_updated_at)`
  const then = beforeContacts
    ? ` That refresh was accepted before the contacts landed ${describe(contactsLandedAt)}, so it cannot be trusted to include them; it is not waited for. Do not send to it yet; it can be refreshed again ${describe(until)}.`
    : waitFor
      ? ' The run waits for that recompute; no refresh is sent, so no budget is spent.'
      : ` With wait: true the run waits for it. Do not send to it yet; it can be refreshed again ${describe(until)}.`
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'rate_limited',
    httpStatus: null,
    annotation: waitFor ? null : settings.onRateLimit === 'fail' ? 'error' : 'warning',
    nextRefreshAt: isoSeconds(until),
    reason: beforeContacts
      ? `a refresh accepted ${describe(accepted)}, before the contacts landed, is still being recomputed`
      : `a refresh accepted ${describe(accepted)} is still being recomputed`,
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: ${still}, and SendGrid allows one refresh an hour.${then}`
  })
  return { result: withSnapshot(result, segment), waitFrom: waitFor ? accepted : null }
}

/** A result when the read shows the refresh limit is used up; null when the refresh can be sent. */
export function quotaVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'onRateLimit'>,
  now: number
): SegmentResult | null {
  // Each limit in force, with when it lifts; the one that lifts last decides.
  const limits = refreshLimits(segment, settings.timeZone, now)
  if (limits.length === 0) return null
  const decisive = limits.reduce((a, b) => (b.until > a.until ? b : a))
  const nextPossible = decisive.until
  const reasons = limits.map((limit) => limit.why)

  const next = describeInstant(nextPossible, settings.timeZone, now)
  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'rate_limited',
    httpStatus: null,
    annotation: settings.onRateLimit === 'fail' ? 'error' : 'warning',
    nextRefreshAt: isoSeconds(nextPossible),
    reason: `${decisive.why}; can be refreshed again ${next}`,
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: its refresh limit is used up (${reasons.join('; ')}). ${refreshLimitsSentence}. It can be refreshed again ${next}. No refresh request was sent, so no budget was spent.`
  })
  return withSnapshot(result, segment)
}

/** Each refresh limit in force by what the read shows, with when it lifts. */
function refreshLimits(
  segment: SegmentSnapshot,
  timeZone: string,
  now: number
): Array<{ why: string; until: number }> {
  const limits: Array<{ why: string; until: number }> = []
  if (
    segment.refreshesUsed !== null &&
    segment.maxRefreshes !== null &&
    segment.refreshesUsed >= segment.maxRefreshes
  ) {
    limits.push({
      why: `${segment.refreshesUsed} of ${segment.maxRefreshes} refreshes used today`,
      until: nextMidnight(now, timeZone)
    })
  }
  const lastRefreshed = parseTime(segment.lastRefreshedAt)
  if (lastRefreshed !== null && nextHourlyRefresh(lastRefreshed) > now) {
    limits.push({
      why: `a refresh accepted ${describeInstant(lastRefreshed, timeZone, now)}, and SendGrid allows one an hour`,
      until: nextHourlyRefresh(lastRefreshed)
    })
  }
  return limits
}
