import { describe, expect, it } from '@jest/globals'
import { describeInstant } from '../../src/time/human-time.js'
import { isoSeconds, nextHourlyRefresh, nextMidnight } from '../../src/time/refresh-times.js'
import { nextMidnight as simulatorsMidnight } from '../../tools/simulator/calendar.js'

const at = (iso: string): number => Date.parse(iso)

const midnightCases = [
  ['UTC, mid-day', '2026-11-26T13:45:10Z', 'UTC', '2026-11-27T00:00:00Z'],
  ['UTC, one second before midnight', '2026-11-26T23:59:59Z', 'UTC', '2026-11-27T00:00:00Z'],
  ['UTC, exactly at midnight', '2026-11-27T00:00:00Z', 'UTC', '2026-11-28T00:00:00Z'],
  [
    'ahead of UTC, already tomorrow there',
    '2026-11-26T20:00:00Z',
    'Asia/Tokyo',
    '2026-11-27T15:00:00Z'
  ],
  [
    'behind UTC, still yesterday there',
    '2026-11-27T02:00:00Z',
    'America/Chicago',
    '2026-11-27T06:00:00Z'
  ],
  ['a half-hour zone', '2026-11-26T10:00:00Z', 'Asia/Kolkata', '2026-11-26T18:30:00Z'],
  [
    'the day clocks spring forward (23 hours)',
    '2026-03-08T06:00:00Z',
    'America/New_York',
    '2026-03-09T04:00:00Z'
  ],
  [
    'the day clocks fall back (25 hours)',
    '2026-11-01T05:00:00Z',
    'America/New_York',
    '2026-11-02T05:00:00Z'
  ],
  ['the eve of a European change', '2026-03-28T12:00:00Z', 'Europe/Berlin', '2026-03-28T23:00:00Z'],
  ['after a European change', '2026-03-29T12:00:00Z', 'Europe/Berlin', '2026-03-29T22:00:00Z'],
  [
    'a zone whose clocks skip midnight itself',
    '2026-09-05T12:00:00Z',
    'America/Santiago',
    '2026-09-06T04:00:00Z'
  ],
  ['across the date line', '2026-11-26T12:00:00Z', 'Pacific/Kiritimati', '2026-11-27T10:00:00Z'],
  ['a year end', '2026-12-31T20:00:00Z', 'UTC', '2027-01-01T00:00:00Z'],
  [
    'a day of 26 hours, its clocks back from 02:00 to 00:00',
    '2014-10-25T12:00:30Z',
    'Asia/Magadan',
    '2014-10-26T14:00:00Z'
  ],
  [
    'clocks that fall back across midnight: the first midnight, not the second',
    '2010-03-03T14:00:00Z',
    'Antarctica/Casey',
    '2010-03-04T13:00:00Z'
  ],
  [
    'clocks that fall back across midnight, later that day',
    '2010-03-04T02:00:00Z',
    'Antarctica/Casey',
    '2010-03-04T13:00:00Z'
  ],
  [
    'a day skipped whole (Samoa, 30 December 2011)',
    '2011-12-29T20:00:00Z',
    'Pacific/Apia',
    '2011-12-30T10:00:00Z'
  ]
]

describe('nextMidnight', () => {
  it.each(midnightCases)('%s', (_case, now, zone, expected) => {
    expect(isoSeconds(nextMidnight(at(now), zone))).toBe(expected)
  })

  it('lands on a local midnight (or the first instant of a day whose midnight is skipped)', () => {
    const now = at('2026-03-08T06:00:00Z')
    expect(describeInstant(nextMidnight(now, 'America/New_York'), 'America/New_York', now)).toBe(
      'tomorrow at 00:00 America/New_York, in 22 h'
    )
    const santiago = at('2026-09-05T12:00:00Z')
    expect(
      describeInstant(nextMidnight(santiago, 'America/Santiago'), 'America/Santiago', santiago)
    ).toBe('tomorrow at 01:00 America/Santiago, in 16 h')
  })
})

// The simulator counts SendGrid's days on its own, so that it can disagree with the action; on these
// days it must not.
describe("the simulator's day", () => {
  it.each(midnightCases)('%s', (_case, now, zone, expected) => {
    expect(isoSeconds(simulatorsMidnight(at(now), zone))).toBe(expected)
  })
})

describe('nextHourlyRefresh', () => {
  it('is one hour after the last refresh', () => {
    expect(isoSeconds(nextHourlyRefresh(at('2026-11-26T23:30:00Z')))).toBe('2026-11-27T00:30:00Z')
  })
})
