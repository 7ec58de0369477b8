// Refreshes every planned segment side by side (the client keeps at most ten on the wire). One
// segment's failure never stops or hides another's, and each answer reaches the run's record as it
// arrives.
// What SendGrid's answer to a refresh means for the segment is said here too, in a marketer's words.
import type { RateLimitPolicy, Settings } from '../inputs/settings.js'
import {
  accessProblem,
  newResult,
  refreshLimitsSentence,
  segmentLabel,
  withSnapshot,
  type RefreshLog,
  type SegmentResult
} from '../run/results.js'
import {
  describeErrorBody,
  jobIdIn,
  tooLargeWords,
  type SegmentSnapshot
} from '../sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../sendgrid/client.js'
import { describeInstant } from '../time/human-time.js'
import { isGeneralLimit, resetAtMs } from '../sendgrid/rate-limit.js'
import { isoSeconds } from '../time/refresh-times.js'
import type { PlannedRefresh } from './preflight.js'
import { log } from '../report/log.js'
import { sendRefresh, type RefreshSent } from './refresh-send.js'

export interface SentRefresh {
  result: SegmentResult
  /** When the first attempt was sent (the runner's clock). */
  sentAt: number
  /**
   * When SendGrid accepted it (SendGrid's clock, to the second below): its answer's Date header less
   * the time the request took, or its last_refreshed_at when the answer was lost.
   */
  acceptedAt: number | null
  before: SegmentSnapshot | null
}

export async function refreshSegments(
  client: SendGridClient,
  settings: Settings,
  planned: PlannedRefresh[],
  record: RefreshLog
): Promise<SentRefresh[]> {
  const host = new URL(settings.baseUrl).host
  return Promise.all(
    planned.map(async ({ target, before }) => {
      record.sending(target.segmentId)
      const sent = await sendRefresh(
        client,
        target.segmentId,
        settings.userTimeZone,
        before,
        settings.maxRetries
      )
      const context = {
        ...target,
        onRateLimit: settings.onRateLimit,
        timeZone: settings.timeZone,
        host,
        now: Date.now()
      }
      const known = sent.seenAccepted
        ? withSnapshot(acceptedUnanswered(sent, context), sent.seenAccepted.after)
        : counted(withSnapshot(afterRead(classifyRefresh(sent.answer, context), sent), before))
      record.answered(known)
      // Said as it is learnt: a later recompute's words replace this result's.
      if (sent.seenAccepted) log.info(known.message)
      const acceptedAt = known.outcome === 'refreshed' ? sent.acceptedAt : null
      return { result: known, sentAt: sent.sentAt, acceptedAt, before }
    })
  )
}

/** An accepted refresh counts against today's refreshes, until SendGrid is read again. */
function counted(result: SegmentResult): SegmentResult {
  if (result.outcome !== 'refreshed' || result.refreshesUsed === null) return result
  return { ...result, refreshesUsed: result.refreshesUsed + 1 }
}

/** What the read after a lost attempt showed, when it did not show an accept. */
function afterRead(result: SegmentResult, sent: RefreshSent): SegmentResult {
  if (sent.readAfterLoss === null) return result
  return { ...result, message: `${result.message} After the lost attempt, ${sent.readAfterLoss}.` }
}

/** A refresh whose answer was lost, which a read of the segment shows SendGrid accepted. */
function acceptedUnanswered(sent: RefreshSent, context: ClassifyContext): SegmentResult {
  const { after, at, by } = sent.seenAccepted!
  const label = segmentLabel(context.segmentId, context.segmentName)
  const lost =
    sent.answer.kind === 'no-response'
      ? `${sent.answer.reason === 'timeout' ? 'no answer in time' : 'the connection was lost'}: ${sent.answer.detail}`
      : `HTTP ${sent.answer.status}`
  const shown =
    by === 'last_refreshed_at'
      ? `its last_refreshed_at is ${describeInstant(at, context.timeZone, context.now)}, after the refresh was sent`
      : `its refreshes_used went up to ${after.refreshesUsed}`
  return newResult(context.segmentId, context.segmentName, {
    outcome: 'refreshed',
    httpStatus: null,
    annotation: null,
    reason: `refresh accepted (its answer was lost; SendGrid's ${by} shows it); SendGrid is recomputing it`,
    message: `${label} refresh accepted: its answer was lost (${lost}), but reading the segment shows SendGrid accepted it (${shown}). It counts against today's refreshes, and it was not sent again.`
  })
}

export interface ClassifyContext {
  segmentId: string
  segmentName: string | null
  onRateLimit: RateLimitPolicy
  /** The host the request went to, to name it when it could not be reached. */
  host: string
  timeZone: string
  now: number
}

