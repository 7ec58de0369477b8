// The job summary: the answer first, the segments under their campaigns, then the IDs. Everything
// from outside (names, SendGrid's words) is escaped: it never becomes HTML.
import * as core from '@actions/core'
import { contactsSentence, jobCounts } from '../stages/contact-jobs.js'
import { describeInstant, formatCount, parseTime } from '../time/human-time.js'
import type { InvalidInputsError, Settings } from '../inputs/settings.js'
import { log } from './log.js'
import type { LookupError } from '../stages/name-match.js'
import { lastRecomputeIso } from '../run/recompute.js'
import type { SegmentResult } from '../run/results.js'
import type { RunOutcome } from '../run/record.js'
import type { SlowDowns } from '../sendgrid/rate-limit.js'
import { newSegmentNote } from '../time/segment-age.js'
import { campaignHeading, countsLine, cutShortSentence, headline, nameOf } from './sentences.js'

/**
 * Writes the job summary: the answer first, then the segments grouped under the campaigns they serve,
 * then the IDs for those who need them. A missing summary file is a warning, never a lost run.
 */
export async function writeSummary(
  { results, singleSends, contacts, end = 'done', slowDowns }: RunOutcome,
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
  if (slowDowns && slowDowns.times > 0)
    summary.addRaw(`<p>${slowDownSentence(slowDowns)}</p>`, true)
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
    const items = idle.map((s) => escapeHtml(`"${s.name}": ${s.nothingToRefresh ?? ''}`))
    summary.addRaw(`<p>Nothing to refresh for ${items.join('; ')}.</p>`, true)
  }
  // The details name the field of SendGrid's that shows a recompute; its time is in the user's zone.
  const idRows = results.map((r) => {
    const recomputedAt = parseTime(lastRecomputeIso(r, settings.recomputedBy))
    return [
      escapeHtml(r.segmentName ?? '—'),
      code(r.segmentId),
      r.jobId ? code(r.jobId) : '—',
      r.httpStatus === null ? '—' : String(r.httpStatus),
      recomputedAt === null ? '—' : describeInstant(recomputedAt, settings.timeZone, now)
    ]
  })

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
      .addRaw(
        "<details><summary>Segment IDs, refresh job IDs and SendGrid's fields</summary>",
        true
      )
      .addTable([
        header(
          'Name',
          'Segment ID',
          'Refresh job ID',
          'HTTP status',
          `Last recompute (SendGrid's ${settings.recomputedBy})`
        ),
        ...idRows
      ])
      .addRaw('</details>', true)
      .addRaw(`<p>Times are in ${escapeHtml(settings.timeZone)}. ${countsLine(results)}.</p>`, true)
      .write()
  } catch (error) {
    summaryNotWritten(error)
  }
}

/** Said only when it happened: how often SendGrid's rate limit held the run back, and how long. */
export function slowDownSentence({ times, waitedMs }: SlowDowns): string {
  const often = times === 1 ? 'once' : `${times} times`
  return `SendGrid's rate limit for requests, which every integration on the account shares, asked this run to slow down ${often}; it waited ${(waitedMs / 1000).toFixed(1)} s in all before sending those requests again.`
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

/** The summary of a run whose inputs are invalid: which, what was wrong, and that nothing was sent. */
export async function writeInvalidInputsSummary(error: InvalidInputsError): Promise<void> {
  const rows = error.problems.map((p) => [
    code(p.input),
    code(p.value),
    escapeHtml(p.reason.replace(/^it /, ''))
  ])
  try {
    await core.summary
      .addHeading('SendGrid segment refresh', 2)
      .addRaw(
        `<p><strong>${error.problems.length === 1 ? '1 input is' : `${error.problems.length} inputs are`} invalid, so nothing was sent to SendGrid.</strong></p>`,
        true
      )
      .addTable([header('Input', 'Value given', 'What is wrong'), ...rows])
      .addRaw('<p>No request was sent, so no refresh budget was spent.</p>', true)
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

/**
 * Outside text as one line of HTML text: runs of white space, line breaks included, become one
 * space (a blank line would end the HTML block and let Markdown in), and no character makes a tag.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c)
}
