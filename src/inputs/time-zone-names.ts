// The zone names people write that are not the city zone they mean. Intl cannot say what these
// really are: it reads BST (British Summer Time) as Asia/Dhaka and IST as Asia/Calcutta. So a short
// table says what each is and which city zone people usually mean.

interface Abbreviation {
  /** Whether it is an IANA zone at all (SendGrid takes it, with the meaning said here). */
  iana: boolean
  /** What the name really is. */
  is: string
  /** The city zone to use instead. */
  use: string
}

const abbreviations: Record<string, Abbreviation> = {
  EST: {
    iana: true,
    is: 'a fixed UTC-05:00 without daylight saving',
    use: 'for US Eastern time use America/New_York'
  },
  MST: {
    iana: true,
    is: 'a fixed UTC-07:00 without daylight saving',
    use: 'for US Mountain time use America/Denver (America/Phoenix in Arizona)'
  },
  HST: {
    iana: true,
    is: 'a fixed UTC-10:00 without daylight saving',
    use: 'for Hawaii use Pacific/Honolulu'
  },
  EST5EDT: {
    iana: true,
    is: "the US Eastern daylight-saving rules without a place's history",
    use: 'use America/New_York'
  },
  CST6CDT: {
    iana: true,
    is: "the US Central daylight-saving rules without a place's history",
    use: 'use America/Chicago'
  },
  MST7MDT: {
    iana: true,
    is: "the US Mountain daylight-saving rules without a place's history",
    use: 'use America/Denver'
  },
  PST8PDT: {
    iana: true,
    is: "the US Pacific daylight-saving rules without a place's history",
    use: 'use America/Los_Angeles'
  },
  CET: {
    iana: true,
    is: 'Central European Time, which current time zone data treats as Europe/Brussels',
    use: 'use your city, such as Europe/Berlin or Europe/Paris'
  },
  MET: {
    iana: true,
    is: 'Middle European Time, which current time zone data treats as Europe/Brussels',
    use: 'use your city, such as Europe/Berlin or Europe/Paris'
  },
  EET: {
    iana: true,
    is: 'Eastern European Time, which current time zone data treats as Europe/Athens',
    use: 'use your city, such as Europe/Athens or Europe/Helsinki'
  },
  WET: {
    iana: true,
    is: 'Western European Time, which current time zone data treats as Europe/Lisbon',
    use: 'use your city, such as Europe/Lisbon'
  },
  GMT: {
    iana: true,
    is: 'UTC+00:00 all year, without British Summer Time',
    use: 'for UK time use Europe/London'
  },
  BST: {
    iana: false,
    is: 'British Summer Time, not an IANA zone (some systems read it as Asia/Dhaka)',
    use: 'for UK time use Europe/London'
  },
  IST: {
    iana: false,
    is: 'India, Irish or Israel Standard Time, not an IANA zone (some systems read it as Asia/Calcutta)',
    use: 'use Asia/Kolkata, Europe/Dublin or Asia/Jerusalem'
  },
  PST: {
    iana: false,
    is: 'Pacific Standard Time, not an IANA zone',
    use: 'for US Pacific time use America/Los_Angeles'
  },
  PDT: {
    iana: false,
    is: 'Pacific Daylight Time, not an IANA zone',
    use: 'for US Pacific time use America/Los_Angeles'
  },
  EDT: {
    iana: false,
    is: 'Eastern Daylight Time, not an IANA zone',
    use: 'for US Eastern time use America/New_York'
  },
  CST: {
    iana: false,
    is: 'Central Standard Time (or China Standard Time), not an IANA zone',
    use: 'use America/Chicago for US Central time, or Asia/Shanghai'
  },
  CDT: {
    iana: false,
    is: 'Central Daylight Time, not an IANA zone',
    use: 'for US Central time use America/Chicago'
  },
  MDT: {
    iana: false,
    is: 'Mountain Daylight Time, not an IANA zone',
    use: 'for US Mountain time use America/Denver'
  },
  CEST: {
    iana: false,
    is: 'Central European Summer Time, not an IANA zone',
    use: 'use your city, such as Europe/Berlin or Europe/Paris'
  },
  AEST: {
    iana: false,
    is: 'Australian Eastern Standard Time, not an IANA zone',
    use: 'use your city, such as Australia/Sydney or Australia/Brisbane'
  },
  JST: {
    iana: false,
    is: 'Japan Standard Time, not an IANA zone',
    use: 'use Asia/Tokyo'
  }
}

/** The table's entry for a name as written, whatever its case; undefined for any other name. */
export function abbreviation(value: string): Abbreviation | undefined {
  return Object.hasOwn(abbreviations, value.toUpperCase())
    ? abbreviations[value.toUpperCase()]
    : undefined
}

/**
 * Why a valid zone without a `/` (other than UTC) may not be what the user means, with a city zone
 * to use; null for city zones and UTC. `canonical` is what Intl reads the name as.
 */
export function timeZoneWarning(value: string, canonical: string): string | null {
  if (value.includes('/') || /^UTC$/i.test(value)) return null
  const known = abbreviation(value)
  const sent = ` It is sent to SendGrid as user_time_zone ${canonical}.`
  if (known) return `time-zone "${value}" is ${known.is}; ${known.use}.${sent}`
  return `time-zone "${value}" is an old name that time zone data reads as ${canonical}; use ${canonical}, or your own city's zone.${sent}`
}
