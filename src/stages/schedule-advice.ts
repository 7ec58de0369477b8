// What to tell the user about a schedule and a look-ahead: a scheduled run that looks ahead for
// campaigns (`single-sends-within-minutes`) only serves every campaign if the next run comes before
// the look-ahead ends, and GitHub starts runs late at minute 0.
import { parseCron, scheduleGaps, type CronLine } from '../time/cron.js'
import { describeDuration } from '../time/human-time.js'

/** A floor for how late GitHub starts scheduled runs at busy times (it can be later still). */
export const scheduleDelayMinutes = 15
/** Past this gap, looking ahead far enough would refresh audiences long before they are sent. */
export const longestUsefulGapMinutes = 180

export interface CoverageAdvice {
  warning: string | null
  notice: string | null
}

const quoted = (line: string): string => `\`${line}\``
const listed = (lines: string[]): string =>
  lines.length === 1
    ? quoted(lines[0])
    : `${lines.slice(0, -1).map(quoted).join(', ')} and ${quoted(lines.at(-1)!)}`

/**
 * What to tell the user about a schedule (every cron line of the workflow, or the one that fired
 * the run) and a look-ahead, or why the schedule cannot be judged.
 */
export function coverageAdvice(
  lines: string[],
  lookAheadMinutes: number
): CoverageAdvice | { unreadable: string } {
  const parsed: CronLine[] = []
  for (const text of lines) {
    const line = parseCron(text)
    if (!line) return { unreadable: 'it is not a five-field cron line this action can read' }
    if (!parsed.some((p) => p.line === line.line)) parsed.push(line)
  }
  const gaps = scheduleGaps(parsed)
  if (!gaps) return { unreadable: 'it fires less than twice in 28 years' }
  const shown = parsed.map((p) => p.line)
  const name =
    shown.length === 1
      ? `This schedule line (${quoted(shown[0])})`
      : `This workflow's schedule (${listed(shown)})`
  const needed = gaps.longest + scheduleDelayMinutes
  let warning: string | null = null
  if (lookAheadMinutes < needed) {
    const span = minutes(gaps.longest)
    const from =
      shown.length === 1
        ? ''
        : `, from a run of ${listed(gaps.longestFrom)} to the next, of ${listed(gaps.longestTo)}`
    const rhythm =
      gaps.longest === gaps.shortest
        ? `runs every ${span}`
        : `leaves up to ${span} between two runs${from}`
    const missed = `${name} ${rhythm}, but single-sends-within-minutes looks only ${lookAheadMinutes} minutes ahead: a campaign that goes out between two runs gets no refresh.`
    warning =
      gaps.longest > longestUsefulGapMinutes
        ? `${missed} Looking ${span} ahead would refresh audiences long before they are sent: run the workflow more often instead (for example \`7,37 * * * *\`, every 30 minutes, with single-sends-within-minutes: 45).`
        : `${missed} Set single-sends-within-minutes to at least ${needed}.`
  }
  return { warning, notice: minuteZeroNotice(parsed) }
}

/** The lines that fire at minute 0, each with an offset one, or null when none does. */
function minuteZeroNotice(lines: CronLine[]): string | null {
  const atZero = lines.filter((line) => line.timesOfDay.some((t) => t % 60 === 0))
  if (atZero.length === 0) return null
  const fires = `fire${atZero.length === 1 ? 's' : ''} at minute 0 of the hour, when GitHub delays scheduled runs the most (and drops some under load).`
  if (lines.length === 1)
    return `This schedule line (${quoted(atZero[0].line)}) ${fires} An offset minute, such as ${offsetExample(atZero[0])}, starts on time more often.`
  const each = atZero.map((line) => `${offsetExample(line)} for ${quoted(line.line)}`)
  return `The schedule line${atZero.length === 1 ? '' : 's'} ${listed(atZero.map((l) => l.line))} ${fires} An offset minute starts on time more often: such as ${each.join('; ')}.`
}

function minutes(count: number): string {
  return count <= longestUsefulGapMinutes ? `${count} minutes` : describeDuration(count * 60_000)
}

/** The same line at minute 7 (or 7 later), when that keeps every run in its hour. */
function offsetExample({ line, timesOfDay }: CronLine): string {
  const shifted = [...new Set(timesOfDay.map((t) => t % 60))]
    .sort((a, b) => a - b)
    .map((m) => m + 7)
  if (shifted.at(-1)! > 59) return 'minute 7'
  return quoted([shifted.join(','), ...line.split(' ').slice(1)].join(' '))
}