/** Turns the answer to a refresh request into the segment's result. */
export function classifyRefresh(result: ApiResult, context: ClassifyContext): SegmentResult {
  const { segmentId, segmentName } = context
  const label = segmentLabel(segmentId, segmentName)
  const mayHaveLanded = result.lostEarlierAttempt
    ? ' An earlier attempt timed out or lost its connection, so SendGrid may already have accepted that refresh.'
    : ''

  if (result.kind === 'no-response' && result.reason === 'certificate') {
    return newResult(segmentId, segmentName, {
      outcome: 'failed',
      httpStatus: null,
      annotation: 'error',
      reason: `the TLS certificate of ${context.host} is not trusted`,
      message: `${label} was not refreshed: ${result.detail}.`
    })
  }
  if (result.kind === 'no-response') {
    const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`
    const cause =
      result.reason === 'timeout'
        ? `SendGrid did not answer in time (${result.detail}) after ${tries}`
        : `could not reach SendGrid at ${context.host} (${result.detail}) after ${tries}`
    return newResult(segmentId, segmentName, {
      outcome: 'failed',
      httpStatus: null,
      annotation: 'error',
      reason:
        result.reason === 'timeout'
          ? 'SendGrid did not answer in time'
          : 'SendGrid could not be reached',
      message: `${label} was not refreshed: ${cause}. It may be a network problem or a SendGrid outage; try again later.${mayHaveLanded}`
    })
  }

  const status = result.status
  const said = describeErrorBody(result.body)
  const saidSuffix = result.tooLarge
    ? ` The answer was ${tooLargeWords}.`
    : said
      ? ` SendGrid said: ${said}`
      : ''

  if (status === 202 || (status >= 200 && status < 300)) {
    const jobId = jobIdIn(result.body)
    return newResult(segmentId, segmentName, {
      outcome: 'refreshed',
      httpStatus: status,
      jobId,
      annotation: jobId ? null : 'warning',
      reason: 'refresh accepted; SendGrid is recomputing it',
      message: jobId
        ? `${label} refresh accepted (refresh job ${jobId}).`
        : `${label} refresh accepted (HTTP ${status}), but SendGrid's answer had no job ID.`
    })
  }

  if (status === 429) {
    const resetAt = rateLimitResetTime(result.headers['x-ratelimit-reset'], context.now)
    const resetWhen = resetAt
      ? describeInstant(Date.parse(resetAt), context.timeZone, context.now)
      : null
    const reset = resetWhen ? ` The limit resets ${resetWhen} (X-RateLimit-Reset).` : ''
    // Sent once more after the reset already (client.ts): the account is busy, not out of refreshes.
    if (isGeneralLimit(result.headers, context.now)) {
      return newResult(segmentId, segmentName, {
        outcome: 'rate_limited',
        httpStatus: status,
        annotation: context.onRateLimit === 'fail' ? 'error' : 'warning',
        nextRefreshAt: resetAt,
        reason: `SendGrid's rate limit for requests refused it again after its reset (HTTP 429); no refresh was spent`,
        message: `${label} was not refreshed: SendGrid's rate limit for requests (shared by every integration on the account) refused the refresh, and again once it had reset (HTTP 429, X-RateLimit-Remaining: 0). That is not the refresh quota, and no refresh was spent; try again in a minute.${reset}${mayHaveLanded}${saidSuffix}`
      })
    }
    return newResult(segmentId, segmentName, {
      outcome: 'rate_limited',
      httpStatus: status,
      annotation: context.onRateLimit === 'fail' ? 'error' : 'warning',
      nextRefreshAt: resetAt,
      reason: `SendGrid's refresh limit was reached (HTTP 429)${resetWhen ? `; it resets ${resetWhen}` : ''}`,
      message: `${label} was not refreshed: SendGrid's refresh limit was reached (HTTP 429). ${refreshLimitsSentence}.${reset}${mayHaveLanded}${saidSuffix}`
    })
  }

  const failed = (reason: string, advice = ''): SegmentResult =>
    newResult(segmentId, segmentName, {
      outcome: 'failed',
      httpStatus: status,
      annotation: 'error',
      reason: `${reason} (HTTP ${status})`,
      message: `${label} was not refreshed: ${reason}${advice} (HTTP ${status}).${saidSuffix}${mayHaveLanded}`
    })

  switch (status) {
    case 400:
      return failed('SendGrid rejected the request as invalid')
    case 401:
    case 403: {
      const { reason, advice } = accessProblem(status)!
      return failed(reason, advice)
    }
    case 404:
      return failed(
        'the segment does not exist in this SendGrid account',
        '. Check the ID, the data-residency region and on-behalf-of'
      )
    default:
      if (status >= 500) {
        const tries = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`
        return failed(
          'SendGrid had a server error',
          ` and still failed after ${tries}; try again later`
        )
      }
      return failed('SendGrid refused the request')
  }
}

/**
 * X-RateLimit-Reset is documented as Unix epoch seconds, but SendGrid's gateway was seen to send
 * seconds until the reset; both are read (rate-limit.ts). ISO 8601, or null without one.
 */
export function rateLimitResetTime(
  header: string | string[] | undefined,
  now = Date.now()
): string | null {
  const reset = resetAtMs(header === undefined ? {} : { 'x-ratelimit-reset': header }, now)
  return reset === null ? null : isoSeconds(reset)
}
