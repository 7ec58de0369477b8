// Faults a test queues for the next matching request: a status, a hang, a dropped connection, a delay,
// an answer held until the test lets it go, an oversized answer. Requests are keyed by kind and
// segment, as tests name them.
import {
  contactJobPathPattern,
  contactSearchPath,
  contactsPath,
  listPath,
  refreshPathPattern,
  segmentPathPattern,
  singleSendPathPattern,
  singleSendSearchPath,
  singleSendsPath
} from './http.js'

/**
 * @typedef {{ status: number, body?: string, headers?: Record<string, string> }
 *   | { hang: true } | { drop: true } | { delayMs: number } | { until: Promise<unknown> }
 *   | { answerAfterMs: number } | { dropAnswer: true }
 *   | { oversized: number, status: number, endless?: boolean }} Fault
 * `until` holds the answer until the test settles that promise; `oversized` sends that many bytes
 * of an HTML page; `endless` then never ends the answer. `answerAfterMs` and `dropAnswer` act on the
 * request at once (a refresh is accepted), then send the answer late, or close the connection
 * instead of answering.
 */

/** @typedef {'refresh' | 'get' | 'list' | 'singlesends' | 'singlesends-search' | 'singlesend' | 'contact-job' | 'create-segment' | 'delete-segment' | 'contacts-upsert' | 'contacts-search' | 'contacts-delete'} FaultKind */

/**
 * @param {string} method
 * @param {string} path
 */
export function faultKey(method, path) {
  if (method === 'GET' && path === singleSendsPath) return 'singlesends:'
  if (method === 'POST' && path === singleSendSearchPath) return 'singlesends-search:'
  const singleSendMatch = singleSendPathPattern.exec(path)
  if (method === 'GET' && singleSendMatch)
    return `singlesend:${decodeURIComponent(singleSendMatch[1])}`
  const contactJobMatch = contactJobPathPattern.exec(path)
  if (method === 'GET' && contactJobMatch)
    return `contact-job:${decodeURIComponent(contactJobMatch[1])}`
  const refreshMatch = refreshPathPattern.exec(path)
  if (method === 'POST' && refreshMatch) return `refresh:${decodeURIComponent(refreshMatch[1])}`
  if (method === 'GET' && path === listPath) return 'list:'
  if (method === 'POST' && path === listPath) return 'create-segment:'
  if (method === 'PUT' && path === contactsPath) return 'contacts-upsert:'
  if (method === 'POST' && path === contactSearchPath) return 'contacts-search:'
  if (method === 'DELETE' && path === contactsPath) return 'contacts-delete:'
  const segmentMatch = segmentPathPattern.exec(path)
  if (method === 'GET' && segmentMatch) return `get:${decodeURIComponent(segmentMatch[1])}`
  if (method === 'DELETE' && segmentMatch)
    return `delete-segment:${decodeURIComponent(segmentMatch[1])}`
  return `other:${path}`
}

/**
 * @param {Map<string, Fault[]>} faults
 * @param {string} method
 * @param {string} path
 */
export function takeFault(faults, method, path) {
  return faults.get(faultKey(method, path))?.shift()
}

/**
 * Holds what the simulator writes to `res` until the fault lets it go: written `answerAfterMs`
 * later, or the connection closed instead (`dropAnswer`).
 * @param {import('node:http').ServerResponse} res
 * @param {{ answerAfterMs: number } | { dropAnswer: true }} fault
 */
export function holdAnswer(res, fault) {
  /** @type {any[]} */
  let head = []
  const writeHead = /** @type {(...args: any[]) => unknown} */ (res.writeHead.bind(res))
  const end = res.end.bind(res)
  res.writeHead = /** @type {any} */ ((/** @type {any[]} */ ...args) => ((head = args), res))
  res.end = /** @type {any} */ (
    (/** @type {any} */ body) => {
      if ('dropAnswer' in fault) res.socket?.destroy()
      else
        setTimeout(() => {
          writeHead(...head)
          end(body)
        }, fault.answerAfterMs)
      return res
    }
  )
}
