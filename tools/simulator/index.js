// A local SendGrid simulator for tests and the demo: the endpoints the action uses, with SendGrid's
// documented rules. It is not SendGrid; the contract tests hold it to the official OpenAPI files so
// it cannot drift from what SendGrid declares. Each resource lives in its own module: segments,
// Single Sends, contacts; faults are what tests queue; this file serves them.
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { contactsResource } from './contacts.js'
import { faultKey, holdAnswer, takeFault } from './faults.js'
import { readLimiter } from './read-limit.js'
import {
  contactJobPathPattern,
  contactsPath,
  send,
  sendJson,
  sendOversized,
  singleSendsPath
} from './http.js'
import { segmentsResource } from './segments.js'
import { singleSendsResource } from './single-sends.js'

export const demoApiKey = 'SG.local-demo-key'
export const freePlanApiKey = 'SG.local-free-plan-key'

/** @typedef {import('./segments.js').SimulatedSegment} SimulatedSegment */
/** @typedef {import('./single-sends.js').SimulatedSingleSend} SimulatedSingleSend */
/** @typedef {import('./contacts.js').SimulatedContactJob} SimulatedContactJob */
/** @typedef {import('./faults.js').Fault} Fault */
/** @typedef {import('./faults.js').FaultKind} FaultKind */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path
 * @property {string} query
 * @property {Record<string, string | string[] | undefined>} headers
 * @property {string} body
 * @property {number} at
 */

/**
 * Starts the simulator on 127.0.0.1 with a free port.
 * @param {object} [options]
 * @param {Array<Partial<SimulatedSegment> & { id: string, name?: string }>} [options.segments]
 * @param {() => number} [options.now] clock (ms), for limits across hours and days
 * @param {number} [options.refreshDelayMs] time from an accepted refresh until it lands
 * @param {number} [options.responseDelayMs] latency added to every answer
 * @param {number} [options.accountDailyLimit]
 * @param {number} [options.accountRefreshesToday] refreshes the account already spent today (UTC)
 * @param {boolean} [options.forbiddenBodies] answer 403 with SendGrid's documented JSON body instead of the spec's empty one
 * @param {number} [options.port] 0 (the default) picks a free port
 * @param {Array<Partial<SimulatedSingleSend> & { id: string }>} [options.singleSends]
 * @param {number} [options.maxPageSize] the most Single Sends one page holds (SendGrid: 100)
 * @param {boolean} [options.loopingNext] every page's `next` names the second page again
 * @param {{ key: string, cert: string }} [options.tls] serve HTTPS with this key and certificate
 * @param {Array<Partial<SimulatedContactJob> & { id: string }>} [options.contactJobs]
 * @param {'on_recompute' | 'on_accept'} [options.lastRefreshedWritten] when a refresh writes
 *   last_refreshed_at: as soon as it is accepted (the default, as SendGrid most likely does: it
 *   must record each refresh to refuse a second within the hour) or when its recompute lands
 * @param {boolean} [options.refreshMovesSample] whether a landed refresh moves sample_updated_at (default true)
 * @param {number} [options.contactJobMs] how long a contact write's job stays pending (default 500)
 * @param {number} [options.contactCountsAfterMs] how long after its job finished a written contact
 *   counts in a recompute (default 0)
 * @param {number} [options.contactSearchLagMs] how long after its job finished a contact is found by
 *   address (default 0)
 * @param {import('./read-limit.js').ReadLimitOptions} [options.readLimit] limit the account's reads
 *   (every GET and the Single Send search) as SendGrid's general rate limit does
 */
