// Sends one segment's refresh so that a refresh SendGrid accepted is never spent unseen. When an
// attempt is lost after it may have reached SendGrid (no answer in time, a dropped connection), the
// segment is read before anything else: its refreshes_used and last_refreshed_at say whether
// SendGrid accepted it. Only a refresh the read shows was not accepted is sent again.
import { log } from '../report/log.js'
import { parseTime } from '../time/human-time.js'
import { backoffDelayMs, sleep } from '../sendgrid/retry.js'
import { answerTime } from '../sendgrid/rate-limit.js'
import type { ApiResult, SendGridClient } from '../sendgrid/client.js'
import { describeFailure, segmentIn, type SegmentSnapshot } from '../sendgrid/answers.js'

/** What a read after a lost attempt showed of SendGrid's record of refreshes. */
export interface SeenAccepted {
  /** The segment as read then. */
  after: SegmentSnapshot
  /** When SendGrid accepted it, as far as the read shows (ms, SendGrid's clock). */
  at: number
  /** The field that showed it. */
  by: 'last_refreshed_at' | 'refreshes_used'
}

export interface RefreshSent {
  /** The last answer (or lost attempt) of the refresh. */
  answer: ApiResult
  /** When the first attempt was sent (the runner's clock). */
  sentAt: number
  /** When SendGrid accepted it (SendGrid's clock, whole seconds); null when it did not, or unknown. */
  acceptedAt: number | null
  /** Set when the answer was lost but a read showed SendGrid had accepted the refresh. */
  seenAccepted: SeenAccepted | null
  /** What the read after a lost attempt came to, when it did not show an accept; null without one. */
  readAfterLoss: string | null
}

const mayHaveLanded = (answer: ApiResult): boolean =>
  answer.kind === 'no-response' &&
  (answer.reason === 'timeout' || answer.reason === 'network') &&
  !answer.unsent

const accepted = (answer: ApiResult): boolean =>
  answer.kind === 'response' && answer.status >= 200 && answer.status < 300

export async function sendRefresh(
  client: SendGridClient,
  segmentId: string,
  userTimeZone: string,
  before: SegmentSnapshot | null,
  maxRetries: number
): Promise<RefreshSent> {
  const sentAt = Date.now()
  let lost = 0
  for (;;) {
    const answer = await client.refreshSegment(segmentId, userTimeZone)
    const lostNow = mayHaveLanded(answer)
    if (lost === 0 && !lostNow) {
      return {
        answer,
        sentAt,
        acceptedAt: acceptMoment(answer),
        seenAccepted: null,
        readAfterLoss: null
      }
    }
    if (lostNow) lost++
    // SendGrid may have accepted an attempt that was lost, unless a read says otherwise.
    const facts = { ...answer, lostEarlierAttempt: true }
    // An accept after a loss: the read before it showed the lost attempt was not accepted.
    if (accepted(answer))
      return {
        answer: facts,
        sentAt,
        acceptedAt: acceptMoment(answer),
        seenAccepted: null,
        readAfterLoss: null
      }
    if (client.signal.aborted)
      return { answer: facts, sentAt, acceptedAt: null, seenAccepted: null, readAfterLoss: null }

    const read = await client.getSegment(segmentId)
    const after = segmentIn(read)
    if (!after) {
      return {
        answer: facts,
        sentAt,
        acceptedAt: null,
        seenAccepted: null,
        readAfterLoss: `reading the segment to see whether SendGrid accepted it failed too (${describeFailure(read)})`
      }
    }
    const seen = acceptedSince(before, after, sendFloor(read, sentAt, Date.now()))
    if (seen)
      return { answer: facts, sentAt, acceptedAt: seen.at, seenAccepted: seen, readAfterLoss: null }
    const notAccepted = 'reading the segment showed SendGrid had not accepted it'
    // A real answer (a 429, a 4xx) after a lost attempt that was not accepted is the answer; the
    // read, not a guess, says the lost attempt was not spent.
    if (!lostNow || lost > maxRetries || client.signal.aborted)
      return {
        answer: { ...answer, lostEarlierAttempt: false },
        sentAt,
        acceptedAt: null,
        seenAccepted: null,
        readAfterLoss: notAccepted
      }
    const delay = backoffDelayMs(lost)
    log.info(
      `POST refresh of ${segmentId} got ${answer.kind === 'no-response' && answer.reason === 'timeout' ? 'no answer in time' : 'no answer (the connection was lost)'}, and ${notAccepted}; retry ${lost} of ${maxRetries} in ${delay} ms`
    )
    await sleep(delay, client.signal)
  }
}

/**
 * When SendGrid accepted the refresh, to the second below: the answer's Date header minus the time
 * the request took, since SendGrid's clock and whole seconds say no more. A recompute stamped in the
 * second the refresh was sent counts; one stamped before it does not.
 */
export function acceptMoment(answer: ApiResult): number | null {
  if (!accepted(answer) || answer.kind !== 'response') return null
  const date = answerTime(answer.headers, NaN)
  if (Number.isNaN(date)) return null
  return Math.floor((date - (answer.tookMs ?? 0)) / 1000) * 1000
}

/**
 * The earliest moment, on SendGrid's clock and to the second below, at which the first attempt can
 * have reached SendGrid: the read's Date header minus the time since that attempt was sent. Without
 * a Date header, the runner's clock is all there is.
 */
export function sendFloor(read: ApiResult, sentAt: number, readAt: number): number {
  const date = read.kind === 'response' ? answerTime(read.headers, NaN) : NaN
  const moment = Number.isNaN(date) ? sentAt : date - (readAt - sentAt)
  return Math.floor(moment / 1000) * 1000
}

/**
 * Whether SendGrid accepted a refresh sent at `floor`: its refreshes_used went up since the read
 * before the refresh, or its last_refreshed_at is at or after the send. Null when it shows neither.
 */
export function acceptedSince(
  before: SegmentSnapshot | null,
  after: SegmentSnapshot,
  floor: number
): SeenAccepted | null {
  const lastRefreshed = parseTime(after.lastRefreshedAt)
  if (lastRefreshed !== null && lastRefreshed >= floor)
    return { after, at: lastRefreshed, by: 'last_refreshed_at' }
  // A field SendGrid leaves out until the first manual refresh counts as none used.
  if (before && after.refreshesUsed !== null && after.refreshesUsed > (before.refreshesUsed ?? 0))
    return { after, at: floor, by: 'refreshes_used' }
  return null
}
