// How the simulator answers: SendGrid's paths, and the few ways it writes an answer.

export const refreshPathPattern = /^\/v3\/marketing\/segments\/2\.0\/refresh\/([^/]+)$/
export const segmentPathPattern = /^\/v3\/marketing\/segments\/2\.0\/([^/]+)$/
export const listPath = '/v3/marketing/segments/2.0'
export const singleSendsPath = '/v3/marketing/singlesends'
export const singleSendSearchPath = '/v3/marketing/singlesends/search'
export const singleSendPathPattern = /^\/v3\/marketing\/singlesends\/([^/]+)$/
export const contactJobPathPattern = /^\/v3\/marketing\/contacts\/imports\/([^/]+)$/
export const contactsPath = '/v3/marketing/contacts'
export const contactSearchPath = '/v3/marketing/contacts/search/emails'
/** Where SendGrid's `_metadata` links point: its own host, never the one the client asked. */
export const sendGridOrigin = 'https://api.sendgrid.com'
export const hourMs = 60 * 60 * 1000

/**
 * @param {import('node:http').ServerResponse} res
 * @param {{ oversized: number, status: number, endless?: boolean }} fault
 */
export function sendOversized(res, fault) {
  res.writeHead(fault.status, { 'Content-Type': 'text/html' })
  const chunk = Buffer.alloc(64 * 1024, '<p>Bad gateway</p>\n')
  for (let sent = 0; sent < fault.oversized; sent += chunk.length) res.write(chunk)
  if (!fault.endless) res.end()
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} body
 * @param {Record<string, string>} headers
 */
export function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers })
  res.end(body)
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} value
 * @param {Record<string, string>} [headers]
 */
export function sendJson(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), headers)
}

/**
 * @param {number} limit
 * @param {number} remaining
 * @param {number} resetAtMs
 */
export function rateLimitHeaders(limit, remaining, resetAtMs) {
  return {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': String(Math.ceil(resetAtMs / 1000))
  }
}
