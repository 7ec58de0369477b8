// The zone names people write: each is refused or warned about in words that say what it really is
// and which city zone to use. Every entry is listed, since each sentence is what a user reads.
import { describe, expect, it } from '@jest/globals'
import { abbreviation, timeZoneWarning } from '../../src/inputs/time-zone-names.js'

const table: Array<[string, boolean, string]> = [
  [
    'EST',
    true,
    'a fixed UTC-05:00 without daylight saving; for US Eastern time use America/New_York'
  ],
  [
    'MST',
    true,
    'a fixed UTC-07:00 without daylight saving; for US Mountain time use America/Denver (America/Phoenix in Arizona)'
  ],
  ['HST', true, 'a fixed UTC-10:00 without daylight saving; for Hawaii use Pacific/Honolulu'],
  [
    'EST5EDT',
    true,
    "the US Eastern daylight-saving rules without a place's history; use America/New_York"
  ],
  [
    'CST6CDT',
    true,
    "the US Central daylight-saving rules without a place's history; use America/Chicago"
  ],
  [
    'MST7MDT',
    true,
    "the US Mountain daylight-saving rules without a place's history; use America/Denver"
  ],
  [
    'PST8PDT',
    true,
    "the US Pacific daylight-saving rules without a place's history; use America/Los_Angeles"
  ],
  [
    'CET',
    true,
    'Central European Time, which current time zone data treats as Europe/Brussels; use your city, such as Europe/Berlin or Europe/Paris'
  ],
  [
    'MET',
    true,
    'Middle European Time, which current time zone data treats as Europe/Brussels; use your city, such as Europe/Berlin or Europe/Paris'
  ],
  [
    'EET',
    true,
    'Eastern European Time, which current time zone data treats as Europe/Athens; use your city, such as Europe/Athens or Europe/Helsinki'
  ],
  [
    'WET',
    true,
    'Western European Time, which current time zone data treats as Europe/Lisbon; use your city, such as Europe/Lisbon'
  ],
  ['GMT', true, 'UTC+00:00 all year, without British Summer Time; for UK time use Europe/London'],
  [
    'BST',
    false,
    'British Summer Time, not an IANA zone (some systems read it as Asia/Dhaka); for UK time use Europe/London'
  ],
  [
    'IST',
    false,
    'India, Irish or Israel Standard Time, not an IANA zone (some systems read it as Asia/Calcutta); use Asia/Kolkata, Europe/Dublin or Asia/Jerusalem'
  ],
  [
    'PST',
    false,
    'Pacific Standard Time, not an IANA zone; for US Pacific time use America/Los_Angeles'
  ],
  [
    'PDT',
    false,
    'Pacific Daylight Time, not an IANA zone; for US Pacific time use America/Los_Angeles'
  ],
  [
    'EDT',
    false,
    'Eastern Daylight Time, not an IANA zone; for US Eastern time use America/New_York'
  ],
  [
    'CST',
    false,
    'Central Standard Time (or China Standard Time), not an IANA zone; use America/Chicago for US Central time, or Asia/Shanghai'
  ],
  [
    'CDT',
    false,
    'Central Daylight Time, not an IANA zone; for US Central time use America/Chicago'
  ],
  [
    'MDT',
    false,
    'Mountain Daylight Time, not an IANA zone; for US Mountain time use America/Denver'
  ],
  [
    'CEST',
    false,
    'Central European Summer Time, not an IANA zone; use your city, such as Europe/Berlin or Europe/Paris'
  ],
  [
    'AEST',
    false,
    'Australian Eastern Standard Time, not an IANA zone; use your city, such as Australia/Sydney or Australia/Brisbane'
  ],
  ['JST', false, 'Japan Standard Time, not an IANA zone; use Asia/Tokyo']
]

describe('the zone names people write', () => {
  it.each(table)('%s: IANA %s, "%s"', (name, iana, words) => {
    const entry = abbreviation(name.toLowerCase())
    expect(entry?.iana).toBe(iana)
    expect(`${entry?.is}; ${entry?.use}`).toBe(words)
    if (iana) {
      expect(timeZoneWarning(name, 'X/Y')).toBe(
        `time-zone "${name}" is ${words}. It is sent to SendGrid as user_time_zone X/Y.`
      )
    }
  })

  it('knows no other name, and no inherited property', () => {
    expect(abbreviation('Europe/Berlin')).toBeUndefined()
    expect(abbreviation('constructor')).toBeUndefined()
    expect(abbreviation('toString')).toBeUndefined()
  })

  it('warns about an old name without a city by what it is read as, and never about a city or UTC', () => {
    expect(timeZoneWarning('Zulu', 'UTC')).toBe(
      `time-zone "Zulu" is an old name that time zone data reads as UTC; use UTC, or your own city's zone. It is sent to SendGrid as user_time_zone UTC.`
    )
    expect(timeZoneWarning('America/Chicago', 'America/Chicago')).toBeNull()
    expect(timeZoneWarning('utc', 'UTC')).toBeNull()
    expect(timeZoneWarning('Etc/UTC', 'UTC')).toBeNull()
  })
})
