// A scheduled run that looks ahead for campaigns checks that its schedule cannot let a campaign fall
// between two runs. Only such a run pays for it: the check, GitHub's client and the cron library
// load then, as a chunk of their own (schedule-check.ts). This check never fails a run.
import { log } from '../report/log.js'
// A type only: erased from the bundle, so importing it loads nothing.
import type { ScheduleSettings } from './schedule-check.js'

/** Warns when the schedule leaves room for a campaign to go out between two runs. */
export async function checkScheduleCoverage(
  settings: ScheduleSettings,
  env: NodeJS.ProcessEnv = process.env,
  signal: AbortSignal = new AbortController().signal
): Promise<void> {
  if (settings.singleSendsWithinMs <= 0) return
  if (env.GITHUB_EVENT_NAME !== 'schedule') {
    log.debug('Schedule coverage not checked: this run was not started by a schedule.')
    return
  }
  try {
    const { checkSchedule } = await import('./schedule-check.js')
    await checkSchedule(settings, env, signal)
  } catch (error) {
    // A check that only advises must never stop the run.
    log.debug(`Schedule coverage not checked: ${error instanceof Error ? error.message : error}.`)
  }
}
