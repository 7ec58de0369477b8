// When a segment can next be refreshed. SendGrid's per-segment daily count resets at midnight in
// the segment's time zone, and at most one refresh per hour is allowed.

const hourMs = 60 * 60 * 1000
const quarterHourMs = hourMs / 4

/** One hour after the last refresh. */
export function nextHourlyRefresh(lastRefreshedAt: number): number {
  return lastRefreshedAt + hourMs
}

/**
 * The first instant after `instant` that falls on a later calendar day in `timeZone`. Steps a
 * quarter of an hour at a time, then bisects the step that reached the later day: a bisection over
 * the whole day could land on a second midnight where clocks fall back across one (Antarctica/Casey
 * on 4 March 2010). Days of 23 to 26 hours and zones whose clocks skip midnight need no special case.
 */
export function nextMidnight(instant: number, timeZone: string): number {
  const dateIn = dateFormatter(timeZone)
  const today = dateIn(instant)
  // Dates as en-CA writes them (2026-12-05) sort as text.
  const isLaterDay = (moment: number) => dateIn(moment) > today
  let sameDay = instant
  let laterDay = instant + quarterHourMs
  while (!isLaterDay(laterDay)) {
    sameDay = laterDay
    laterDay += quarterHourMs
  }
  while (laterDay - sameDay > 1000) {
    const middle = sameDay + Math.floor((laterDay - sameDay) / 2)
    if (isLaterDay(middle)) laterDay = middle
    else sameDay = middle
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
