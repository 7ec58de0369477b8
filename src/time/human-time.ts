// Times (and counts) as a person reads them: the wall clock in the user's time zone, and how far from now.
// Machine-readable ISO values stay in the outputs; every sentence a person reads uses these.

const minuteMs = 60_000

/** An ISO 8601 time from SendGrid as ms, or null when it is missing or unreadable. */
export function parseTime(iso: string | null): number | null {
  const time = iso ? Date.parse(iso) : NaN
  return Number.isNaN(time) ? null : time
}

/**
 * "at 14:05 Europe/Berlin, 12 minutes ago", "tomorrow at 00:00 UTC, in 5 h 3 min",
 * "on 2026-12-01 at 09:30 America/Chicago, in 3 days".
 */
export function describeInstant(instant: number, timeZone: string, now: number): string {
  const when = wallClock(instant, timeZone)
  const today = wallClock(now, timeZone)
  const dayShift = Math.round(
    (Date.parse(when.date) - Date.parse(today.date)) / (24 * 60 * minuteMs)
  )
  const day =
    dayShift === 0
      ? ''
      : dayShift === 1
        ? 'tomorrow '
        : dayShift === -1
          ? 'yesterday '
          : `on ${when.date} `
  return `${day}at ${when.time} ${timeZone}, ${relativeTo(instant, now)}`
}

/** "12 minutes ago", "in 1 h 20 min", "just now". */
export function relativeTo(instant: number, now: number): string {
  const distance = Math.abs(instant - now)
  if (distance < minuteMs) return instant >= now ? 'in less than a minute' : 'just now'
  const span = describeDuration(distance)
  return instant >= now ? `in ${span}` : `${span} ago`
}

/** "1 minute", "42 minutes", "1 h 20 min", "3 days" (rounded down). */
export function describeDuration(ms: number): string {
  const minutes = Math.floor(ms / minuteMs)
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`
  return `${Math.floor(hours / 24)} days`
}

/** "600 s": a configured length of time, to the second. */
export const wholeSeconds = (ms: number): string => `${Math.round(ms / 1000)} s`

/**
 * "3.4 s", "42 s": below ten seconds to a tenth, so progress lines a second apart differ; never
 * "0.0 s", since some time has passed.
 */
export function elapsed(ms: number): string {
  return ms < 10_000 ? `${(Math.max(ms, 100) / 1000).toFixed(1)} s` : wholeSeconds(ms)
}

/** "14:02:31": the time of day to the second in `timeZone`, for moments SendGrid recorded. */
export function timeOfDay(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23'
  }).format(instant)
}

let numberFormat: Intl.NumberFormat | undefined
/** "1,200". Made on first use: Intl's locale data costs start-up time. */
export const formatCount = (n: number): string =>
  (numberFormat ??= new Intl.NumberFormat('en-US')).format(n)

const formatters = new Map<string, Intl.DateTimeFormat>()

function wallClock(instant: number, timeZone: string): { date: string; time: string } {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23'
    })
    formatters.set(timeZone, format)
  }
  const parts = format.formatToParts(instant)
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? ''
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`
  }
}
