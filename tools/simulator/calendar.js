// Days as SendGrid counts them: the per-segment daily count resets at midnight in the segment's zone.
import { hourMs } from './http.js'

/** @param {string} zone */
export function isIanaZone(zone) {
  if (/^[+\-\d]|^(UTC|GMT)[+-]/i.test(zone)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * @param {number} ms
 * @param {string} zone
 */
export function localDate(ms, zone) {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit'
  }).format(ms)
}

/**
 * @param {number} a
 * @param {number} b
 * @param {string} zone
 */
export function sameDay(a, b, zone) {
  return localDate(a, zone) === localDate(b, zone)
}

/**
 * The first instant after `ms` on a later local date in `zone`: found a quarter of an hour at a
 * time, then by bisection within that quarter, so it has no daylight-saving arithmetic to get
 * wrong, and clocks that fall back across midnight do not hide the first one.
 * @param {number} ms
 * @param {string} zone
 */
export function nextMidnight(ms, zone) {
  const today = localDate(ms, zone)
  const later = (/** @type {number} */ t) => localDate(t, zone) > today
  const quarter = hourMs / 4
  let low = ms
  let high = ms + quarter
  while (!later(high)) {
    low = high
    high += quarter
  }
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2)
    if (later(mid)) high = mid
    else low = mid
  }
  return Math.floor(high / 1000) * 1000
}
