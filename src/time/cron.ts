// The five-field cron lines GitHub's `schedule:` accepts (UTC): lists, ranges, steps, month and day
// names. Only what is needed to know when a line fires; a line it cannot read gives null.

export interface CronSchedule {
  /** Minutes of the hour, hours of the day, days of the month, months (1-12), weekdays (0 = Sunday). */
  minutes: Set<number>
  hours: Set<number>
  daysOfMonth: Set<number>
  months: Set<number>
  weekdays: Set<number>
  /** Both day fields restricted: a day matches if either does (standard cron). */
  eitherDay: boolean
}

const monthNames = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC'
]
const dayNames = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

interface FieldSpec {
  min: number
  max: number
  /** Names for min, min + 1, ... */
  names?: string[]
}

const fields: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: monthNames },
  // 7 is Sunday too.
  { min: 0, max: 7, names: dayNames }
]

/** A cron line longer than this is nobody's schedule. */
const maxLineLength = 200

/** The schedule of a five-field cron line, or null when it is not one. */
export function parseCron(line: string): CronSchedule | null {
  if (line.length > maxLineLength) return null
  const parts = line.trim().split(/\s+/)
  if (parts.length !== 5) return null
  const sets = parts.map((part, index) => parseField(part, fields[index]))
  if (sets.some((set) => set === null)) return null
  const [minutes, hours, daysOfMonth, months, weekdays] = sets as Set<number>[]
  if (weekdays.delete(7)) weekdays.add(0)
  return {
    minutes,
    hours,
    daysOfMonth,
    months,
    weekdays,
    eitherDay: !parts[2].startsWith('*') && !parts[4].startsWith('*')
  }
}

function parseField(text: string, spec: FieldSpec): Set<number> | null {
  const values = new Set<number>()
  for (const item of text.split(',')) {
    const match = /^(\*|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item)
    if (!match) return null
    const [, first, last, stepText] = match
    if (first === '*' && last !== undefined) return null
    const from = first === '*' ? spec.min : valueOf(first, spec)
    // "5/15" runs from 5 to the end of the range, as "*/15" does from its start.
    const to =
      first === '*' || (last === undefined && stepText !== undefined)
        ? spec.max
        : last === undefined
          ? from
          : valueOf(last, spec)
    const step = stepText === undefined ? 1 : Number(stepText)
    if (from === null || to === null || from > to || step < 1 || step > spec.max) return null
    for (let value = from; value <= to; value += step) values.add(value)
  }
  return values
}

function valueOf(text: string, spec: FieldSpec): number | null {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1
  if (named >= 0) return spec.min + named
  if (!/^\d{1,2}$/.test(text)) return null
  const value = Number(text)
  return value >= spec.min && value <= spec.max ? value : null
}

const dayMs = 24 * 60 * 60 * 1000
const minutesADay = 24 * 60

/** Whether the line fires on this UTC day (ms at its midnight). */
export function firesOnDay(schedule: CronSchedule, dayStart: number): boolean {
  const date = new Date(dayStart)
  if (!schedule.months.has(date.getUTCMonth() + 1)) return false
  const dayOfMonth = schedule.daysOfMonth.has(date.getUTCDate())
  const weekday = schedule.weekdays.has(date.getUTCDay())
  return schedule.eitherDay ? dayOfMonth || weekday : dayOfMonth && weekday
}

/** Firing times within one day, as minutes after midnight, in order. */
export function timesOfDay(schedule: CronSchedule): number[] {
  const hours = [...schedule.hours].sort((a, b) => a - b)
  const minutes = [...schedule.minutes].sort((a, b) => a - b)
  return hours.flatMap((hour) => minutes.map((minute) => hour * 60 + minute))
}

/** The longest and shortest time between two consecutive runs, in minutes. */
export interface Gaps {
  longest: number
  shortest: number
}

/**
 * The gaps between consecutive runs over `days` days from the UTC day `firstDay` (ms), or null when
 * the line fires fewer than twice in them. Every firing day has the same times, so only the times
 * within a day and the step from one firing day to the next need looking at.
 */
export function gapsBetweenRuns(
  schedule: CronSchedule,
  firstDay: number,
  days: number
): Gaps | null {
  const times = timesOfDay(schedule)
  let longest = -Infinity
  let shortest = Infinity
  const note = (gap: number): void => {
    longest = Math.max(longest, gap)
    shortest = Math.min(shortest, gap)
  }
  let previousDay: number | null = null
  for (let day = 0; day < days; day++) {
    if (!firesOnDay(schedule, firstDay + day * dayMs)) continue
    if (previousDay !== null) note((day - previousDay) * minutesADay + times[0] - times.at(-1)!)
    previousDay = day
  }
  if (previousDay === null) return null
  for (let i = 1; i < times.length; i++) note(times[i] - times[i - 1])
  return Number.isFinite(longest) ? { longest, shortest } : null
}

/** 28 years: every weekday falls on every date of every month, leap days included. */
export const calendarCycleDays = 28 * 365 + 7
/** The start of the cycle looked at: a fixed day, so the answer never depends on when it runs. */
export const cycleStart = Date.UTC(2001, 0, 1)

/** The gaps of a line over a whole calendar cycle, or null when it fires fewer than twice. */
export function scheduleGaps(schedule: CronSchedule): Gaps | null {
  return gapsBetweenRuns(schedule, cycleStart, calendarCycleDays)
}
