// The cron lines of GitHub's `schedule:` as the action reads them with croner: what they fire on, and
// the longest wait between two runs of a whole schedule, checked against a minute-by-minute expansion
// straight from the definition of cron (support/cron-reference.ts).
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import {
  calendarCycleDays,
  cycleStart,
  firesOnDay,
  gapsBetweenRuns,
  parseCron,
  scheduleGaps,
  type CronLine
} from '../../src/time/cron.js'
import { firesAt, referenceSchedule, type CronSchedule } from '../support/cron-reference.js'

const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs
const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

function bruteForceGaps(schedules: CronSchedule[], firstDay: number, days: number) {
  let previous: number | null = null
  let longest = -Infinity
  let shortest = Infinity
  for (let t = firstDay; t < firstDay + days * dayMs; t += minuteMs) {
    if (!schedules.some((schedule) => firesAt(schedule, t))) continue
    if (previous !== null) {
      longest = Math.max(longest, (t - previous) / minuteMs)
      shortest = Math.min(shortest, (t - previous) / minuteMs)
    }
    previous = t
  }
  return Number.isFinite(longest) ? { longest, shortest } : null
}

const gapOf = (...lines: string[]) => scheduleGaps(lines.map((line) => parseCron(line)!))
/** The UTC days of 2026 (as month-day) the line fires on, of those given. */
const firingDays = (line: CronLine, ...days: string[]) =>
  days.filter((day) => firesOnDay(line, Date.parse(`2026-${day}T00:00:00Z`)))

