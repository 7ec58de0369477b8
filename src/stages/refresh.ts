// Refreshes every planned segment at once. One segment's failure never stops or hides another's,
// and each answer reaches the run's record as it arrives.
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
import { isoSeconds } from '../time/refresh-times.js'
import type { PlannedRefresh } from './preflight.js'

export interface SentRefresh {
  result: SegmentResult
  /** When the first attempt was sent (the runner's clock). */
  sentAt: number
  /** When SendGrid accepted it, by the Date header of its answer (SendGrid's clock, whole seconds). */
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
      const sentAt = Date.now()
      record.sending(target.segmentId)
      const answer = await client.refreshSegment(target.segmentId, settings.userTimeZone)
      const result = classifyRefresh(answer, {
        ...target,
        onRateLimit: settings.onRateLimit,
        timeZone: settings.timeZone,
        host,
        now: Date.now()
      })
      const known = counted(withSnapshot(result, before))
      record.answered(known)
      const acceptedAt = result.outcome === 'refreshed' ? dateHeader(answer) : null
      return { result: known, sentAt, acceptedAt, before }
    })
  )
}

/** An accepted refresh counts against today's refreshes, until SendGrid is read again. */
function counted(result: SegmentResult): SegmentResult {
  if (result.outcome !== 'refreshed' || result.refreshesUsed === null) return result
  return { ...result, refreshesUsed: result.refreshesUsed + 1 }
}

function dateHeader(answer: ApiResult): number | null {
  if (answer.kind !== 'response') return null
  const date = answer.headers.date
  const ms = typeof date === 'string' ? Date.parse(date) : NaN
  return Number.isNaN(ms) ? null : ms
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
 * X-RateLimit-Reset is documented as Unix epoch seconds, but one spec calls it seconds until reset;
 * a value too small to be a recent epoch is read as the latter.
 */
export function rateLimitResetTime(
  header: string | string[] | undefined,
  now = Date.now()
): string | null {
  const raw = Array.isArray(header) ? header[0] : header
  if (!raw || !/^\d+$/.test(raw.trim())) return null
  const seconds = Number(raw)
  const epochMs = seconds > 1_000_000_000 ? seconds * 1000 : now + seconds * 1000
  return isoSeconds(epochMs)
}
