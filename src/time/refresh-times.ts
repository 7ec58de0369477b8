// When a segment can next be refreshed. SendGrid's per-segment daily count resets at midnight in
// the segment's time zone, and at most one refresh per hour is allowed.

const hourMs = 60 * 60 * 1000

/** One hour after the last refresh. */
export function nextHourlyRefresh(lastRefreshedAt: number): number {
  return lastRefreshedAt + hourMs
}

/**
 * The first instant after `instant` that falls on a later calendar day in `timeZone`. Found by
 * bisection over real instants, so daylight-saving days of 23 or 25 hours, and zones whose clocks
 * skip midnight itself, need no special cases.
 */
export function nextMidnight(instant: number, timeZone: string): number {
  const dateIn = dateFormatter(timeZone)
  const today = dateIn(instant)
  let sameDay = instant
  let laterDay = instant + 50 * hourMs
  while (laterDay - sameDay > 1000) {
    const middle = sameDay + Math.floor((laterDay - sameDay) / 2)
    if (dateIn(middle) === today) sameDay = middle
    else laterDay = middle
  }
  // Days start on a whole second; the bisection stops within the second after it.
  return Math.floor(laterDay / 1000) * 1000
}

function dateFormatter(timeZone: string): (instant: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  })
  return (instant) => format.format(instant)
}

/** ISO 8601 in UTC without milliseconds, as SendGrid writes timestamps. */
export function isoSeconds(instant: number): string {
  return new Date(instant).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
