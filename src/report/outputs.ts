// What later steps read of a run: every output, set on every path, failures included.
import * as core from '@actions/core'
import type { ContactJob } from '../stages/contact-jobs.js'
import { isReady, notReadyReason, type SegmentResult } from '../run/results.js'
import { lastRecomputeIso, type RecomputedBy } from '../run/recompute.js'
import type { RunOutcome } from '../run/record.js'
import type { ServedSingleSend } from '../stages/single-sends.js'

/** The `results` output entry: snake_case, every key always present. */
export function toResultEntry(
  result: SegmentResult,
  recomputedBy: RecomputedBy = 'sample_updated_at'
): Record<string, unknown> {
  return {
    segment_id: result.segmentId,
    segment_name: result.segmentName,
    outcome: result.outcome,
    ready: isReady(result),
    not_ready_reason: notReadyReason(result),
    recomputed_at: lastRecomputeIso(result, recomputedBy),
    http_status: result.httpStatus,
    job_id: result.jobId,
    message: result.message,
    refreshes_used: result.refreshesUsed,
    max_refreshes: result.maxRefreshes,
    last_refreshed_at: result.lastRefreshedAt,
    sample_updated_at: result.sampleUpdatedAt,
    contacts_count: result.contactsCount,
    next_refresh_at: result.nextRefreshAt,
    single_send_ids: result.singleSendIds
  }
}

/** The `single-sends` output entry. */
export function toSingleSendEntry(singleSend: ServedSingleSend): Record<string, unknown> {
  return {
    id: singleSend.id,
    name: singleSend.name,
    status: singleSend.status,
    send_at: singleSend.sendAt,
    segment_ids: singleSend.segmentIds,
    nothing_to_refresh: singleSend.nothingToRefresh
  }
}

/** The `contact-jobs` output entry. */
export function toContactJobEntry(job: ContactJob): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    job_type: job.jobType,
    requested_count: job.requestedCount,
    created_count: job.createdCount,
    updated_count: job.updatedCount,
    deleted_count: job.deletedCount,
    errored_count: job.erroredCount,
    finished_at: job.finishedAt
  }
}

/**
 * The run's verdict: at least one segment, and every segment ready to send to, at a run that came
 * to its end (not cancelled, not stopped by an error).
 */
export const runIsReady = ({ results, end = 'done' }: RunOutcome): boolean =>
  end === 'done' && results.length > 0 && results.every(isReady)

/** Sets every output; called on every path, failures included, so later steps can rely on them. */
export function setOutputs(
  outcome: RunOutcome,
  recomputedBy: RecomputedBy = 'sample_updated_at'
): void {
  const { results, singleSends, contacts } = outcome
  const refreshed = results.filter((r) => r.outcome === 'refreshed')
  const idsWith = (outcome: SegmentResult['outcome']): string[] =>
    results.filter((r) => r.outcome === outcome).map((r) => r.segmentId)
  const jobIds = Object.fromEntries(
    refreshed.filter((r) => r.jobId).map((r) => [r.segmentId, r.jobId])
  )
  const contactsCounts = Object.fromEntries(
    results.filter((r) => r.contactsCount !== null).map((r) => [r.segmentId, r.contactsCount])
  )

  core.setOutput('ready', String(runIsReady(outcome)))
  core.setOutput('job-id', refreshed.find((r) => r.jobId)?.jobId ?? '')
  core.setOutput('job-ids', JSON.stringify(jobIds))
  const entries = results.map((result) => toResultEntry(result, recomputedBy))
  core.setOutput('results', JSON.stringify(entries))
  core.setOutput('refreshed', JSON.stringify(idsWith('refreshed')))
  core.setOutput('fresh', JSON.stringify(idsWith('fresh')))
  core.setOutput('rate-limited', JSON.stringify(idsWith('rate_limited')))
  core.setOutput('failed', JSON.stringify(idsWith('failed')))
  core.setOutput('contacts-counts', JSON.stringify(contactsCounts))
  core.setOutput('single-sends', JSON.stringify(singleSends.map(toSingleSendEntry)))
  core.setOutput('contact-jobs', JSON.stringify((contacts?.jobs ?? []).map(toContactJobEntry)))
}
