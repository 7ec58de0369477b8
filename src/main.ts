// The story of one run: read the inputs, refresh each segment, report every result.
import * as core from '@actions/core'
import { getSettings, InvalidInputsError, type Settings } from './inputs.js'
import type { SegmentResult } from './outcomes.js'
import { refreshSegments, type Target } from './refresh.js'
import { annotate, failureMessage, setOutputs, writeDryRunSummary, writeSummary } from './report.js'
import { SendGridClient } from './sendgrid-client.js'

export async function run(): Promise<void> {
  let settings: Settings
  try {
    settings = getSettings()
  } catch (error) {
    setOutputs([])
    if (error instanceof InvalidInputsError) {
      for (const problem of error.problems)
        core.error(problem.toString(), { title: `Invalid input: ${problem.input}` })
      core.setFailed(`${error.problems.length} input(s) are invalid; nothing was sent to SendGrid.`)
      return
    }
    throw error
  }

  logPlan(settings)
  if (settings.dryRun) {
    setOutputs([])
    await writeDryRunSummary(settings)
    core.info('Dry run: every input is valid; nothing was sent to SendGrid.')
    return
  }

  const client = new SendGridClient(settings)
  let results: SegmentResult[]
  try {
    const targets: Target[] = settings.segmentIds.map((segmentId) => ({
      segmentId,
      segmentName: null
    }))
    results = await refreshSegments(client, settings, targets)
  } finally {
    client.dispose()
  }

  annotate(results)
  setOutputs(results)
  await writeSummary(results, settings)
  const failure = failureMessage(results, settings)
  if (failure) core.setFailed(failure)
}

function logPlan(settings: Settings): void {
  for (const id of settings.duplicateSegmentIds) {
    core.info(`Segment ${id} was given more than once in segment-ids; it is refreshed once.`)
  }
  const what = settings.dryRun ? 'Would refresh' : 'Refreshing'
  core.info(
    `${what} ${settings.segmentIds.length} segment(s) at ${settings.baseUrl} (time zone ${settings.timeZone}): ${settings.segmentIds.join(', ')}`
  )
}
