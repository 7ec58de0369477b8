// A cron line expanded into the values of its fields, straight from the definition of cron, for
// tests to check what the action makes of croner against: never used by the action itself.

export interface CronSchedule {
  /** Minutes of the hour, hours of the day, days of the month, months (1-12), weekdays (0 = Sunday). */
  minutes: Set<number>
  hours: Set<number>
  daysOfMonth: Set<number>
  months: Set<number>
  weekdays: Set<number>
  /** Both day fields restricted: a day matches if either does. */
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
export function referenceSchedule(line: string): CronSchedule | null {
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
    // As croner reads it: a day field other than a bare star restricts the day.
    eitherDay: parts[2] !== '*' && parts[4] !== '*'
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

/** Whether the schedule fires at this UTC minute. */
export function firesAt(schedule: CronSchedule, instant: number): boolean {
  const t = new Date(instant)
  const dom = schedule.daysOfMonth.has(t.getUTCDate())
  const dow = schedule.weekdays.has(t.getUTCDay())
  return (
    schedule.minutes.has(t.getUTCMinutes()) &&
    schedule.hours.has(t.getUTCHours()) &&
    schedule.months.has(t.getUTCMonth() + 1) &&
    (schedule.eitherDay ? dom || dow : dom && dow)
  )
}
