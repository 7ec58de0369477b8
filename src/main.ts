// The story of one run: read the inputs, find the campaigns and the segments they go to, wait for
// the contacts the pipeline wrote to land, settle the segments that are fresh or cannot be
// refreshed, refresh the rest within the account's daily budget, optionally wait for SendGrid to
// recompute them, and report every result: from the run's record, whatever ends the run.
import { withinRunBudget } from './stages/budget.js'
import { warnOfCampaignsDaysAway } from './stages/campaigns-days-away.js'
import { listenForCancel, untilDoneOrCancelled, type Cancellation } from './run/cancellation.js'
import {
  jobsNotLanded,
  notRefreshedForContacts,
  waitForContactJobs
} from './stages/contact-jobs.js'
import { getSettings, InvalidInputsError, type Settings } from './inputs/settings.js'
import { log } from './report/log.js'
import { LookupError } from './stages/name-match.js'
import { preflight } from './stages/preflight.js'
import { refreshSegments } from './stages/refresh.js'
import { setOutputs } from './report/outputs.js'
import { cutShortSentence, planSentences } from './report/sentences.js'
import {
  writeDryRunSummary,
  writeInvalidInputsSummary,
  writeLookupSummary,
  writeSummary
} from './report/summary.js'
import { annotate, failureMessage } from './report/verdict.js'
import { RunRecord, type RunEnd } from './run/record.js'
import { checkScheduleCoverage } from './stages/schedule-coverage.js'
import { SendGridClient } from './sendgrid/client.js'
import { findSingleSends } from './stages/single-sends.js'
import { newTarget, resolveTargets } from './stages/targets.js'
import { waitForRefreshes } from './stages/wait.js'

export async function run(cancellation: Cancellation = listenForCancel()): Promise<void> {
  const record = new RunRecord()
  let settings: Settings | null = null
  let client: SendGridClient | null = null
  let end: RunEnd = 'done'
  try {
    settings = getSettings()
    for (const line of planSentences(settings)) log.info(line)
    if (settings.timeZoneWarning) log.warning(settings.timeZoneWarning, { title: 'Time zone' })
    await checkScheduleCoverage(settings, process.env, cancellation.signal)
    if (settings.dryRun) {
      await writeDryRunSummary(settings)
      log.info(
        'Dry run: the inputs are valid, and nothing was sent to SendGrid. So nothing was looked up: segment and Single Send names, contact jobs, quotas and freshness are resolved and read by a real run, before any refresh.'
      )
      return
    }
    client = new SendGridClient({ ...settings, signal: cancellation.signal })
    record.watchSlowDowns(client.slowDowns)
    end = await untilDoneOrCancelled(refreshAll(client, settings, record), cancellation)
    record.close()
    const outcome = record.outcome(end, settings.wait)
    annotate(outcome.results)
    await writeSummary(outcome, settings)
    const failure =
      end === 'cancelled'
        ? cutShortSentence(outcome.results, end)
        : failureMessage(outcome.results, settings, outcome.contacts)
    if (failure) log.fail(failure)
  } catch (error) {
    record.close()
    fail(error)
    // Inputs fail before any request: the summary says which and why. Lookups fail before any
    // refresh: it says what could not be found. Anything else may come after refreshes were
    // spent, and the record holds them.
    if (error instanceof InvalidInputsError) {
      await writeInvalidInputsSummary(error)
    } else if (error instanceof LookupError && settings) {
      await writeLookupSummary(error, settings)
    } else if (settings && !record.isEmpty) {
      end = 'error'
      await writeSummary(record.outcome(end, settings.wait), settings)
    }
  } finally {
    // Later steps read the outputs even when this one fails or is cancelled.
    try {
      setOutputs(
        record.outcome(end, settings?.wait ?? false),
        settings?.recomputedBy ?? 'sample_updated_at'
      )
    } catch (error) {
      fail(error)
    }
    // Closes every socket, including a request a cancelled run gave up on.
    client?.dispose()
    cancellation.dispose()
  }
}

/** Every stage of a real run, each adding what it learns to the record as it goes. */
async function refreshAll(
  client: SendGridClient,
  settings: Settings,
  record: RunRecord
): Promise<void> {
  const startedAt = Date.now()
  // The segments given by ID are known before any request.
  record.knowTargets(settings.segmentIds.map((id) => newTarget(id)))
  const singleSends = await findSingleSends(client, settings, startedAt)
  record.knowSingleSends(singleSends)
  const targets = await resolveTargets(client, settings, singleSends)
  record.knowTargets(targets)

  // Contacts first: no segment is read or refreshed before the contacts written for it landed.
  const contacts = await waitForContactJobs(client, settings, (jobs) => record.knowContacts(jobs))
  if (client.signal.aborted) return
  record.knowContacts(contacts.jobs, contacts.landedAt)
  if (jobsNotLanded(contacts.jobs).length > 0) {
    record.knowResults(targets.map((target) => notRefreshedForContacts(target, contacts.jobs)))
    return
  }

  const preflighted = await preflight(client, settings, targets, contacts.landedAt)
  if (client.signal.aborted) return
  record.knowResults(preflighted.settled)
  const { send, overBudget } = withinRunBudget(preflighted.toRefresh, targets, settings, Date.now())
  record.knowResults(overBudget)
  const refreshing = send.map(({ target }) => target.segmentId)
  warnOfCampaignsDaysAway(singleSends, refreshing, settings.timeZone, startedAt)
  const sent = await refreshSegments(client, settings, send, record)
  if (settings.wait) {
    // This run's refreshes, and refreshes accepted before it that SendGrid is still recomputing.
    await waitForRefreshes(client, settings, sent, singleSends, record, preflighted.recomputing)
  }
}

function fail(error: unknown): void {
  if (error instanceof InvalidInputsError) {
    for (const problem of error.problems)
      log.error(problem.toString(), { title: `Invalid input: ${problem.input}` })
    log.fail(`${error.problems.length} input(s) are invalid; nothing was sent to SendGrid.`)
  } else if (error instanceof LookupError) {
    for (const problem of error.problems) log.error(problem, { title: error.title })
    log.fail(error.summary)
  } else {
    if (error instanceof Error && error.stack) log.debug(error.stack)
    log.fail(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`)
  }
}
