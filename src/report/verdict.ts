// The verdict of a run: an annotation for each segment that deserves one, and the message that
// fails the step, when something does.
import { jobsNotLanded, type ContactsFirst } from '../stages/contact-jobs.js'
import type { Settings } from '../inputs/settings.js'
import { log } from './log.js'
import { isReady, notReadyReason, type SegmentResult } from '../run/results.js'
import { nameOf } from './sentences.js'

export function annotate(results: SegmentResult[]): void {
  for (const result of results) {
    const what = result.audienceProblem?.kind ?? result.outcome
    const title = `Segment ${nameOf(result)}: ${what.replace(/_/g, ' ')}`
    if (result.annotation === 'error') log.error(result.message, { title })
    else if (result.annotation === 'warning') log.warning(result.message, { title })
    // A recompute was said in the log as it happened.
    else if (!result.recomputed) log.info(result.message)
  }
}

/**
 * The step fails when contact jobs did not land, when a segment failed, when `wait` did not see a
 * refreshed segment recomputed, when one was rate-limited under `on-rate-limit: fail`, or, under
 * `fail-unless-ready`, when the run is not ready to send to.
 */
export function failureMessage(
  results: SegmentResult[],
  settings: Pick<Settings, 'onRateLimit' | 'wait' | 'failUnlessReady'>,
  contacts?: ContactsFirst
): string | null {
  const notLanded = contacts ? jobsNotLanded(contacts.jobs).length : 0
  if (notLanded > 0) {
    return `${notLanded} of ${contacts?.jobs.length} contact job(s) did not finish writing their contacts, so no segment was refreshed. See the annotations above.`
  }
  const failed = results.filter((r) => r.outcome === 'failed').length
  const limited = results.filter((r) => r.outcome === 'rate_limited').length
  const unseen = settings.wait
    ? results.filter((r) => r.outcome === 'refreshed' && !r.recomputed).length
    : 0
  const parts: string[] = []
  if (failed > 0) parts.push(`${failed} of ${results.length} segment(s) failed`)
  if (unseen > 0) {
    parts.push(
      `${unseen} of ${results.length} segment(s) refreshed but not seen recomputed before the wait ended`
    )
  }
  if (limited > 0 && settings.onRateLimit === 'fail') {
    parts.push(
      `${limited} of ${results.length} segment(s) hit SendGrid's refresh limit (on-rate-limit: fail)`
    )
  }
  if (parts.length > 0) return `${parts.join('; ')}. See the annotations above.`
  return settings.failUnlessReady ? notReadyMessage(results) : null
}

/** Under `fail-unless-ready`: which segments are not ready to send to, and why; null when all are. */
export function notReadyMessage(results: SegmentResult[]): string | null {
  if (results.length === 0) {
    return 'No segment was to be refreshed, so nothing is ready to send to (fail-unless-ready).'
  }
  const notReady = results.filter((r) => !isReady(r))
  if (notReady.length === 0) return null
  const why = notReady.map(
    (r) => `${nameOf(r)} (${(notReadyReason(r) ?? r.outcome).replace(/_/g, ' ')}: ${r.reason})`
  )
  return `${notReady.length} of ${results.length} segment(s) not ready to send to (fail-unless-ready): ${why.join('; ')}.`
}
