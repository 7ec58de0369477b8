// The story of one run: read the inputs, find the segments, settle those that are fresh or cannot be
// refreshed, refresh the rest within the account's daily budget, optionally wait for SendGrid to
// recompute them, and report every result.
import * as core from '@actions/core'
import { withinRunBudget } from './budget.js'
import { getSettings, InvalidInputsError, type Settings } from './inputs.js'
import type { SegmentResult } from './outcomes.js'
import { preflight } from './preflight.js'
import { refreshSegments } from './refresh.js'
import { annotate, failureMessage, setOutputs, writeDryRunSummary, writeSummary } from './report.js'
import { SegmentNamesError } from './segment-names.js'
import { SendGridClient } from './sendgrid-client.js'
import { resolveTargets } from './targets.js'
import { waitForRefreshes } from './wait.js'

export async function run(): Promise<void> {
  let results: SegmentResult[] = []
  try {
    const settings = getSettings()
    logPlan(settings)
    if (settings.dryRun) {
      await writeDryRunSummary(settings)
      core.info('Dry run: every input is valid; nothing was sent to SendGrid.')
      return
    }
    results = await refreshAll(settings)
    annotate(results)
    await writeSummary(results, settings)
    const failure = failureMessage(results, settings)
    if (failure) core.setFailed(failure)
  } catch (error) {
    fail(error)
  } finally {
    // Later steps read the outputs even when this one fails.
    try {
      setOutputs(results)
    } catch (error) {
      fail(error)
    }
  }
}

async function refreshAll(settings: Settings): Promise<SegmentResult[]> {
  const client = new SendGridClient(settings)
  try {
    const targets = await resolveTargets(client, settings)
    const { toRefresh, settled } = await preflight(client, settings, targets)
    const { send, overBudget } = withinRunBudget(toRefresh, targets, settings, Date.now())
    const sent = await refreshSegments(client, settings, send)
    const refreshed = settings.wait
      ? await waitForRefreshes(client, settings, sent)
      : sent.map((s) => s.result)
    // Results follow the order the segments were given in.
    const byId = new Map(
      [...settled, ...overBudget, ...refreshed].map((result) => [result.segmentId, result])
    )
    return targets.flatMap((target) => byId.get(target.segmentId) ?? [])
  } finally {
    client.dispose()
  }
}

function fail(error: unknown): void {
  if (error instanceof InvalidInputsError) {
    for (const problem of error.problems)
      core.error(problem.toString(), { title: `Invalid input: ${problem.input}` })
    core.setFailed(`${error.problems.length} input(s) are invalid; nothing was sent to SendGrid.`)
  } else if (error instanceof SegmentNamesError) {
    for (const problem of error.problems) core.error(problem, { title: 'Unknown segment name' })
    core.setFailed('Some segment names could not be resolved; no segment was refreshed.')
  } else {
    if (error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(`Unexpected error: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function logPlan(settings: Settings): void {
  for (const id of settings.duplicateSegmentIds) {
    core.info(`Segment ${id} was given more than once in segment-ids; it is refreshed once.`)
  }
  const given = [
    ...settings.segmentIds,
    ...settings.segmentNames.map((name) => JSON.stringify(name))
  ]
  const freshness =
    settings.freshWithinMs > 0
      ? `, except those SendGrid recomputed in the last ${settings.freshWithinMs / 60_000} minutes`
      : ''
  core.info(
    `${settings.dryRun ? 'Would refresh' : 'Refreshing'} ${given.length} segment(s)${freshness} at ${settings.baseUrl} (time zone ${settings.timeZone}): ${given.join(', ')}`
  )
}
