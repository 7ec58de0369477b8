// A scheduled run that looks ahead for campaigns (`single-sends-within-minutes`) only serves every
// campaign if the next run comes before the look-ahead ends. On a `schedule` event the payload holds
// the cron line that fired this run: check it, and say plainly when campaigns can fall between runs.
import { closeSync, openSync, readSync } from 'node:fs'
import { parseCron, scheduleGaps } from '../time/cron.js'
import { isRecord, parseJson } from '../sendgrid/json.js'
import { describeDuration } from '../time/human-time.js'
import type { Settings } from '../inputs/settings.js'
import { log } from '../report/log.js'

/** A floor for how late GitHub starts scheduled runs at busy times (it can be later still). */
export const scheduleDelayMinutes = 15
/** Past this gap, looking ahead far enough would refresh audiences long before they are sent. */
export const longestUsefulGapMinutes = 180
/** Event payloads of scheduled runs are tiny; anything larger is not read. */
export const maxPayloadBytes = 1024 * 1024

export interface CoverageAdvice {
  warning: string | null
  notice: string | null
}

/**
 * What to tell the user about one schedule line and a look-ahead, or null (with why, for the debug
 * log) when the line cannot be read.
 */
export function coverageAdvice(
  line: string,
  lookAheadMinutes: number
): CoverageAdvice | { unreadable: string } {
  const schedule = parseCron(line)
  if (!schedule) return { unreadable: 'it is not a five-field cron line this action can read' }
  const gaps = scheduleGaps(schedule)
  if (!gaps) return { unreadable: 'it fires less than twice in 28 years' }
  const shown = line.trim().replace(/\s+/g, ' ')
  const name = `This schedule line (\`${shown}\`)`
  const needed = gaps.longest + scheduleDelayMinutes
  let warning: string | null = null
  if (lookAheadMinutes < needed) {
    const span = minutes(gaps.longest)
    const rhythm =
      gaps.longest === gaps.shortest
        ? `runs every ${span}`
        : `leaves up to ${span} between two runs`
    const missed = `${name} ${rhythm}, but single-sends-within-minutes looks only ${lookAheadMinutes} minutes ahead: a campaign that goes out between two runs gets no refresh.`
    warning =
      gaps.longest > longestUsefulGapMinutes
        ? `${missed} Looking ${span} ahead would refresh audiences long before they are sent: run the workflow more often instead (for example \`7,37 * * * *\`, every 30 minutes, with single-sends-within-minutes: 45).`
        : `${missed} Set single-sends-within-minutes to at least ${needed}.`
  }
  const notice = schedule.minutes.has(0)
    ? `${name} fires at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load). An offset minute, such as ${offsetExample(shown, schedule.minutes)}, starts on time more often.`
    : null
  return { warning, notice }
}

function minutes(count: number): string {
  return count <= longestUsefulGapMinutes ? `${count} minutes` : describeDuration(count * 60_000)
}

/** The same line at minute 7 (or 7 later), when that keeps every run in its hour. */
function offsetExample(line: string, runMinutes: Set<number>): string {
  const shifted = [...runMinutes].sort((a, b) => a - b).map((m) => m + 7)
  if (shifted.at(-1)! > 59) return 'minute 7'
  return `\`${[shifted.join(','), ...line.split(' ').slice(1)].join(' ')}\``
}

/** The cron line that fired this run, when it is a scheduled one; why not, otherwise. */
export function scheduleLineOfThisRun(env: NodeJS.ProcessEnv): { line: string } | { none: string } {
  if (env.GITHUB_EVENT_NAME !== 'schedule')
    return { none: 'this run was not started by a schedule' }
  const path = env.GITHUB_EVENT_PATH
  if (!path) return { none: 'GITHUB_EVENT_PATH is not set' }
  let text: string
  try {
    text = readAtMost(path, maxPayloadBytes)
  } catch (error) {
    return { none: `the event payload could not be read (${(error as Error).message})` }
  }
  const payload = parseJson(text)
  if (!isRecord(payload) || typeof payload.schedule !== 'string')
    return { none: 'the event payload has no schedule line' }
  return { line: payload.schedule }
}

function readAtMost(path: string, limit: number): string {
  const file = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(limit + 1)
    const size = readSync(file, buffer, 0, buffer.length, 0)
    if (size > limit) throw new Error(`larger than ${limit / 1024 / 1024} MiB`)
    return buffer.toString('utf8', 0, size)
  } finally {
    closeSync(file)
  }
}

/** Warns when this schedule line leaves room for a campaign to go out between two runs. */
export function checkScheduleCoverage(
  settings: Pick<Settings, 'singleSendsWithinMs'>,
  env: NodeJS.ProcessEnv = process.env
): void {
  if (settings.singleSendsWithinMs <= 0) return
  const fired = scheduleLineOfThisRun(env)
  if ('none' in fired) {
    log.debug(`Schedule coverage not checked: ${fired.none}.`)
    return
  }
  const advice = coverageAdvice(fired.line, settings.singleSendsWithinMs / 60_000)
  if ('unreadable' in advice) {
    log.debug(
      `Schedule coverage not checked: this run's schedule line cannot be read (${advice.unreadable}).`
    )
    return
  }
  if (advice.warning)
    log.warning(advice.warning, { title: 'Campaigns can fall between scheduled runs' })
  if (advice.notice) log.notice(advice.notice, { title: 'Scheduled at minute 0' })
}
