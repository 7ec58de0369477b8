// What a person's clock shows, worked out here apart from src/human-time.ts, so the tests state the
// words they expect at whatever instant they run (see test-clock.js).

/**
 * @param {number} ms
 * @param {string} zone
 */
function parts(ms, zone) {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23'
  })
  const found = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]))
  return {
    date: `${found.year}-${found.month}-${found.day}`,
    time: `${found.hour}:${found.minute}`
  }
}

/**
 * The date `ms` falls on in `zone`, as YYYY-MM-DD.
 * @param {number} ms
 * @param {string} zone
 */
export const localDate = (ms, zone) => parts(ms, zone).date

/**
 * "at 14:05 UTC", "yesterday at 23:45 Europe/Berlin", "tomorrow at 00:00 UTC", as seen at `now`.
 * @param {number} ms
 * @param {string} zone
 * @param {number} [now]
 */
export function wallClock(ms, zone, now = Date.now()) {
  const then = parts(ms, zone)
  const days = Math.round((Date.parse(then.date) - Date.parse(parts(now, zone).date)) / 86_400_000)
  const day = { [-1]: 'yesterday ', 0: '', 1: 'tomorrow ' }[days] ?? `on ${then.date} `
  return `${day}at ${then.time} ${zone}`
}

/**
 * Refreshes `times` that fall on the same day as `now` in `zone`.
 * @param {number[]} times
 * @param {string} zone
 * @param {number} [now]
 */
export const countToday = (times, zone, now = Date.now()) =>
  times.filter((t) => localDate(t, zone) === localDate(now, zone)).length
