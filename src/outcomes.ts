// What an answer from SendGrid means for one segment, in words a marketer understands.
import type { RateLimitPolicy } from './inputs.js'
import { describeErrorBody, isRecord, parseJson } from './error-body.js'
import { describeInstant } from './human-time.js'
import { isoSeconds } from './refresh-times.js'
import type { ApiResult } from './sendgrid-client.js'
import { tooLargeWords, type SegmentSnapshot } from './sendgrid-answers.js'

/** `cancelled`: the run was cut short before this segment's refresh was sent; no budget spent. */
export type Outcome = 'refreshed' | 'fresh' | 'rate_limited' | 'failed' | 'cancelled'

/** Why an audience that is otherwise ready does not look right to send to (the audience guards). */
export type AudienceProblem = 'too_few_contacts' | 'contacts_changed'

/** Why a segment is not ready to send to, for machines: the `not_ready_reason` of `results`. */
export type NotReadyReason =
  'not_recomputed' | 'rate_limited' | 'failed' | 'cancelled' | AudienceProblem

export interface SegmentResult {
  segmentId: string
  segmentName: string | null
  outcome: Outcome
  httpStatus: number | null
  jobId: string | null
  /** The whole story of this segment, for the log and annotations. */
  message: string
  /** The same in a few words, for the summary's table: no label, times in the user's zone. */
  reason: string
  /** `wait` saw SendGrid finish recomputing after the refresh (this run's, or an earlier one). */
  recomputed: boolean
  /** An audience guard that failed, with its sentence for the summary; null when none did. */
  audienceProblem: { kind: AudienceProblem; sentence: string } | null
  /** The Single Sends of this run that go to this segment. */
  singleSendIds: string[]
  /** The annotation this result deserves; null for a clean success. */
  annotation: 'warning' | 'error' | null
  /** Quota and size as last read from SendGrid (null when not read). */
  refreshesUsed: number | null
  maxRefreshes: number | null
  lastRefreshedAt: string | null
  /** When SendGrid last recomputed the segment on its own schedule (ISO 8601), as read. */
  sampleUpdatedAt: string | null
  /** When the segment was created (ISO 8601), as read. */
  createdAt: string | null
  contactsCount: number | null
  /** contacts_count before the refresh, when the segment was read both before and after. */
  contactsCountBefore: number | null
  /** When a rate-limited segment can next be refreshed (ISO 8601), when known. */
  nextRefreshAt: string | null
}

/** Where the stages that send refreshes tell each one as it goes: the run's record. */
export interface RefreshLog {
  /** A refresh request is about to go out. */
  sending(segmentId: string): void
  /** What is now known of a segment: an answer to its refresh, or its recompute. */
  answered(result: SegmentResult): void
}

/** The reason of a refresh sent but not answered when the run was cut short. */
export const noAnswerBeforeTheEnd =
  'no answer before the run ended; SendGrid may already have accepted the refresh'

export const refreshLimitsSentence =
  'SendGrid allows 1 manual refresh per segment per hour, 2 per segment per day and 10 per account per day'

export function newResult(
  segmentId: string,
  segmentName: string | null,
  fields: Pick<SegmentResult, 'outcome' | 'httpStatus' | 'message' | 'reason' | 'annotation'> &
    Partial<SegmentResult>
): SegmentResult {
  return {
    segmentId,
    segmentName,
    jobId: null,
    recomputed: false,
    audienceProblem: null,
    singleSendIds: [],
    refreshesUsed: null,
    maxRefreshes: null,
    lastRefreshedAt: null,
    sampleUpdatedAt: null,
    createdAt: null,
    contactsCount: null,
    contactsCountBefore: null,
    nextRefreshAt: null,
    ...fields
  }
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
    const jobId = readJobId(result.body)
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

export function segmentLabel(segmentId: string, segmentName: string | null): string {
  return segmentName ? `Segment "${segmentName}" (${segmentId})` : `Segment ${segmentId}`
}

function readJobId(body: string): string | null {
  const parsed = parseJson(body)
  if (!isRecord(parsed)) return null
  const jobId = parsed.job_id
  return typeof jobId === 'string' && jobId ? jobId : null
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

/** Adds what was read of the segment to its result. */
export function withSnapshot(
  result: SegmentResult,
  snapshot: SegmentSnapshot | null
): SegmentResult {
  if (!snapshot) return result
  return {
    ...result,
    segmentName: result.segmentName ?? snapshot.name,
    refreshesUsed: snapshot.refreshesUsed,
    maxRefreshes: snapshot.maxRefreshes,
    lastRefreshedAt: snapshot.lastRefreshedAt,
    sampleUpdatedAt: snapshot.sampleUpdatedAt,
    createdAt: snapshot.createdAt,
    contactsCount: snapshot.contactsCount
  }
}

/**
 * Ready to send to: fresh (recomputed recently, after every change the run knows of), or refreshed
 * with the recompute seen by `wait`, and passing the audience guards. A refresh not seen recomputed,
 * a rate limit, a failure or a cancel is not ready, however recent the last recompute.
 */
export const isReady = (result: SegmentResult): boolean => notReadyReason(result) === null

/** Why the segment is not ready to send to; null when it is. */
export function notReadyReason(result: SegmentResult): NotReadyReason | null {
  switch (result.outcome) {
    case 'refreshed':
      return result.recomputed ? (result.audienceProblem?.kind ?? null) : 'not_recomputed'
    case 'fresh':
      return result.audienceProblem?.kind ?? null
    default:
      return result.outcome
  }
}

/**
 * What a 401 or 403 from SendGrid means, in the same words wherever it comes (a refresh, a list):
 * the key, or the plan and the key's access. Null for any other status.
 */
export function accessProblem(status: number): { reason: string; advice: string } | null {
  if (status === 401) {
    return {
      reason: 'SendGrid rejected the API key',
      advice: '; it is wrong, expired or revoked. Check the api-key secret'
    }
  }
  if (status === 403) {
    return {
      reason: 'SendGrid refused access',
      advice:
        '. Refreshing segments needs a Marketing Campaigns Basic or Advanced plan (not the free plan) and an API key with Marketing access'
    }
  }
  return null
}
