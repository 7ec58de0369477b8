// The cron lines of GitHub's `schedule:`: what they fire on, and the longest wait between two runs,
// checked against a brute-force expansion minute by minute.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  calendarCycleDays,
  cycleStart,
  gapsBetweenRuns,
  parseCron,
  scheduleGaps,
  timesOfDay,
  type CronSchedule
} from '../../src/time/cron.js'

const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs
const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b)
const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

/** Whether the schedule fires at this UTC minute, straight from the definition of cron. */
function firesAt(schedule: CronSchedule, instant: number): boolean {
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

function bruteForceGaps(schedule: CronSchedule, firstDay: number, days: number) {
  let previous: number | null = null
  let longest = -Infinity
  let shortest = Infinity
  for (let t = firstDay; t < firstDay + days * dayMs; t += minuteMs) {
    if (!firesAt(schedule, t)) continue
    if (previous !== null) {
      longest = Math.max(longest, (t - previous) / minuteMs)
      shortest = Math.min(shortest, (t - previous) / minuteMs)
    }
    previous = t
  }
  return Number.isFinite(longest) ? { longest, shortest } : null
}

const gapOf = (line: string) => scheduleGaps(parseCron(line)!)

describe('parseCron', () => {
  it('reads lists, ranges, steps and names', () => {
    const schedule = parseCron('5,35 9-17/4 1-7 jan,Jul-SEP mon-FRI')!
    expect(sorted(schedule.minutes)).toEqual([5, 35])
    expect(sorted(schedule.hours)).toEqual([9, 13, 17])
    expect(sorted(schedule.daysOfMonth)).toEqual(range(1, 7))
    expect(sorted(schedule.months)).toEqual([1, 7, 8, 9])
    expect(sorted(schedule.weekdays)).toEqual([1, 2, 3, 4, 5])
    expect(schedule.eitherDay).toBe(true)
  })

  it('reads stars, steps from a start, and Sunday as 0 or 7', () => {
    const schedule = parseCron('*/15 * * * 7')!
    expect(sorted(schedule.minutes)).toEqual([0, 15, 30, 45])
    expect(sorted(schedule.hours)).toEqual(range(0, 23))
    expect(sorted(schedule.daysOfMonth)).toEqual(range(1, 31))
    expect(sorted(schedule.months)).toEqual(range(1, 12))
    expect(sorted(schedule.weekdays)).toEqual([0])
    expect(schedule.eitherDay).toBe(false)
    expect(sorted(parseCron('10/20 0 * * 5-7')!.minutes)).toEqual([10, 30, 50])
    expect(sorted(parseCron('0 0 * * 5-7')!.weekdays)).toEqual([0, 5, 6])
    expect(sorted(parseCron('0 0 * * sun,SAT')!.weekdays)).toEqual([0, 6])
  })

  it('counts a day field as restricted unless it starts with a star', () => {
    expect(parseCron('0 0 */2 * 1')!.eitherDay).toBe(false)
    expect(parseCron('0 0 1 * */2')!.eitherDay).toBe(false)
    expect(parseCron('0 0 1 * 1')!.eitherDay).toBe(true)
  })

  it.each([
    '',
    '* * * *',
    '* * * * * *',
    '60 * * * *',
    '* 24 * * *',
    '* * 0 * *',
    '* * 32 * *',
    '* * * 13 *',
    '* * * 0 *',
    '* * * * 8',
    '5-1 * * * *',
    '*/0 * * * *',
    '*/61 * * * *',
    '*-5 * * * *',
    '1,,2 * * * *',
    '@hourly',
    'L * * * *',
    '* * * JANUARY *',
    '* * * * MONDAY',
    '0 0 ? * *',
    '100 * * * *',
    '!5 * * * *',
    '5/2x * * * *',
    'X-5 * * * *',
    '0-X * * * *',
    '1e1 * * * *',
    '0x1 * * * *',
    `0 ${'1,'.repeat(120)}1 * * *`
  ])('refuses %j', (line) => {
    expect(parseCron(line)).toBeNull()
  })

  it('knows every month and day by its name', () => {
    const months = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ')
    months.forEach((name, index) =>
      expect(sorted(parseCron(`0 0 1 ${name} *`)!.months)).toEqual([index + 1])
    )
    'sun mon tue wed thu fri sat'
      .split(' ')
      .forEach((name, index) =>
        expect(sorted(parseCron(`0 0 * * ${name}`)!.weekdays)).toEqual([index])
      )
  })

  it('reads a line of up to 200 characters', () => {
    const hours = (length: number) => `0 ${'1,'.repeat((length - 9) / 2)}1 * * *`
    expect(hours(199)).toHaveLength(199)
    expect(parseCron(`${hours(199)} `)).not.toBeNull()
    expect(parseCron(`${hours(199)}  `)).toBeNull()
  })

  it('takes white space of any width around the fields', () => {
    expect(sorted(parseCron('  0\t9  * *   1-5 ')!.hours)).toEqual([9])
  })
})

describe('the gaps between runs', () => {
  it.each([
    ['0 * * * *', 60, 60],
    ['*/30 * * * *', 30, 30],
    ['15,45 * * * *', 30, 30],
    ['* * * * *', 1, 1],
    ['0 9 * * *', 1440, 1440],
    // Friday 09:00 to Monday 09:00.
    ['0 9 * * 1-5', 3 * 1440, 1440],
    ['0 9,17 * * *', 16 * 60, 8 * 60],
    // Monthly: the longest month apart is 31 days, the shortest 28.
    ['0 0 1 * *', 31 * 1440, 28 * 1440],
    // The 1st or any Monday.
    ['0 0 1 * 1', 7 * 1440, 1440]
  ])('%s: at most %i minutes, at least %i', (line, longest, shortest) => {
    expect(gapOf(line)).toEqual({ longest, shortest })
  })

  it('covers leap days: a line for 29 February waits four years', () => {
    expect(gapOf('0 12 29 2 *')).toEqual({ longest: 1461 * 1440, shortest: 1461 * 1440 })
  })

  it('has no gap for a line that fires once or never', () => {
    expect(gapOf('0 0 30 2 *')).toBeNull()
    expect(gapsBetweenRuns(parseCron('0 0 1 1 *')!, cycleStart, 365)).toBeNull()
  })

  it('lists the times of a day in order', () => {
    expect(timesOfDay(parseCron('45,5 13,2 * * *')!)).toEqual([125, 165, 785, 825])
  })

  it('spans a whole 28-year calendar cycle', () => {
    expect(calendarCycleDays).toBe(10227)
    expect(new Date(cycleStart + calendarCycleDays * dayMs).toISOString()).toBe(
      '2029-01-01T00:00:00.000Z'
    )
  })

  it('matches a minute-by-minute expansion of any line', () => {
    const part = (min: number, max: number, names: string[] = []) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min, max }).map(String),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.integer({ min: 1, max: Math.max(1, max - min) }).map((step) => `*/${step}`),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.min(9, max) }))
          .map(([a, step]) => `${a}/${step}`),
        fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map(String),
        ...(names.length > 0 ? [fc.constantFrom(...names)] : [])
      )
    const line = fc
      .tuple(
        part(0, 59),
        part(0, 23),
        part(1, 31),
        part(1, 12, ['jan', 'FEB', 'Dec']),
        part(0, 7, ['sun', 'MON', 'fri'])
      )
      .map((fields) => fields.join(' '))
    // Forty days from a random day of the cycle, minute by minute.
    const firstDay = fc
      .integer({ min: 0, max: calendarCycleDays - 40 })
      .map((d) => cycleStart + d * dayMs)
    fc.assert(
      fc.property(line, firstDay, (text, first) => {
        const schedule = parseCron(text)
        expect(schedule).not.toBeNull()
        expect(gapsBetweenRuns(schedule!, first, 40)).toEqual(bruteForceGaps(schedule!, first, 40))
      }),
      { numRuns: 60 }
    )
  })
})
