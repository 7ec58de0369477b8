// Everything a person or a later step sees of a run: outputs, annotations and the job summary.
import * as core from '@actions/core'
import {
  contactsSentence,
  jobCounts,
  jobsNotLanded,
  type ContactJob,
  type ContactsFirst
} from './contact-jobs.js'
import { describeInstant, formatCount } from './human-time.js'
import type { Settings } from './inputs.js'
import { log } from './log.js'
import type { LookupError } from './name-match.js'
import { isReady, noAnswerBeforeTheEnd, notReadyReason, type SegmentResult } from './outcomes.js'
import { lastRecomputeIso, type RecomputedBy } from './recompute.js'
import type { RunOutcome } from './run-record.js'
import { newSegmentNote } from './segment-age.js'
import { scheduledSendTime, type ServedSingleSend } from './single-sends.js'

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

export function annotate(results: SegmentResult[]): void {
  for (const result of results) {
    const what = result.audienceProblem?.kind ?? result.outcome
    const title = `Segment ${result.segmentName ?? result.segmentId}: ${what.replace(/_/g, ' ')}`
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

export function countsLine(results: SegmentResult[]): string {
  const count = (outcome: SegmentResult['outcome']): number =>
    results.filter((r) => r.outcome === outcome).length
  const cancelled = count('cancelled') > 0 ? `, ${count('cancelled')} cancelled` : ''
  return `${count('refreshed')} refreshed, ${count('fresh')} fresh, ${count('rate_limited')} rate-limited, ${count('failed')} failed${cancelled}`
}

const nameOf = (r: SegmentResult): string => r.segmentName ?? r.segmentId

/** "A", "A and B", "A, B and C". */
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

/**
 * Writes the job summary: the answer first, then the segments grouped under the campaigns they serve,
 * then the IDs for those who need them. A missing summary file is a warning, never a lost run.
 */
export async function writeSummary(
  { results, singleSends, contacts, end = 'done' }: RunOutcome,
  settings: Settings,
  now = Date.now()
): Promise<void> {
  const jobs = contacts?.jobs ?? []
  const contactsFirst = contactsSentence(
    jobs,
    contacts?.landedAt ?? null,
    settings.contactsSettleMs,
    settings.timeZone,
    now
  )
  // Contacts that did not land are the answer: nothing was refreshed because of them.
  const answer =
    end !== 'done'
      ? cutShortSentence(results, end)
      : contactsFirst && contacts?.landedAt === null
        ? contactsFirst
        : headline(results, settings.timeZone, now, settings.wait)
  const summary = core.summary
    .addHeading('SendGrid segment refresh', 2)
    .addRaw(`<p><strong>${escapeHtml(answer)}</strong></p>`, true)
  if (contactsFirst && answer !== contactsFirst)
    summary.addRaw(`<p>${escapeHtml(contactsFirst)}</p>`, true)
  const newSegments = results.flatMap(
    (r) => newSegmentNote(nameOf(r), r.createdAt, settings.timeZone, now) ?? []
  )
  if (newSegments.length > 0) summary.addRaw(`<p>${escapeHtml(newSegments.join(' '))}</p>`, true)
  const campaigns = singleSends.filter((s) => s.nothingToRefresh === null)
  if (campaigns.length === 0 && results.length > 0) summary.addTable(segmentTable(results))
  for (const campaign of campaigns) {
    const audience = results.filter((r) => r.singleSendIds.includes(campaign.id))
    summary
      .addHeading(escapeHtml(campaignHeading(campaign, audience, settings.timeZone, now)), 3)
      .addTable(segmentTable(audience))
  }
  const others = results.filter((r) => r.singleSendIds.length === 0)
  if (campaigns.length > 0 && others.length > 0) {
    summary.addHeading('Other segments', 3).addTable(segmentTable(others))
  }
  const idle = singleSends.filter((s) => s.nothingToRefresh !== null)
  if (idle.length > 0) {
    const items = idle.map((s) => `${escapeHtml(s.name)}: ${escapeHtml(s.nothingToRefresh ?? '')}`)
    summary.addRaw(`<p>Nothing to refresh for ${items.join('; ')}.</p>`, true)
  }
  const idRows = results.map((r) => [
    escapeHtml(r.segmentName ?? '—'),
    code(r.segmentId),
    r.jobId ? code(r.jobId) : '—',
    r.httpStatus === null ? '—' : String(r.httpStatus)
  ])

  const jobRows = jobs.map((job) => [
    code(job.id),
    escapeHtml(job.status),
    escapeHtml(jobCounts(job)),
    job.finishedAt ? describeInstant(Date.parse(job.finishedAt), settings.timeZone, now) : '—'
  ])
  if (jobRows.length > 0) {
    summary
      .addRaw('<details><summary>Contact jobs</summary>', true)
      .addTable([header('Contact job ID', 'Status', 'Contacts', 'Finished'), ...jobRows])
      .addRaw('</details>', true)
  }
  try {
    await summary
      .addRaw('<details><summary>Segment IDs and refresh job IDs</summary>', true)
      .addTable([header('Name', 'Segment ID', 'Refresh job ID', 'HTTP status'), ...idRows])
      .addRaw('</details>', true)
      .addRaw(`<p>Times are in ${escapeHtml(settings.timeZone)}. ${countsLine(results)}.</p>`, true)
      .write()
  } catch (error) {
    summaryNotWritten(error)
  }
}

const header = (...cells: string[]) => cells.map((data) => ({ data, header: true }))

function segmentTable(results: SegmentResult[]) {
  return [
    header('Audience', 'Outcome', 'Contacts', 'Refreshes today', 'Why'),
    ...results.map((r) => [
      escapeHtml(r.segmentName ?? r.segmentId),
      outcomeLabel(r),
      contactsCell(r),
      r.refreshesUsed === null ? '—' : `${r.refreshesUsed} of ${r.maxRefreshes ?? '?'}`,
      escapeHtml(r.reason)
    ])
  ]
}

/** "Black Friday, sends at 14:00 Europe/Berlin, in 1 h 20 min: audience ready". */
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
        ? 'a draft, not scheduled'
        : campaign.status
  const ready = audience.filter(isReady).length
  const readiness =
    ready === audience.length ? 'audience ready' : `${ready} of ${audience.length} segment(s) ready`
  return `${campaign.name}, ${when}: ${readiness}`
}

/** What the inputs ask for, a row each: what, and how it was given (in a dry run, what happens later). */
function askedRows(settings: Settings, dryRun: boolean): string[][] {
  const later = (what: string): string => (dryRun ? ` (${what} on a real run)` : '')
  return [
    ...settings.segmentIds.map((id) => [code(id), 'segment, by ID']),
    ...settings.segmentNames.map((name) => [
      escapeHtml(name),
      `segment, by name${later('resolved')}`
    ]),
    ...settings.singleSendIds.map((id) => [code(id), `Single Send, by ID${later('read')}`]),
    ...settings.singleSendNames.map((name) => [
      escapeHtml(name),
      `Single Send, by name${later('resolved')}`
    ]),
    ...(settings.singleSendsWithinMs > 0
      ? [
          [
            `every Single Send due in the next ${settings.singleSendsWithinMs / 60_000} minutes`,
            dryRun ? 'found on a real run' : 'scheduled Single Sends'
          ]
        ]
      : []),
    ...settings.contactJobIds.map((id) => [
      code(id),
      `contact job, waited for before any segment is read${dryRun ? ' (on a real run)' : ''}`
    ])
  ]
}

export async function writeDryRunSummary(settings: Settings): Promise<void> {
  try {
    await core.summary
      .addHeading('SendGrid segment refresh (dry run)', 2)
      .addTable([header('What', 'Given'), ...askedRows(settings, true)])
      .addRaw(
        `Dry run: nothing was sent to ${escapeHtml(settings.baseUrl)}. Time zone: <code>${escapeHtml(settings.timeZone)}</code>`,
        true
      )
      .write()
  } catch (error) {
    summaryNotWritten(error)
  }
}

/**
 * The summary of a run stopped before any refresh because something it was asked for could not be
 * found or read: what was asked, what was not found (with the closest names), and that nothing was
 * sent.
 */
export async function writeLookupSummary(error: LookupError, settings: Settings): Promise<void> {
  const problems = error.problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')
  try {
    await core.summary
      .addHeading('SendGrid segment refresh', 2)
      .addRaw(`<p><strong>${escapeHtml(error.summary)}</strong></p>`, true)
      .addRaw(`<p>${escapeHtml(error.title)}:</p><ul>${problems}</ul>`, true)
      .addRaw('<details><summary>What this run was asked for</summary>', true)
      .addTable([header('What', 'Given'), ...askedRows(settings, false)])
      .addRaw('</details>', true)
      .addRaw('<p>No refresh request was sent, so no budget was spent.</p>', true)
      .write()
  } catch (writeError) {
    summaryNotWritten(writeError)
  }
}

function summaryNotWritten(error: unknown): void {
  // Drop what was not written, or the next write would repeat it.
  core.summary.emptyBuffer()
  log.warning(
    `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`
  )
}

function contactsCell(result: SegmentResult): string {
  if (result.contactsCount === null) return '—'
  const after = formatCount(result.contactsCount)
  if (result.contactsCountBefore === null) return after
  const change = result.contactsCount - result.contactsCountBefore
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±'
  return `${formatCount(result.contactsCountBefore)} → ${after} (${sign}${formatCount(Math.abs(change))})`
}

function outcomeLabel(result: SegmentResult): string {
  switch (result.outcome) {
    case 'refreshed':
      return result.audienceProblem
        ? '⚠️ refreshed'
        : result.recomputed
          ? '✅ refreshed'
          : '🔄 refreshing'
    case 'fresh':
      return result.audienceProblem ? '⚠️ fresh' : '🟢 fresh'
    case 'rate_limited':
      return '⏳ rate limited'
    case 'failed':
      return '❌ failed'
    case 'cancelled':
      return '⏹ cancelled'
  }
}

const code = (text: string): string => `<code>${escapeHtml(text)}</code>`

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c
  )
}
