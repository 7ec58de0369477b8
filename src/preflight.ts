// Reads each segment before refreshing it, so the scarce refresh budget (2 per segment and 10 per
// account a day) is only spent when the refresh can succeed. It never makes a refresh that would
// have worked fail: when the read itself fails, the refresh goes ahead.
import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import {
  newResult,
  refreshLimitsSentence,
  segmentLabel,
  withSnapshot,
  type SegmentResult
} from './outcomes.js'
import type { Target } from './refresh.js'
import { isoSeconds, localTime, nextHourlyRefresh, nextMidnight } from './refresh-times.js'
import {
  segmentIn,
  type ApiResult,
  type SegmentSnapshot,
  type SendGridClient
} from './sendgrid-client.js'

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

/** Reads every target (for `check-quota`, and for `wait`'s baseline) and applies the quota rules. */
export async function preflight(
  client: SendGridClient,
  settings: Settings,
  targets: Target[],
  now: () => number = Date.now
): Promise<Preflight> {
  if (!settings.checkQuota && !settings.wait) {
    return { toRefresh: targets.map((target) => ({ target, before: null })), settled: [] }
  }
  const reads = await Promise.all(targets.map((target) => client.getSegment(target.segmentId)))

  const toRefresh: PlannedRefresh[] = []
  const settled: SegmentResult[] = []
  const skipReasons = new Set<string>()
  targets.forEach((target, index) => {
    const answer = reads[index]
    const before = segmentIn(answer)
    if (before) {
      target.segmentName ??= before.name
      const verdict = settings.checkQuota ? quotaVerdict(target, before, settings, now()) : null
      if (verdict) settled.push(verdict)
      else toRefresh.push({ target, before })
    } else if (settings.checkQuota && answer.kind === 'response' && answer.status === 404) {
      settled.push(
        newResult(target.segmentId, target.segmentName, {
          outcome: 'failed',
          httpStatus: null,
          annotation: 'error',
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
      : 'The pre-refresh read was skipped'
    core.notice(
      `${what} for some segments, which are refreshed anyway: ${[...skipReasons].join('; ')}.`,
      { title: 'Pre-flight skipped' }
    )
  }
  return { toRefresh, settled }
}

function skipReason(answer: ApiResult): string {
  if (answer.kind === 'no-response')
    return `reading the segment failed (${answer.reason}: ${answer.detail})`
  if (answer.status === 401 || answer.status === 403) {
    return `this API key may not read segments (HTTP ${answer.status})`
  }
  if (answer.status === 200) return 'SendGrid answered the read with a body that is not a segment'
  return `reading the segment failed (HTTP ${answer.status})`
}

/** A result when the read shows the refresh cannot succeed now; null when it should be sent. */
export function quotaVerdict(
  target: Target,
  segment: SegmentSnapshot,
  settings: Pick<Settings, 'timeZone' | 'onRateLimit'>,
  now: number
): SegmentResult | null {
  const label = segmentLabel(target.segmentId, target.segmentName)

  if (segment.queryValidation === 'INVALID') {
    const said = segment.queryError ? ` SendGrid said: ${segment.queryError}` : ''
    const result = newResult(target.segmentId, target.segmentName, {
      outcome: 'failed',
      httpStatus: null,
      annotation: 'error',
      message: `${label} was not refreshed: its query is invalid, so SendGrid cannot compute it. Fix the segment's conditions in SendGrid.${said} No refresh request was sent.`
    })
    return withSnapshot(result, segment)
  }

  const reasons: string[] = []
  let nextPossible = 0
  const dailyUsed =
    segment.refreshesUsed !== null &&
    segment.maxRefreshes !== null &&
    segment.refreshesUsed >= segment.maxRefreshes
  if (dailyUsed) {
    reasons.push(`${segment.refreshesUsed} of ${segment.maxRefreshes} refreshes used today`)
    nextPossible = nextMidnight(now, settings.timeZone)
  }
  const lastRefreshed = segment.lastRefreshedAt ? Date.parse(segment.lastRefreshedAt) : NaN
  if (!Number.isNaN(lastRefreshed) && nextHourlyRefresh(lastRefreshed) > now) {
    reasons.push(`last refreshed at ${isoSeconds(lastRefreshed)}, less than an hour ago`)
    nextPossible = Math.max(nextPossible, nextHourlyRefresh(lastRefreshed))
  }
  if (reasons.length === 0) return null

  const result = newResult(target.segmentId, target.segmentName, {
    outcome: 'rate_limited',
    httpStatus: null,
    annotation: settings.onRateLimit === 'fail' ? 'error' : 'warning',
    nextRefreshAt: isoSeconds(nextPossible),
    message: `${label} was not refreshed: its refresh limit is used up (${reasons.join('; ')}). ${refreshLimitsSentence}. The next refresh is possible at ${isoSeconds(nextPossible)} (${localTime(nextPossible, settings.timeZone)}). No refresh request was sent, so no budget was spent.`
  })
  return withSnapshot(result, segment)
}