export async function startSimulator(options = {}) {
  const now = options.now ?? (() => Date.now())
  const world = { now, options }
  const contactsOf = contactsResource(world)
  const segmentsOf = segmentsResource(world, contactsOf.countAt)
  const singleSendsOf = singleSendsResource(world)
  const { contactJobs, contacts, addContactJob } = contactsOf
  const { segments, addSegment } = segmentsOf
  const { singleSends, addSingleSend } = singleSendsOf
  for (const seed of options.segments ?? []) addSegment(seed)
  for (const seed of options.singleSends ?? []) addSingleSend(seed)
  for (const seed of options.contactJobs ?? []) addContactJob(seed)
  /** @type {RecordedRequest[]} */
  const requests = []
  /** Who waits for the next request of a kind: see `nextRequest`. */
  /** @type {Array<{ matches: (key: string) => boolean, arrived: () => void }>} */
  const waiting = []
  /** @type {Map<string, Fault[]>} */
  const faults = new Map()
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const readLimit = readLimiter(options.readLimit, now)

  /** @type {import('node:http').RequestListener} */
  const handle = (req, res) => {
    counts.inFlight++
    counts.mostInFlight = Math.max(counts.mostInFlight, counts.inFlight)
    res.on('close', () => counts.inFlight--)
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      // SendGrid's clock, not Node's own (which would ignore the tests' clock), when it answers.
      const writeHead = /** @type {(...args: any[]) => any} */ (res.writeHead.bind(res))
      res.writeHead = (/** @type {any[]} */ ...args) => {
        if (!res.headersSent) res.setHeader('Date', new Date(now()).toUTCString())
        return writeHead(...args)
      }
      const url = new URL(req.url ?? '/', 'http://simulator')
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        at: now()
      })
      const key = faultKey(req.method ?? '', url.pathname)
      for (const waiter of waiting.filter((w) => w.matches(key))) {
        waiting.splice(waiting.indexOf(waiter), 1)
        waiter.arrived()
      }
      const fault = takeFault(faults, req.method ?? '', url.pathname)
      if (fault && 'hang' in fault) return // never answer; the client must give up
      if (fault && 'drop' in fault) return void req.socket.destroy()
      if (fault && 'oversized' in fault) return sendOversized(res, fault)
      // SendGrid acts on the request at once; only its answer is late, or lost on the way.
      if (fault && ('answerAfterMs' in fault || 'dropAnswer' in fault)) holdAnswer(res, fault)
      const answer = () => {
        if (fault && 'status' in fault) {
          return send(res, fault.status, fault.body ?? '', fault.headers ?? {})
        }
        const refused = readLimit.refuse(req.method ?? '', url.pathname)
        if (refused) return sendJson(res, 429, refused.body, refused.headers)
        route(req.method ?? '', url, req.headers, body, res)
      }
      if (fault && 'until' in fault) return void fault.until.then(answer, answer)
      const delay =
        (fault && 'delayMs' in fault ? fault.delayMs : 0) + (options.responseDelayMs ?? 0)
      if (delay > 0) setTimeout(answer, delay)
      else answer()
    })
  }
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle)
  /**
   * Connections opened to the simulator, TLS handshakes the client refused, and requests being
   * answered now and at most at once.
   */
  const counts = { connections: 0, refusedHandshakes: 0, inFlight: 0, mostInFlight: 0 }
  server.on('connection', (socket) => {
    counts.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('tlsClientError', () => counts.refusedHandshakes++)

  /**
   * @param {string} method
   * @param {URL} url
   * @param {import('node:http').IncomingHttpHeaders} headers
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function route(method, url, headers, body, res) {
    const auth = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1]
    if (!auth || (auth !== demoApiKey && auth !== freePlanApiKey)) {
      return sendJson(res, 401, {
        errors: [
          {
            field: null,
            message: 'The provided authorization grant is invalid, expired, or revoked'
          }
        ]
      })
    }
    if (!/application\/json|\*\/\*/.test(headers.accept ?? '')) {
      return sendJson(res, 406, {
        errors: [{ field: null, message: 'Accept header must allow application/json' }]
      })
    }
    if (auth === freePlanApiKey) {
      return options.forbiddenBodies
        ? sendJson(res, 403, { errors: [{ field: null, message: 'access forbidden' }] })
        : send(res, 403, '')
    }

    if (url.pathname.startsWith(singleSendsPath)) return singleSendsOf.route(method, url, body, res)
    const contactJobMatch = contactJobPathPattern.exec(url.pathname)
    if (method === 'GET' && contactJobMatch)
      return contactsOf.contactJob(decodeURIComponent(contactJobMatch[1]), res)
    if (segmentsOf.route(method, url, body, res)) return
    if (url.pathname.startsWith(contactsPath)) return contactsOf.route(method, url, body, res)
    sendJson(res, 404, {
      errors: [{ field: null, message: `no route for ${method} ${url.pathname}` }]
    })
  }

  await new Promise((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined))
  )
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())

  return {
    url: `${options.tls ? 'https' : 'http'}://${options.tls ? 'localhost' : '127.0.0.1'}:${address.port}`,
    /** The same server by IP address (for HTTPS: a name the certificate may not cover). */
    ipUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`,
    counts,
    /** Reads the read limit refused, by fault kind. */
    readsRefused: readLimit.refused,
    segments,
    singleSends,
    contactJobs,
    contacts,
    requests,
    addSegment,
    addSingleSend,
    addContactJob,
    /**
     * Queues a fault for the next matching request: kind 'refresh', 'get', 'list' (segments),
     * 'singlesends' (list), 'singlesends-search', 'singlesend' (get by ID) or 'contact-job'.
     */
    inject(
      /** @type {FaultKind} */ kind,
      /** @type {string} */ segmentId,
      /** @type {Fault[]} */ ...queued
    ) {
      const key = `${kind}:${segmentId}`
      faults.set(key, [...(faults.get(key) ?? []), ...queued])
    },
    /** Requests of one kind (and segment), in arrival order. */
    requestsFor(/** @type {FaultKind} */ kind, /** @type {string} */ segmentId = '') {
      return requests.filter((r) => faultKey(r.method, r.path) === `${kind}:${segmentId}`)
    },
    /**
     * Resolves when the next request of one kind arrives, from this call on: for one segment (or
     * job, or Single Send) when `id` is given, any of the kind when not. It is answered with what
     * the simulator holds then, so a test can change the world right after.
     */
    nextRequest(/** @type {FaultKind} */ kind, /** @type {string | undefined} */ id = undefined) {
      /** @param {string} key */
      const matches = (key) =>
        id === undefined ? key.startsWith(`${kind}:`) : key === `${kind}:${id}`
      return new Promise((resolve) => waiting.push({ matches, arrived: () => resolve(undefined) }))
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    }
  }
}
