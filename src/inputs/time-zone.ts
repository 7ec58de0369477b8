// The `time-zone` input: IANA names only, since SendGrid takes no offsets.
import { editDistance } from '../stages/name-match.js'
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
    const near = nearZones(value)
    throw new InputProblem(
      'time-zone',
      value,
      near.length > 0
        ? `it is not a known IANA time zone name. Did you mean ${near.join(' or ')}?`
        : 'it is not a known IANA time zone name (examples: UTC, America/Chicago, Europe/Berlin)'
    )
  }
  if (/^[+\-\u2212]/.test(canonical)) throw new InputProblem('time-zone', value, offsetReason)
  return canonical
}

/**
 * The zone as the user wrote it, for every word the action writes: `EST` stays `EST`. A listed zone
 * gets its canonical spelling (`america/chicago` is America/Chicago).
 */
export function shownTimeZone(value: string, canonical: string): string {
  return listedTimeZones().has(value.toLowerCase()) ? canonical : value
}

/** The zones one or two letters from `value` (a slip of the keyboard), closest first. */
function nearZones(value: string): string[] {
  const wanted = value.toLowerCase()
  return [...listedTimeZones()]
    .map(([lower, zone]) => ({ zone, distance: editDistance(wanted, lower) }))
    .filter(({ distance }) => distance <= 2)
    .sort((a, b) => a.distance - b.distance || a.zone.localeCompare(b.zone))
    .slice(0, 3)
    .map(({ zone }) => zone)
}

let timeZonesByLowerCase: Map<string, string> | undefined

/** Canonical zones by lower-case name; Intl lists every one except UTC itself. */
function listedTimeZones(): Map<string, string> {
  timeZonesByLowerCase ??= new Map(
    [...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone])
  )
  return timeZonesByLowerCase
}
