// The sentences a person reads first, in the log and the summary alike: what the run found and did.
import type { Settings } from '../inputs/settings.js'
import { describeInstant } from '../time/human-time.js'
import { isReady, noAnswerBeforeTheEnd, quotedName, type SegmentResult } from '../run/results.js'
import { scheduledSendTime, type ServedSingleSend } from '../stages/single-sends.js'

export function countsLine(results: SegmentResult[]): string {
  const count = (outcome: SegmentResult['outcome']): number =>
    results.filter((r) => r.outcome === outcome).length
  const cancelled = count('cancelled') > 0 ? `, ${count('cancelled')} cancelled` : ''
  return `${count('refreshed')} refreshed, ${count('fresh')} fresh, ${count('rate_limited')} rate-limited, ${count('failed')} failed${cancelled}`
}

/** A segment in a sentence: "Spring sale, EU customers" in quotes, so a comma in it is not a list's. */
export const nameOf = (r: SegmentResult): string => quotedName(r.segmentId, r.segmentName)

/** '"A"', '"A" and "B"', '"A", "B" and "C"'. */
function listNames(rs: SegmentResult[]): string {
  const names = rs.map(nameOf)
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]
}

const segments = (n: number): string => (n === 1 ? '1 segment was' : `${n} segments were`)

/**
 * What a cut-short run spent, first: "Cancelled after 2 refreshes: Spring sale and VIP customers
 * were refreshed; SendGrid may still be recomputing them. 1 segment was not refreshed."
 */
export function cutShortSentence(results: SegmentResult[], end: 'cancelled' | 'error'): string {
  const refreshed = results.filter((r) => r.outcome === 'refreshed')
  const recomputing = refreshed.filter((r) => !r.recomputed)
  const unanswered = results.filter((r) => r.reason === noAnswerBeforeTheEnd)
  const untouched = results.length - refreshed.length - unanswered.length
  const how = end === 'cancelled' ? 'Cancelled' : 'Stopped by an unexpected error'
  const sentences =
    refreshed.length === 0
      ? [`${how} before SendGrid accepted any refresh.`]
      : [
          `${how} after ${refreshed.length === 1 ? '1 refresh' : `${refreshed.length} refreshes`}: ${listNames(refreshed)} ${refreshed.length === 1 ? 'was' : 'were'} refreshed${
            recomputing.length === 0
              ? ' and recomputed'
              : `; SendGrid may still be recomputing ${recomputing.length === refreshed.length ? (recomputing.length === 1 ? 'it' : 'them') : listNames(recomputing)}`
          }.`
        ]
  if (unanswered.length > 0) {
    sentences.push(
      `The refresh of ${listNames(unanswered)} had no answer yet; SendGrid may already have accepted it.`
    )
  }
  if (untouched > 0) sentences.push(`${segments(untouched)} not refreshed.`)
  return sentences.join(' ')
}

/** The answer a person wants first: is every audience ready to send to, and if not, until when? */
export function headline(
  results: SegmentResult[],
  timeZone: string,
  now: number,
  waited = false
): string {
  const ready = results.filter(isReady)
  const recomputing = results.filter((r) => r.outcome === 'refreshed' && !r.recomputed)
  const limited = results.filter((r) => r.outcome === 'rate_limited')
  const failed = results.filter((r) => r.outcome === 'failed')

  if (results.length === 0) return 'No segment was to be refreshed in this run.'
  if (ready.length === results.length) {
    return results.length === 1
      ? `${nameOf(results[0])} is ready to send to.`
      : `All ${results.length} audiences are ready to send to.`
  }
  // One audience is named once, in the first sentence; the others say "it".
  const one = results.length === 1
  const sentences = [
    one
      ? `${nameOf(results[0])} is not ready to send to yet.`
      : ready.length === 0
        ? `0 of ${results.length} audiences are ready to send to.`
        : `${ready.length} of ${results.length} audiences ${ready.length === 1 ? 'is' : 'are'} ready to send to: ${listNames(ready)}.`
  ]
  if (recomputing.length > 0) {
    const them = recomputing.length > 1 ? 'them' : 'it'
    const refreshOf = one ? 'its refresh' : `the refresh of ${listNames(recomputing)}`
    sentences.push(
      waited
        ? `SendGrid accepted ${refreshOf}, but the wait ended before it showed ${them} recomputed; see why below.`
        : `SendGrid accepted ${refreshOf} and is recomputing ${them}; with wait: true the job waits until that is done.`
    )
  }
  for (const r of limited) {
    const subject = one ? 'It' : nameOf(r)
    sentences.push(
      r.nextRefreshAt
        ? `${subject} can be refreshed again ${describeInstant(Date.parse(r.nextRefreshAt), timeZone, now)}.`
        : `${subject} hit SendGrid's refresh limit.`
    )
  }
  if (failed.length > 0) sentences.push(`${one ? 'It' : listNames(failed)} failed; see why below.`)
  for (const r of results) if (r.audienceProblem) sentences.push(r.audienceProblem.sentence)
  return sentences.join(' ')
}

