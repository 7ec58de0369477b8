// A ready audience must also look right: SendGrid's support pages tell of Single Sends that went out
// to no one because the contacts had not landed. `min-contacts` stops an empty (or too small)
// audience, `max-contacts-change-percent` one that a recompute blew up or emptied. The outcome stays
// what happened; only `ready` says whether to send.
import { formatCount } from '../time/human-time.js'
import type { Settings } from '../inputs/settings.js'
import { notReadyReason, quotedName, segmentLabel, type SegmentResult } from './results.js'

export type GuardSettings = Pick<
  Settings,
  'minContacts' | 'maxContactsChangePercent' | 'failUnlessReady'
>

/**
 * The result with the guards applied, when it is otherwise ready. `recompute` is given for a
 * recompute the wait saw, with the count read before it: only then is the change judged.
 */
export function checkAudience(
  result: SegmentResult,
  settings: GuardSettings,
  recompute?: { countBefore: number | null }
): SegmentResult {
  if (notReadyReason(result) !== null) return result
  const name = quotedName(result.segmentId, result.segmentName)
  const label = segmentLabel(result.segmentId, result.segmentName)
  const count = result.contactsCount
  const annotation = settings.failUnlessReady ? 'error' : 'warning'
  const as = recompute ? 'after its recompute' : 'as SendGrid last counted it'

  // A count that could not be read meets no minimum.
  if (settings.minContacts > 0 && (count ?? -1) < settings.minContacts) {
    const what =
      count === null
        ? `could not be counted (no contacts_count was read), so it is not shown to have at least min-contacts (${settings.minContacts})`
        : `has ${formatCount(count)} contacts ${as}, fewer than min-contacts (${settings.minContacts})`
    const advice =
      "not ready. Check the contact import and the segment's conditions before sending."
    const sentence = `${name} ${what}: ${advice}`
    return {
      ...result,
      annotation,
      audienceProblem: { kind: 'too_few_contacts', sentence },
      reason:
        count === null
          ? `contacts count unknown, so min-contacts (${settings.minContacts}) is not met`
          : `${formatCount(count)} contacts ${as}, fewer than min-contacts (${settings.minContacts})`,
      message: `${label} ${what}: ${advice} ${result.message}`
    }
  }

  const limit = settings.maxContactsChangePercent
  if (!recompute || limit === null) return result
  const before = recompute.countBefore
  if (before === null || before === 0 || count === null) {
    const why =
      before === null
        ? 'no count was read before the refresh'
        : before === 0
          ? 'it had 0 contacts before'
          : 'its count after the recompute could not be read'
    return {
      ...result,
      message: `${result.message} Its change in contacts is not judged (${why}), so only min-contacts applies.`
    }
  }
  const change = changePercent(before, count)
  if (Math.abs(change) <= limit) return result
  // Stryker disable next-line EqualityOperator: a change of 0 is never more than the limit.
  const signed = `${change > 0 ? '+' : '−'}${formatCount(Math.abs(change))}%`
  const went = `went from ${formatCount(before)} to ${formatCount(count)} contacts (${signed}) in its recompute, more than max-contacts-change-percent (${limit})`
  const advice = 'not ready. Check its conditions before sending.'
  return {
    ...result,
    annotation,
    audienceProblem: { kind: 'contacts_changed', sentence: `${name} ${went}: ${advice}` },
    reason: `${signed} contacts in its recompute (${formatCount(before)} → ${formatCount(count)}), more than max-contacts-change-percent (${limit})`,
    message: `${label} ${went}: ${advice} ${result.message}`
  }
}

/** The change over the count before, in whole percent, signed: 1,000 → 3,000 is 200. */
export function changePercent(before: number, after: number): number {
  const percent = ((after - before) / before) * 100
  return Math.sign(percent) * Math.round(Math.abs(percent))
}
