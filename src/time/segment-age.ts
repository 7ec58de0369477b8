// What SendGrid documents about a new segment: "segments built using engagement data will take
// approximately 30 minutes to begin populating", so a count read earlier may still grow.
import { describeInstant, parseTime } from './human-time.js'

export const populatingMs = 30 * 60_000

/** "VIP customers was created at 14:02 Europe/Berlin, 5 minutes ago; ..." or null when older. */
export function newSegmentNote(
  name: string,
  createdAt: string | null,
  timeZone: string,
  now: number
): string | null {
  const created = parseTime(createdAt)
  if (created === null || now - created >= populatingMs) return null
  return `${name} was created ${describeInstant(created, timeZone, now)}: SendGrid says segments built on engagement data take about 30 minutes to begin populating, so its count may still grow.`
}
