// SendGrid's general rate limit on reads, per account: so many a second, then 429 with its
// `X-RateLimit-*` headers until the window resets. SendGrid's gateway was seen to send the reset as
// seconds from now; its docs say Unix epoch seconds: the simulator sends either.
import { faultKey } from './faults.js'

/**
 * @typedef {object} ReadLimitOptions
 * @property {number} perSecond reads answered in each one-second window (0: none, without end)
 * @property {'seconds' | 'epoch'} [resetForm] how X-RateLimit-Reset is written (default seconds)
 */

/** Fault kinds that are reads: every GET, and the Single Send search. */
const readKinds = ['get', 'list', 'singlesends', 'singlesends-search', 'singlesend', 'contact-job']

/**
 * @param {ReadLimitOptions | undefined} options
 * @param {() => number} now
 */
export function readLimiter(options, now) {
  /** @type {Record<string, number>} */
  const refused = {}
  let windowStart = -Infinity
  let used = 0
  return {
    refused,
    /**
     * The 429 to answer a read with, or null when it is within the limit (or not a read).
     * @param {string} method
     * @param {string} path
     */
    refuse(method, path) {
      const kind = faultKey(method, path).split(':')[0]
      if (!options || !readKinds.includes(kind)) return null
      const at = now()
      if (at >= windowStart + 1000) {
        windowStart = Math.floor(at / 1000) * 1000
        used = 0
      }
      if (used < options.perSecond) {
        used++
        return null
      }
      refused[kind] = (refused[kind] ?? 0) + 1
      const resetAt = windowStart + 1000
      const reset =
        options.resetForm === 'epoch'
          ? String(Math.ceil(resetAt / 1000))
          : String(Math.max(0, Math.ceil((resetAt - at) / 1000)))
      return {
        body: { errors: [{ field: null, message: 'too many requests' }] },
        headers: {
          'X-RateLimit-Limit': String(options.perSecond),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': reset
        }
      }
    }
  }
}
