// The `time-zone` input: IANA names only, since SendGrid takes no offsets.
import { InputProblem } from './problems.js'
import { abbreviation } from './time-zone-names.js'

/** Accepts IANA names only (SendGrid rejects offsets); returns the canonical spelling. */
export function parseTimeZone(value: string): string {
  const offsetReason =
    'SendGrid accepts IANA time zone names such as America/Chicago or Europe/Berlin, not UTC offsets'
  if (/^[+\-\u2212\d]|^(UTC|GMT)\s*[+\-\u2212]\d/i.test(value))
    throw new InputProblem('time-zone', value, offsetReason)

  const listed = listedTimeZones().get(value.toLowerCase())
  if (listed) return listed
  const known = abbreviation(value)
  if (known && !known.iana) {
    throw new InputProblem('time-zone', value, `it is ${known.is}; ${known.use}`)
  }
  // Aliases such as US/Eastern are valid IANA names too. DateTimeFormat knows them, but its first
  // use loads ~20 ms of locale data, so it is only the fallback.
  let canonical: string
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone
  } catch {
    throw new InputProblem(
      'time-zone',
      value,
      'it is not a known IANA time zone name (examples: UTC, America/Chicago, Europe/Berlin)'
    )
  }
  if (/^[+\-\u2212]/.test(canonical)) throw new InputProblem('time-zone', value, offsetReason)
  return canonical
}

let timeZonesByLowerCase: Map<string, string> | undefined

/** Canonical zones by lower-case name; Intl lists every one except UTC itself. */
function listedTimeZones(): Map<string, string> {
  timeZonesByLowerCase ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone])
  )
  return timeZonesByLowerCase
}
