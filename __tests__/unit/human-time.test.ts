import { describe, expect, it } from '@jest/globals'
import {
  describeDuration,
  describeInstant,
  elapsed,
  relativeTo,
  timeOfDay,
  wholeSeconds
} from '../../src/time/human-time.js'

const at = (iso: string): number => Date.parse(iso)
const now = at('2026-11-27T13:17:40Z') // 14:17 in Berlin

describe('describeInstant', () => {
  it.each([
    [
      'earlier today',
      '2026-11-27T13:05:00Z',
      'Europe/Berlin',
      'at 14:05 Europe/Berlin, 12 minutes ago'
    ],
    [
      'later today',
      '2026-11-27T14:00:00Z',
      'Europe/Berlin',
      'at 15:00 Europe/Berlin, in 42 minutes'
    ],
    [
      'tomorrow',
      '2026-11-27T23:00:00Z',
      'Europe/Berlin',
      'tomorrow at 00:00 Europe/Berlin, in 9 h 42 min'
    ],
    [
      'yesterday',
      '2026-11-26T22:30:00Z',
      'Europe/Berlin',
      'yesterday at 23:30 Europe/Berlin, 14 h 47 min ago'
    ],
    [
      'days away',
      '2026-12-01T15:30:00Z',
      'America/Chicago',
      'on 2026-12-01 at 09:30 America/Chicago, in 4 days'
    ],
    [
      'the same instant, another zone',
      '2026-11-27T13:17:40Z',
      'Asia/Tokyo',
      'at 22:17 Asia/Tokyo, in less than a minute'
    ],
    [
      'tomorrow already in Tokyo',
      '2026-11-27T15:30:00Z',
      'Asia/Tokyo',
      'tomorrow at 00:30 Asia/Tokyo, in 2 h 12 min'
    ]
  ])('%s', (_case, instant, zone, expected) => {
    expect(describeInstant(at(instant), zone, now)).toBe(expected)
  })
})

describe('relativeTo', () => {
  it('says "just now" within the last minute, and rounds down', () => {
    expect(relativeTo(now - 59_999, now)).toBe('just now')
    expect(relativeTo(now - 60_000, now)).toBe('1 minute ago')
    expect(relativeTo(now + 119_999, now)).toBe('in 1 minute')
  })
})

describe('describeDuration', () => {
  it.each([
    [59 * 60_000, '59 minutes'],
    [60 * 60_000, '1 h'],
    [80 * 60_000, '1 h 20 min'],
    [47 * 3_600_000 + 59 * 60_000, '47 h 59 min'],
    [48 * 3_600_000, '2 days']
  ])('%d ms is %s', (ms, expected) => {
    expect(describeDuration(ms)).toBe(expected)
  })
})

describe('elapsed and timeOfDay', () => {
  it('gives tenths below ten seconds, never 0.0 s, and whole seconds above', () => {
    expect(elapsed(0)).toBe('0.1 s')
    expect(elapsed(99)).toBe('0.1 s')
    expect(elapsed(149)).toBe('0.1 s')
    expect(elapsed(3_400)).toBe('3.4 s')
    expect(elapsed(9_949)).toBe('9.9 s')
    expect(elapsed(10_000)).toBe('10 s')
    expect(wholeSeconds(600_400)).toBe('600 s')
  })

  it('gives the time of day to the second in the zone', () => {
    expect(timeOfDay(Date.parse('2026-11-27T13:02:31Z'), 'Europe/Berlin')).toBe('14:02:31')
    expect(timeOfDay(Date.parse('2026-11-27T23:59:59Z'), 'UTC')).toBe('23:59:59')
    expect(timeOfDay(Date.parse('2026-11-28T00:00:05Z'), 'UTC')).toBe('00:00:05')
  })
})
