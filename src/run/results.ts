// One segment's result in a run: its outcome, its words, what was read of it, and whether it is ready.
import type { SegmentSnapshot } from '../sendgrid/answers.js'

/** `cancelled`: the run was cut short before this segment's refresh was sent; no budget spent. */
export type Outcome = 'refreshed' | 'fresh' | 'rate_limited' | 'failed' | 'cancelled'

/** Why an audience that is otherwise ready does not look right to send to (the audience guards). */
export type AudienceProblem = 'too_few_contacts' | 'contacts_changed'

/** Why a segment is not ready to send to, for machines: the `not_ready_reason` of `results`. */
export const notReadyReasons = [
  'not_recomputed',
  'rate_limited',
  'failed',
  'cancelled',
  'too_few_contacts',
  'contacts_changed'
] as const

export type NotReadyReason = (typeof notReadyReasons)[number]

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

/** A segment in a sentence: its name in quotes (names hold commas), or its ID. */
export function quotedName(segmentId: string, segmentName: string | null): string {
  return segmentName ? `"${segmentName}"` : segmentId
}

export function segmentLabel(segmentId: string, segmentName: string | null): string {
  const name = quotedName(segmentId, segmentName)
  return segmentName ? `Segment ${name} (${segmentId})` : `Segment ${name}`
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