describe('parseCron', () => {
  it('reads lists, ranges, steps and names', () => {
    const line = parseCron('5,35 9-17/4 1-7 jan,Jul-SEP mon-FRI')!
    expect(line.line).toBe('5,35 9-17/4 1-7 jan,Jul-SEP mon-FRI')
    expect(line.timesOfDay).toEqual([545, 575, 785, 815, 1025, 1055])
    // 1-7 or Monday to Friday, in January or July to September: 2 January 2026 is a Friday.
    expect(firingDays(line, '01-02', '01-03', '01-05', '02-02', '07-04', '07-06')).toEqual([
      '01-02',
      '01-03',
      '01-05',
      '07-04',
      '07-06'
    ])
  })

  it('reads stars, steps from a start, and Sunday as 0 or 7', () => {
    const line = parseCron('*/15 * * * 7')!
    expect(line.timesOfDay).toEqual(range(0, 1425, 15))
    // 4 January 2026 is a Sunday.
    expect(firingDays(line, '01-03', '01-04', '01-05')).toEqual(['01-04'])
    expect(parseCron('10/20 0 * * 5-7')!.timesOfDay).toEqual([10, 30, 50])
    expect(firingDays(parseCron('0 0 * * 5-7')!, '01-01', '01-02', '01-03', '01-04')).toEqual([
      '01-02',
      '01-03',
      '01-04'
    ])
    expect(firingDays(parseCron('0 0 * * sun,SAT')!, '01-02', '01-03', '01-04')).toEqual([
      '01-03',
      '01-04'
    ])
  })

  it('fires on either day field when both are restricted, as croner reads them', () => {
    // The 1st or any Monday; every other day or any Monday; Mondays only.
    expect(firingDays(parseCron('0 0 1 * 1')!, '01-01', '01-02', '01-05', '02-01')).toEqual([
      '01-01',
      '01-05',
      '02-01'
    ])
    expect(firingDays(parseCron('0 0 */2 * 1')!, '01-01', '01-02', '01-05')).toEqual([
      '01-01',
      '01-05'
    ])
    expect(firingDays(parseCron('0 0 * * 1')!, '01-01', '01-05')).toEqual(['01-05'])
  })

  it('reads a weekday range with a step', () => {
    // 5 January 2026 is a Monday: Monday, Wednesday, Friday.
    expect(firingDays(parseCron('0 0 * * 1-5/2')!, '01-05', '01-06', '01-07', '01-09')).toEqual([
      '01-05',
      '01-07',
      '01-09'
    ])
  })

  it('folds white space, and keeps a line that never fires with no times', () => {
    expect(parseCron('  0\t9  * *   1-5 ')!.line).toBe('0 9 * * 1-5')
    expect(parseCron('0 0 30 2 *')!.timesOfDay).toEqual([])
    expect(firesOnDay(parseCron('0 0 30 2 *')!, Date.parse('2026-03-02T00:00:00Z'))).toBe(false)
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
    // What croner reads and GitHub does not.
    '0 0 15W * *',
    '0 0 * * 5#1',
    '0 0 1-7 * +MON',
    '/10 * * * *',
    '0 0 LW * *',
    // A step from Sunday as 7, which croner would read as never.
    '0 0 * * 7/1',
    `0 ${'1,'.repeat(120)}1 * * *`
  ])('refuses %j', (line) => {
    expect(parseCron(line)).toBeNull()
  })

  it('knows every month and day by its name', () => {
    const months = 'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split(' ')
    months.forEach((name, index) => {
      const line = parseCron(`0 0 1 ${name} *`)!
      const first = (month: number) => Date.UTC(2026, month, 1)
      expect(firesOnDay(line, first(index))).toBe(true)
      expect(firesOnDay(line, first((index + 1) % 12))).toBe(false)
    })
    // 4 January 2026 is a Sunday.
    'sun mon tue wed thu fri sat'.split(' ').forEach((name, index) => {
      const line = parseCron(`0 0 * * ${name}`)!
      expect(firesOnDay(line, Date.UTC(2026, 0, 4 + index))).toBe(true)
      expect(firesOnDay(line, Date.UTC(2026, 0, 5 + index))).toBe(false)
    })
  })

  it('reads a line of up to 200 characters', () => {
    const hours = (length: number) => `0 ${'1,'.repeat((length - 9) / 2)}1 * * *`
    expect(hours(199)).toHaveLength(199)
    expect(parseCron(`${hours(199)} `)).not.toBeNull()
    expect(parseCron(`${hours(199)}  `)).toBeNull()
  })

  it('takes white space of any width around the fields', () => {
    expect(parseCron('  0\t9  * *   1-5 ')!.timesOfDay).toEqual([540])
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
    expect(gapOf(line)).toEqual({ longest, shortest, longestFrom: [line], longestTo: [line] })
  })

  it('merges the runs of every line of a schedule, and says which lines the longest gap lies between', () => {
    expect(gapOf('7 * * * *', '37 * * * *')).toMatchObject({ longest: 30, shortest: 30 })
    // Business hours and a night run: 21:37 to 02:07 is the longest gap.
    expect(gapOf('7,37 6-21 * * *', '7 2 * * *')).toEqual({
      longest: 270,
      shortest: 30,
      longestFrom: ['7,37 6-21 * * *'],
      longestTo: ['7 2 * * *']
    })
    // Lines that fire together are named together.
    expect(gapOf('0 9 * * *', '0 9,13 * * *')).toEqual({
      longest: 20 * 60,
      shortest: 4 * 60,
      longestFrom: ['0 9,13 * * *'],
      longestTo: ['0 9 * * *', '0 9,13 * * *']
    })
    // Of gaps equally long, the first names where the longest lies.
    expect(gapOf('0 0 * * *', '0 12 * * *')).toEqual({
      longest: 720,
      shortest: 720,
      longestFrom: ['0 0 * * *'],
      longestTo: ['0 12 * * *']
    })
    // A weekend line fills the weekdays-only line's gap.
    expect(gapOf('0 9 * * 1-5', '0 9 * * 0,6')).toMatchObject({ longest: 1440, shortest: 1440 })
  })

  it('covers leap days: a line for 29 February waits four years', () => {
    expect(gapOf('0 12 29 2 *')).toMatchObject({ longest: 1461 * 1440, shortest: 1461 * 1440 })
  })

  it('has no gap for a line that fires once or never', () => {
    expect(gapOf('0 0 30 2 *')).toBeNull()
    expect(gapsBetweenRuns([parseCron('0 0 1 1 *')!], cycleStart, 365)).toBeNull()
    expect(gapOf('0 0 30 2 *', '0 0 31 4 *')).toBeNull()
    expect(gapsBetweenRuns([], cycleStart, 365)).toBeNull()
  })

  it('lists the times of a day in order', () => {
    expect(parseCron('45,5 13,2 * * *')!.timesOfDay).toEqual([125, 165, 785, 825])
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
        // A weekday step with a start and no end is refused (see parseCron).
        ...(max === 7
          ? []
          : [
              fc
                .tuple(fc.integer({ min, max }), fc.integer({ min: 1, max: Math.min(9, max) }))
                .map(([a, step]) => `${a}/${step}`)
            ]),
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
    // Forty days from a random day of the cycle, minute by minute, for one to three lines.
    const firstDay = fc
      .integer({ min: 0, max: calendarCycleDays - 40 })
      .map((d) => cycleStart + d * dayMs)
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 3 }), firstDay, (texts, first) => {
        const lines = texts.map((text) => parseCron(text))
        expect(lines).not.toContain(null)
        const gaps = gapsBetweenRuns(lines as CronLine[], first, 40)
        const expected = bruteForceGaps(
          texts.map((text) => referenceSchedule(text)!),
          first,
          40
        )
        expect(gaps && { longest: gaps.longest, shortest: gaps.shortest }).toEqual(expected)
      }),
      { numRuns: 60 }
    )
  })
})
