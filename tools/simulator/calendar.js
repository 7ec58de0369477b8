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
 * The first instant after `ms` whose local date in `zone` differs: found by bisection, so it has no
 * daylight-saving arithmetic to get wrong.
 * @param {number} ms
 * @param {string} zone
 */
export function nextMidnight(ms, zone) {
  const today = localDate(ms, zone)
  let low = ms
  let high = ms + 27 * hourMs
  while (high - low > 1000) {
    const mid = Math.floor((low + high) / 2)
    if (localDate(mid, zone) === today) low = mid
    else high = mid
  }
  return Math.floor(high / 1000) * 1000
}
