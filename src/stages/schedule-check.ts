// The schedule check of a scheduled run: the whole schedule, read from GitHub, or the line that
// fired the run when it cannot be; judged against the look-ahead. Loaded only on a scheduled run.
import { readWorkflowSchedule } from '../github/workflow-schedule.js'
import { log } from '../report/log.js'
import type { Settings } from '../inputs/settings.js'
import { coverageAdvice } from './schedule-advice.js'

export type ScheduleSettings = Pick<Settings, 'singleSendsWithinMs' | 'githubToken' | 'timeoutMs'>

export async function checkSchedule(
  settings: ScheduleSettings,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal
): Promise<void> {
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)])
  const schedule = await readWorkflowSchedule(
    settings.githubToken,
    env,
    timeout,
    settings.timeoutMs
  )
  let lines: string[]
  if (Array.isArray(schedule.lines)) lines = schedule.lines
  else {
    log.info(
      `The workflow's whole schedule was not read, so only the line that fired this run is judged: ${schedule.lines.unread}.`
    )
    if (schedule.fired === null) {
      log.debug('Schedule coverage not checked: the event payload has no schedule line.')
      return
    }
    lines = [schedule.fired]
  }
  const advice = coverageAdvice(lines, settings.singleSendsWithinMs / 60_000)
  if ('unreadable' in advice) {
    log.debug(
      `Schedule coverage not checked: this run's schedule cannot be read (${advice.unreadable}).`
    )
    return
  }
  if (advice.warning)
    log.warning(advice.warning, { title: 'Campaigns can fall between scheduled runs' })
  if (advice.notice) log.notice(advice.notice, { title: 'Scheduled at minute 0' })
}
