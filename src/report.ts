// Everything a person or a later step sees of a run: outputs, annotations and the job summary.
import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import type { SegmentResult } from './outcomes.js'

/** The `results` output entry: snake_case, every key always present. */
export function toResultEntry(result: SegmentResult): Record<string, unknown> {
  return {
    segment_id: result.segmentId,
    segment_name: result.segmentName,
    outcome: result.outcome,
    http_status: result.httpStatus,
    job_id: result.jobId,
    message: result.message,
    refreshes_used: result.refreshesUsed,
    max_refreshes: result.maxRefreshes,
    last_refreshed_at: result.lastRefreshedAt,
    contacts_count: result.contactsCount,
    next_refresh_at: result.nextRefreshAt
  }
}

/** Sets every output; called on every path, failures included, so later steps can rely on them. */
export function setOutputs(results: SegmentResult[]): void {
  const refreshed = results.filter((r) => r.outcome === 'refreshed')
  const idsWith = (outcome: SegmentResult['outcome']): string[] =>
    results.filter((r) => r.outcome === outcome).map((r) => r.segmentId)
  const jobIds = Object.fromEntries(
    refreshed.filter((r) => r.jobId).map((r) => [r.segmentId, r.jobId])
  )
  const contactsCounts = Object.fromEntries(
    results.filter((r) => r.contactsCount !== null).map((r) => [r.segmentId, r.contactsCount])
  )

  core.setOutput('job-id', refreshed.find((r) => r.jobId)?.jobId ?? '')
  core.setOutput('job-ids', JSON.stringify(jobIds))
  core.setOutput('results', JSON.stringify(results.map(toResultEntry)))
  core.setOutput('refreshed', JSON.stringify(idsWith('refreshed')))
  core.setOutput('rate-limited', JSON.stringify(idsWith('rate_limited')))
  core.setOutput('failed', JSON.stringify(idsWith('failed')))
  core.setOutput('contacts-counts', JSON.stringify(contactsCounts))
}

export function annotate(results: SegmentResult[]): void {
  for (const result of results) {
    const title = `Segment ${result.segmentName ?? result.segmentId}: ${result.outcome.replace('_', ' ')}`
    if (result.annotation === 'error') core.error(result.message, { title })
    else if (result.annotation === 'warning') core.warning(result.message, { title })
    else core.info(result.message)
  }
}

/** The step fails when a segment failed, or was rate-limited under `on-rate-limit: fail`. */
export function failureMessage(results: SegmentResult[], settings: Settings): string | null {
  const failed = results.filter((r) => r.outcome === 'failed').length
  const limited = results.filter((r) => r.outcome === 'rate_limited').length
  const parts: string[] = []
  if (failed > 0) parts.push(`${failed} of ${results.length} segment(s) failed`)
  if (limited > 0 && settings.onRateLimit === 'fail') {
    parts.push(
      `${limited} of ${results.length} segment(s) hit SendGrid's refresh limit (on-rate-limit: fail)`
    )
  }
  return parts.length > 0 ? `${parts.join('; ')}. See the annotations above.` : null
}

export function countsLine(results: SegmentResult[]): string {
  const count = (outcome: SegmentResult['outcome']): number =>
    results.filter((r) => r.outcome === outcome).length
  return `${count('refreshed')} refreshed, ${count('rate_limited')} rate-limited, ${count('failed')} failed`
}

/** Writes the job summary; a missing summary file is a warning, never a lost run. */
export async function writeSummary(results: SegmentResult[], settings: Settings): Promise<void> {
  const showNames = results.some((r) => r.segmentName)
  const showCounts = results.some((r) => r.contactsCount !== null)
  const showQuota = results.some((r) => r.refreshesUsed !== null)
  const showNext = results.some((r) => r.nextRefreshAt !== null)

  const header = [
    'Segment',
    ...(showNames ? ['Name'] : []),
    'Outcome',
    'HTTP status',
    'Job ID',
    ...(showCounts ? ['Contacts'] : []),
    ...(showQuota ? ['Refreshes used'] : []),
    ...(showNext ? ['Next refresh possible'] : []),
    'Message'
  ].map((data) => ({ data, header: true }))

  const rows = results.map((r) => [
    code(r.segmentId),
    ...(showNames ? [escapeHtml(r.segmentName ?? '')] : []),
    outcomeLabel(r.outcome),
    r.httpStatus === null ? '—' : String(r.httpStatus),
    r.jobId ? code(r.jobId) : '—',
    ...(showCounts ? [contactsCell(r)] : []),
    ...(showQuota
      ? [r.refreshesUsed === null ? '—' : `${r.refreshesUsed} of ${r.maxRefreshes ?? '?'}`]
      : []),
    ...(showNext ? [r.nextRefreshAt ?? '—'] : []),
    escapeHtml(r.message)
  ])

  try {
    await core.summary
      .addHeading('SendGrid segment refresh', 2)
      .addTable([header, ...rows])
      .addRaw(
        `Time zone: <code>${escapeHtml(settings.timeZone)}</code> · ${countsLine(results)}`,
        true
      )
      .write()
  } catch (error) {
    summaryNotWritten(error)
  }
}

export async function writeDryRunSummary(settings: Settings): Promise<void> {
  const rows = [
    ...settings.segmentIds.map((id) => [code(id), 'by ID']),
    ...settings.segmentNames.map((name) => [escapeHtml(name), 'by name (resolved on a real run)'])
  ]
  try {
    await core.summary
      .addHeading('SendGrid segment refresh (dry run)', 2)
      .addTable([
        [
          { data: 'Segment', header: true },
          { data: 'Given', header: true }
        ],
        ...rows
      ])
      .addRaw(
        `Dry run: nothing was sent to ${escapeHtml(settings.baseUrl)}. Time zone: <code>${escapeHtml(settings.timeZone)}</code>`,
        true
      )
      .write()
  } catch (error) {
    summaryNotWritten(error)
  }
}

function summaryNotWritten(error: unknown): void {
  // Drop what was not written, or the next write would repeat it.
  core.summary.emptyBuffer()
  core.warning(
    `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`
  )
}

function contactsCell(result: SegmentResult): string {
  if (result.contactsCount === null) return '—'
  if (result.contactsCountBefore !== null) {
    return `${result.contactsCountBefore} → ${result.contactsCount}`
  }
  return String(result.contactsCount)
}

function outcomeLabel(outcome: SegmentResult['outcome']): string {
  return { refreshed: '✅ refreshed', rate_limited: '⏳ rate limited', failed: '❌ failed' }[
    outcome
  ]
}

const code = (text: string): string => `<code>${escapeHtml(text)}</code>`

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c
  )
}