/** '"Black Friday, EU" sends at 14:00 Europe/Berlin, in 1 h 20 min: audience ready'. */
export function campaignHeading(
  campaign: ServedSingleSend,
  audience: SegmentResult[],
  timeZone: string,
  now: number
): string {
  const sendAt = scheduledSendTime(campaign)
  const when =
    sendAt !== null
      ? `sends ${describeInstant(sendAt, timeZone, now)}`
      : campaign.status === 'draft'
        ? 'is a draft, not scheduled'
        : `is ${campaign.status}`
  const ready = audience.filter(isReady).length
  const readiness =
    ready === audience.length ? 'audience ready' : `${ready} of ${audience.length} segment(s) ready`
  return `"${campaign.name}" ${when}: ${readiness}`
}

/**
 * What the run is about to do, said before any request: the duplicates it drops, then what it
 * refreshes, after what, where and in which zone.
 */
export function planSentences(settings: Settings): string[] {
  const lines: string[] = []
  for (const id of settings.duplicateSegmentIds) {
    lines.push(`Segment ${id} was given more than once in segment-ids; it is refreshed once.`)
  }
  const segments = [
    ...settings.segmentIds,
    ...settings.segmentNames.map((name) => JSON.stringify(name))
  ]
  const campaigns = [
    ...settings.singleSendIds.map((id) => `Single Send ${id}`),
    ...settings.singleSendNames.map((name) => `Single Send ${JSON.stringify(name)}`),
    ...(settings.singleSendsWithinMs > 0
      ? [`every Single Send scheduled in the next ${settings.singleSendsWithinMs / 60_000} minutes`]
      : [])
  ]
  const what = [
    ...(segments.length > 0 ? [`${segments.length} segment(s) (${segments.join(', ')})`] : []),
    ...(campaigns.length > 0 ? [`the segments of ${campaigns.join(', ')}`] : [])
  ].join(' and ')
  const contacts =
    settings.contactJobIds.length > 0
      ? `, after contact job(s) ${settings.contactJobIds.join(', ')} have finished`
      : ''
  const freshness =
    settings.freshWithinMs > 0
      ? `, except what SendGrid recomputed in the last ${settings.freshWithinMs / 60_000} minutes`
      : ''
  // Names and Single Sends are only resolved next: say so, and claim no refresh before it is sent.
  const toFind = [
    ...(settings.segmentNames.length > 0 ? ['the segment names'] : []),
    ...(campaigns.length > 0 ? ['the Single Sends'] : [])
  ]
  const verb = settings.dryRun
    ? 'Would refresh'
    : toFind.length > 0
      ? `Finding ${toFind.join(' and ')}, to refresh`
      : 'Refreshing'
  lines.push(
    `${verb} ${what}${contacts}${freshness}${contacts || freshness ? ',' : ''} at ${settings.baseUrl} (time zone ${settings.timeZone}).`
  )
  return lines
}
