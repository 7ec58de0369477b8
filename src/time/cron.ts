// The five-field cron lines GitHub's `schedule:` accepts (UTC), read by croner; and the gaps between
// the runs of a whole schedule, its lines merged. croner reads more than GitHub does (`?`, `L`, `W`,
// `#`, `+`, `@hourly`, six fields): such a line is refused here first.
import { Cron } from 'croner'

/** One cron line as croner reads it, with the times it fires at on any day it fires. */
export interface CronLine {
  /** The line, its white space folded. */
  line: string
  cron: Cron
  /** Minutes after midnight (UTC), in order; empty for a line that never fires. */
  timesOfDay: number[]
}

const monthNames = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ')
const dayNames = 'SUN MON TUE WED THU FRI SAT'.split(' ')
/** Names each field may hold: only month and weekday names. */
const namesOf: Array<string[]> = [[], [], [], monthNames, dayNames]

/** A cron line longer than this is nobody's schedule. */
const maxLineLength = 200
const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs

/** Whether every item of a field is of GitHub's kind: `*`, a value or name, a range, a step. */
function githubField(text: string, index: number): boolean {
  return text.split(',').every((item) => {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item)
    if (!match) return false
    const [, first, last, step] = match
    const plain = (value: string): boolean =>
      /^\d{1,2}$/.test(value) || namesOf[index].includes(value.toUpperCase())
    // A weekday step with a start but no end ("1/2") ends at 6 for croner, at 7 (Sunday) for
    // Vixie cron, and from 7 never fires in croner: refused, not misread.
    if (index === 4 && first !== '*' && last === undefined && step !== undefined) return false
    return (first === '*' && last === undefined) || (plain(first) && (!last || plain(last)))
  })
}

/** The schedule of a five-field cron line as GitHub reads it, or null when it is not one. */
export function parseCron(text: string): CronLine | null {
  if (text.length > maxLineLength) return null
  const parts = text.trim().split(/\s+/)
  if (parts.length !== 5 || !parts.every(githubField)) return null
  const line = parts.join(' ')
  let cron: Cron
  try {
    // "5/15" runs from 5 to the end of the range, as GitHub reads it.
    cron = new Cron(line, { mode: '5-part', timezone: 'UTC', paused: true, sloppyRanges: true })
  } catch {
    return null
  }
  return { line, cron, timesOfDay: firstDayTimes(cron) }
}

/** The times of the first day the line fires in the calendar cycle: every firing day has them. */
function firstDayTimes(cron: Cron): number[] {
  const first = cron.nextRun(new Date(cycleStart - minuteMs))
  if (!first) return []
  const dayStart = Math.floor(first.getTime() / dayMs) * dayMs
  const times: number[] = []
  for (let run: Date | null = first; run && run.getTime() < dayStart + dayMs;) {
    times.push((run.getTime() - dayStart) / minuteMs)
    run = cron.nextRun(run)
  }
  return times
}

/** Whether the line fires on this UTC day (ms at its midnight). */
export function firesOnDay(line: CronLine, dayStart: number): boolean {
  return (
    line.timesOfDay.length > 0 &&
    line.cron.match(new Date(dayStart + line.timesOfDay[0] * minuteMs))
  )
}

/** The longest and shortest time between two consecutive runs, in minutes. */
export interface Gaps {
  longest: number
  shortest: number
  /** The lines that fire at the start of the longest gap, and at its end. */
  longestFrom: string[]
  longestTo: string[]
}

/** What every day on which the same lines fire looks like: its runs, merged, and the gaps inside it. */
interface DayPlan {
  first: { at: number; lines: string[] }
  last: { at: number; lines: string[] }
  inner: Gaps | null
}

function planOf(lines: CronLine[]): DayPlan {
  const times = new Map<number, string[]>()
  for (const { line, timesOfDay } of lines)
    for (const at of timesOfDay) times.set(at, [...(times.get(at) ?? []), line])
  const runs = [...times.entries()].sort(([a], [b]) => a - b).map(([at, lines]) => ({ at, lines }))
  const gaps = new GapCounter()
  for (let i = 1; i < runs.length; i++) gaps.note(runs[i - 1], runs[i], runs[i].at - runs[i - 1].at)
  return { first: runs[0], last: runs[runs.length - 1], inner: gaps.result() }
}

class GapCounter {
  private gaps: Gaps | null = null

  note(from: { lines: string[] }, to: { lines: string[] }, minutes: number): void {
    const gaps = this.gaps
    if (!gaps || minutes > gaps.longest) {
      this.gaps = {
        longest: minutes,
        shortest: Math.min(minutes, gaps?.shortest ?? minutes),
        longestFrom: from.lines,
        longestTo: to.lines
      }
    } else gaps.shortest = Math.min(gaps.shortest, minutes)
  }

  add(other: Gaps | null): void {
    if (!other) return
    this.note({ lines: other.longestFrom }, { lines: other.longestTo }, other.longest)
    this.gaps!.shortest = Math.min(this.gaps!.shortest, other.shortest)
  }

  result(): Gaps | null {
    return this.gaps
  }
}

/**
 * The gaps between the consecutive runs of every line together over `days` days from the UTC day
 * `firstDay` (ms), or null when they fire fewer than twice in them. A day's runs depend only on
 * which lines fire that day, so each such set of lines is worked out once.
 */
export function gapsBetweenRuns(lines: CronLine[], firstDay: number, days: number): Gaps | null {
  const plans = new Map<string, DayPlan>()
  const gaps = new GapCounter()
  let previous: { day: number; plan: DayPlan } | null = null
  for (let day = 0; day < days; day++) {
    const firing = lines.filter((line) => firesOnDay(line, firstDay + day * dayMs))
    if (firing.length === 0) continue
    const key = firing.map((line) => lines.indexOf(line)).join(',')
    let plan = plans.get(key)
    if (!plan) {
      plan = planOf(firing)
      plans.set(key, plan)
      gaps.add(plan.inner)
    }
    if (previous) {
      const minutes = (day - previous.day) * 24 * 60 + plan.first.at - previous.plan.last.at
      gaps.note(previous.plan.last, plan.first, minutes)
    }
    previous = { day, plan }
  }
  return gaps.result()
}

/** 28 years: every weekday falls on every date of every month, leap days included. */
export const calendarCycleDays = 28 * 365 + 7
/** The start of the cycle looked at: a fixed day, so the answer never depends on when it runs. */
export const cycleStart = Date.UTC(2001, 0, 1)

/** The gaps of a schedule over a whole calendar cycle, or null when it fires fewer than twice. */
export function scheduleGaps(lines: CronLine[]): Gaps | null {
  return gapsBetweenRuns(lines, cycleStart, calendarCycleDays)
}
