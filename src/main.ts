// The story of one run: read the inputs, find the campaigns and the segments they go to, wait for
// the contacts the pipeline wrote to land, settle the segments that are fresh or cannot be refreshed, refresh the rest within the account's daily
// budget, optionally wait for SendGrid to recompute them, and report every result.
import { withinRunBudget } from './budget.js'
import { jobsNotLanded, notRefreshedForContacts, waitForContactJobs } from './contact-jobs.js'
import { getSettings, InvalidInputsError, type Settings } from './inputs.js'
import { log } from './log.js'
import { LookupError } from './name-match.js'
import type { SegmentResult } from './outcomes.js'
import { preflight } from './preflight.js'
import { refreshSegments } from './refresh.js'
import { checkScheduleCoverage } from './schedule-coverage.js'
import {
  annotate,
  failureMessage,
  setOutputs,
  writeDryRunSummary,
  writeSummary,
  type RunOutcome
} from './report.js'
import { SendGridClient } from './sendgrid-client.js'
import { findSingleSends } from './single-sends.js'
import { resolveTargets, type Target } from './targets.js'
import { waitForRefreshes } from './wait.js'

export async function run(): Promise<void> {
  let outcome: RunOutcome = { results: [], singleSends: [] }
  try {
    const settings = getSettings()
    logPlan(settings)
    checkScheduleCoverage(settings)
    if (settings.dryRun) {
      await writeDryRunSummary(settings)
      log.info('Dry run: every input is valid; nothing was sent to SendGrid.')
      return
    }
    outcome = await refreshAll(settings)
    annotate(outcome.results)
    await writeSummary(outcome, settings)
    const failure = failureMessage(outcome.results, settings, outcome.contacts)
    if (failure) log.fail(failure)
  } catch (error) {
    fail(error)
  } finally {
    // Later steps read the outputs even when this one fails.
    try {
      setOutputs(outcome)
    } catch (error) {
      fail(error)
    }
  }
}

async function refreshAll(settings: Settings): Promise<RunOutcome> {
  const client = new SendGridClient(settings)
  try {
    const singleSends = await findSingleSends(client, settings, Date.now())
    const targets = await resolveTargets(client, settings, singleSends)
    // Contacts first: no segment is read or refreshed before the contacts written for it landed.
    const contacts = await waitForContactJobs(client, settings)
    if (jobsNotLanded(contacts.jobs).length > 0) {
      const results = targets.map((target) => notRefreshedForContacts(target, contacts.jobs))
      return { results: withSingleSends(results, targets), singleSends, contacts }
    }
    const { toRefresh, settled } = await preflight(client, settings, targets, contacts.landedAt)
    const { send, overBudget } = withinRunBudget(toRefresh, targets, settings, Date.now())
    const sent = await refreshSegments(client, settings, send)
    const refreshed = settings.wait
      ? await waitForRefreshes(client, settings, sent, singleSends)
      : sent.map((s) => s.result)
    const results = withSingleSends([...settled, ...overBudget, ...refreshed], targets)
    return { results, singleSends, contacts }
  } finally {
    client.dispose()
  }
}

/** Results in the order the segments were given in, each with its Single Sends. */
function withSingleSends(results: SegmentResult[], targets: Target[]): SegmentResult[] {
  const byId = new Map(results.map((result) => [result.segmentId, result]))
  return targets.flatMap((target) => {
    const result = byId.get(target.segmentId)
    return result ? [{ ...result, singleSendIds: target.singleSendIds }] : []
  })
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

function logPlan(settings: Settings): void {
  for (const id of settings.duplicateSegmentIds) {
    log.info(`Segment ${id} was given more than once in segment-ids; it is refreshed once.`)
  }
  const segments = [
    ...settings.segmentIds,
    ...settings.segmentNames.map((name) => JSON.stringify(name))
  ]
  const campaigns = [
    ...settings.singleSendIds.map((id) => `Single Send ${id}`),
    ...settings.singleSendNames.map((name) => `Single Send ${JSON.stringify(name)}`),
    ...(settings.singleSendsWithinMs > 0
      ? [`every Single Send scheduled in the next ${settings.singleSendsWithinMs / 60_000} minutes`]
      : [])
  ]
  const what = [
    ...(segments.length > 0 ? [`${segments.length} segment(s) (${segments.join(', ')})`] : []),
    ...(campaigns.length > 0 ? [`the segments of ${campaigns.join(', ')}`] : [])
  ].join(' and ')
  const contacts =
    settings.contactJobIds.length > 0
      ? `, after contact job(s) ${settings.contactJobIds.join(', ')} have finished`
      : ''
  const freshness =
    settings.freshWithinMs > 0
      ? `, except what SendGrid recomputed in the last ${settings.freshWithinMs / 60_000} minutes`
      : ''
  log.info(
    `${settings.dryRun ? 'Would refresh' : 'Refreshing'} ${what}${contacts}${freshness}${contacts || freshness ? ',' : ''} at ${settings.baseUrl} (time zone ${settings.timeZone}).`
  )
}
