// One run never asks for more refreshes than the account can grant in a day: SendGrid allows 10 per
// account, so segments past the tenth are rate-limited here, without a request.
import type { Settings } from '../inputs/settings.js'
import { describeInstant } from '../time/human-time.js'
import {
  newResult,
  refreshLimitsSentence,
  segmentLabel,
  type SegmentResult
} from '../run/results.js'
import { isoSeconds, nextMidnight } from '../time/refresh-times.js'
import { inRefreshOrder, type Target } from './targets.js'

/** SendGrid's account-wide maximum of manual refreshes a day (reset at 00:00 UTC). */
export const accountDailyRefreshLimit = 10

/**
 * Splits what the pre-flight left to refresh into what this run sends (in refresh order, at most
 * the account's daily maximum) and what it cannot.
 */
export function withinRunBudget<T extends { target: Target }>(
  planned: T[],
  targets: Target[],
  settings: Pick<Settings, 'timeZone' | 'onRateLimit'>,
  now: number
): { send: T[]; overBudget: SegmentResult[] } {
  const ordered = inRefreshOrder(planned, targets)
  const send = ordered.slice(0, accountDailyRefreshLimit)
  const over = ordered.slice(accountDailyRefreshLimit)
  if (over.length === 0) return { send, overBudget: [] }
  const accountReset = nextMidnight(now, 'UTC')
  const resetWhen = describeInstant(accountReset, settings.timeZone, now)
  const overBudget = over.map(({ target }) =>
    newResult(target.segmentId, target.segmentName, {
      outcome: 'rate_limited',
      httpStatus: null,
      annotation: settings.onRateLimit === 'fail' ? 'error' : 'warning',
      nextRefreshAt: isoSeconds(accountReset),
      reason: `over the account's limit of ${accountDailyRefreshLimit} refreshes a day; resets ${resetWhen}`,
      message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: this run already sends ${accountDailyRefreshLimit} refreshes, the most SendGrid allows one account in a day. ${refreshLimitsSentence}. The account's count resets ${resetWhen}. No refresh request was sent.`
    })
  )
  return { send, overBudget }
}
