// A local SendGrid simulator for tests and the demo: the Segments 2.0 endpoints the action uses,
// with SendGrid's documented rules. It is not SendGrid; the contract tests hold it to the official
// OpenAPI file so it cannot drift from what SendGrid declares.
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'

export const demoApiKey = 'SG.local-demo-key'
export const freePlanApiKey = 'SG.local-free-plan-key'

const refreshPathPattern = /^\/v3\/marketing\/segments\/2\.0\/refresh\/([^/]+)$/
const segmentPathPattern = /^\/v3\/marketing\/segments\/2\.0\/([^/]+)$/
const listPath = '/v3/marketing/segments/2.0'
const singleSendsPath = '/v3/marketing/singlesends'
const singleSendSearchPath = '/v3/marketing/singlesends/search'
const singleSendPathPattern = /^\/v3\/marketing\/singlesends\/([^/]+)$/
const contactJobPathPattern = /^\/v3\/marketing\/contacts\/imports\/([^/]+)$/
const contactsPath = '/v3/marketing/contacts'
const contactSearchPath = '/v3/marketing/contacts/search/emails'
/** Where SendGrid's `_metadata` links point: its own host, never the one the client asked. */
const sendGridOrigin = 'https://api.sendgrid.com'
const hourMs = 60 * 60 * 1000

/**
 * @typedef {object} SimulatedSegment
 * @property {string} id
 * @property {string} name
 * @property {number} contactsCount
 * @property {number} contactsCountAfterRefresh what a refresh that lands sets contacts_count to
 * @property {string} timeZone zone of the last refresh (the per-segment daily count resets at its midnight)
 * @property {number[]} refreshTimes when each accepted refresh was asked for (ms)
 * @property {number | null} lastRefreshedAt when the last refresh was accepted, or landed (ms)
 * @property {number} sampleUpdatedAt (ms)
 * @property {number | null} pendingUntil when an accepted refresh lands (ms)
 * @property {'VALID' | 'INVALID' | 'PENDING'} queryValidation
 * @property {string} [errorMessage]
 * @property {boolean} quotaFields whether reads carry refreshes_used, max_refreshes, last_refreshed_at
 * @property {number} createdAt when the segment was created (ms)
 * @property {number} updatedAt when its conditions were last edited (ms)
 * @property {string | null} matchEmail a created segment's query: the one address it matches
 * @property {number} [refreshDelayMs] this segment's time from an accepted refresh until
 *   it lands, instead of the simulator's
 */

/**
 * @typedef {object} SimulatedSingleSend
 * @property {string} id
 * @property {string} name
 * @property {'draft' | 'scheduled' | 'triggered'} status
 * @property {number | null} sendAt (ms)
 * @property {string[]} segmentIds
 * @property {string[]} listIds
 * @property {boolean} all
 * @property {string[]} categories
 */

/**
 * @typedef {object} SimulatedContactJob
 * @property {string} id
 * @property {'completed' | 'errored' | 'failed'} status what the job ends as
 * @property {number} finishesAt when it finishes (ms); `pending` until then
 * @property {'upsert' | 'delete'} jobType
 * @property {number} requestedCount
 * @property {number} erroredCount contacts rejected (all of them for `failed`)
 */

/**
 * @typedef {{ status: number, body?: string, headers?: Record<string, string> }
 *   | { hang: true } | { drop: true } | { delayMs: number }
 *   | { oversized: number, status: number, endless?: boolean }} Fault
 * `oversized` sends that many bytes of an HTML page; `endless` then never ends the answer.
 */

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
 */
export async function startSimulator(options = {}) {
  const now = options.now ?? (() => Date.now())
  const accountDailyLimit = options.accountDailyLimit ?? 10
  /** @type {Map<string, SimulatedSegment>} */
  const segments = new Map()
  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {Map<string, Fault[]>} */
  const faults = new Map()
  /** @type {number[]} */
  const accountRefreshTimes = Array.from({ length: options.accountRefreshesToday ?? 0 }, now)
  const sockets = new Set()

  const addSegment = (/** @type {Partial<SimulatedSegment> & { id: string }} */ seed) => {
    /** @type {SimulatedSegment} */
    const segment = {
      name: `Segment ${seed.id.slice(0, 8)}`,
      contactsCount: 100,
      contactsCountAfterRefresh: seed.contactsCountAfterRefresh ?? (seed.contactsCount ?? 100) + 1,
      timeZone: 'UTC',
      refreshTimes: [],
      lastRefreshedAt: null,
      sampleUpdatedAt: now() - 6 * hourMs,
      pendingUntil: null,
      queryValidation: 'VALID',
      errorMessage: undefined,
      quotaFields: true,
      createdAt: Date.UTC(2026, 0, 5, 10),
      updatedAt: Date.UTC(2026, 0, 5, 10),
      matchEmail: null,
      ...seed
    }
    segments.set(seed.id, segment)
    return segment
  }
  for (const seed of options.segments ?? []) addSegment(seed)
  /** @type {Map<string, SimulatedSingleSend>} */
  const singleSends = new Map()
  const addSingleSend = (/** @type {Partial<SimulatedSingleSend> & { id: string }} */ seed) => {
    /** @type {SimulatedSingleSend} */
    const singleSend = {
      name: `Single Send ${seed.id.slice(0, 8)}`,
      status: 'draft',
      sendAt: null,
      segmentIds: [],
      listIds: [],
      all: false,
      categories: [],
      ...seed
    }
    singleSends.set(seed.id, singleSend)
    return singleSend
  }
  for (const seed of options.singleSends ?? []) addSingleSend(seed)
  /** @type {Map<string, SimulatedContactJob>} */
  const contactJobs = new Map()
  const addContactJob = (/** @type {Partial<SimulatedContactJob> & { id: string }} */ seed) => {
    /** @type {SimulatedContactJob} */
    const job = {
      status: 'completed',
      finishesAt: now(),
      jobType: 'upsert',
      requestedCount: 100,
      erroredCount: seed.status === 'failed' ? (seed.requestedCount ?? 100) : 0,
      ...seed
    }
    contactJobs.set(seed.id, job)
    return job
  }
  for (const seed of options.contactJobs ?? []) addContactJob(seed)

  /** Contacts written with PUT /v3/marketing/contacts: address, ID, and when their job finished. */
  /** @type {Map<string, { id: string, email: string, jobFinishesAt: number }>} */
  const contacts = new Map()
  const countAt = (/** @type {SimulatedSegment} */ segment, /** @type {number} */ at) =>
    [...contacts.values()].filter(
      (c) =>
        c.email === segment.matchEmail &&
        at >= c.jobFinishesAt + (options.contactCountsAfterMs ?? 0)
    ).length

  /** Applies a refresh whose time has come, as SendGrid's background job would. */
  const landDueRecompute = (/** @type {SimulatedSegment} */ segment) => {
    if (segment.pendingUntil !== null && now() >= segment.pendingUntil) {
      const at = segment.pendingUntil
      if (options.lastRefreshedWritten === 'on_recompute') segment.lastRefreshedAt = at
      if (options.refreshMovesSample !== false) segment.sampleUpdatedAt = at
      segment.contactsCount =
        segment.matchEmail === null ? segment.contactsCountAfterRefresh : countAt(segment, at)
      segment.pendingUntil = null
    }
  }

  /** @type {import('node:http').RequestListener} */
  const handle = (req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      // SendGrid's clock, not Node's own (which would ignore the tests' clock).
      res.setHeader('Date', new Date(now()).toUTCString())
      const url = new URL(req.url ?? '/', 'http://simulator')
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search,
        headers: req.headers,
        body,
        at: now()
      })
      const fault = takeFault(faults, req.method ?? '', url.pathname)
      if (fault && 'hang' in fault) return // never answer; the client must give up
      if (fault && 'drop' in fault) return void req.socket.destroy()
      if (fault && 'oversized' in fault) return sendOversized(res, fault)
      const answer = () => {
        if (fault && 'status' in fault) {
          return send(res, fault.status, fault.body ?? '', fault.headers ?? {})
        }
        route(req.method ?? '', url, req.headers, body, res)
      }
      const delay =
        (fault && 'delayMs' in fault ? fault.delayMs : 0) + (options.responseDelayMs ?? 0)
      if (delay > 0) setTimeout(answer, delay)
      else answer()
    })
  }
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle)
  /** Connections opened to the simulator, and TLS handshakes the client refused. */
  const counts = { connections: 0, refusedHandshakes: 0 }
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

    if (url.pathname.startsWith(singleSendsPath)) return singleSendRoute(method, url, body, res)
    const contactJobMatch = contactJobPathPattern.exec(url.pathname)
    if (method === 'GET' && contactJobMatch)
      return contactJob(decodeURIComponent(contactJobMatch[1]), res)
    const refreshMatch = refreshPathPattern.exec(url.pathname)
    if (method === 'POST' && refreshMatch)
      return refresh(decodeURIComponent(refreshMatch[1]), body, res)
    if (method === 'GET' && url.pathname === listPath) {
      return sendJson(res, 200, { results: [...segments.values()].map((s) => describe(s, false)) })
    }
    if (method === 'POST' && url.pathname === listPath) return createSegment(body, res)
    if (url.pathname.startsWith(contactsPath)) return contactsRoute(method, url, body, res)
    const segmentMatch = segmentPathPattern.exec(url.pathname)
    if (method === 'DELETE' && segmentMatch) {
      const deleted = segments.delete(decodeURIComponent(segmentMatch[1]))
      // The official file declares 202 (not 204) for a deleted segment.
      return deleted ? send(res, 202, '') : sendJson(res, 404, { error: 'Segment does not exist.' })
    }
    if (method === 'GET' && segmentMatch) {
      const segment = segments.get(decodeURIComponent(segmentMatch[1]))
      if (!segment) return sendJson(res, 404, { error: 'Segment does not exist.' })
      return sendJson(
        res,
        200,
        describe(segment, url.searchParams.get('contacts_sample') !== 'false')
      )
    }
    sendJson(res, 404, {
      errors: [{ field: null, message: `no route for ${method} ${url.pathname}` }]
    })
  }

  /**
   * Creates a segment from `{name, query_dsl}`. Only the query the live check writes is understood:
   * `... WHERE email = '<address>'`; the segment then counts the contacts with that address.
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function createSegment(body, res) {
    let wanted
    try {
      wanted = JSON.parse(body)
    } catch {
      return sendJson(res, 400, { errors: [{ field: 'body', message: 'invalid JSON' }] })
    }
    const email = /\bemail\s*=\s*'([^']+)'/i.exec(String(wanted?.query_dsl ?? ''))?.[1]
    if (typeof wanted?.name !== 'string' || !email) {
      return sendJson(res, 400, {
        errors: [{ field: 'query_dsl', message: 'name and a query_dsl are required' }]
      })
    }
    const segment = addSegment({
      id: randomUUID(),
      name: wanted.name,
      contactsCount: 0,
      // SendGrid's schema requires sample_updated_at: a new segment is computed as it is created.
      sampleUpdatedAt: now(),
      createdAt: now(),
      updatedAt: now(),
      matchEmail: email.toLowerCase(),
      timeZone: 'UTC'
    })
    sendJson(res, 201, describe(segment, false))
  }

  /**
   * Contacts: add or update (a job that finishes after `contactJobMs`), find by address (only once
   * the job finished and `contactSearchLagMs` passed), and delete by ID (a job).
   * @param {string} method
   * @param {URL} url
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function contactsRoute(method, url, body, res) {
    const parsed = () => {
      try {
        return JSON.parse(body)
      } catch {
        return null
      }
    }
    const newJob = (/** @type {'upsert' | 'delete'} */ jobType, /** @type {number} */ count) =>
      addContactJob({
        id: randomUUID(),
        jobType,
        requestedCount: count,
        finishesAt: now() + (options.contactJobMs ?? 500)
      })
    if (method === 'PUT' && url.pathname === contactsPath) {
      const list = parsed()?.contacts
      if (!Array.isArray(list) || list.some((c) => typeof c?.email !== 'string')) {
        return sendJson(res, 400, { errors: [{ field: 'contacts', message: 'invalid contacts' }] })
      }
      const job = newJob('upsert', list.length)
      for (const { email } of list) {
        const address = email.toLowerCase()
        contacts.set(address, { id: randomUUID(), email: address, jobFinishesAt: job.finishesAt })
      }
      return sendJson(res, 202, { job_id: job.id })
    }
    if (method === 'POST' && url.pathname === contactSearchPath) {
      const emails = parsed()?.emails
      if (!Array.isArray(emails)) {
        return sendJson(res, 400, { errors: [{ field: 'emails', message: 'emails is required' }] })
      }
      /** @type {Record<string, unknown>} */
      const result = {}
      for (const email of emails) {
        const contact = contacts.get(String(email).toLowerCase())
        if (contact && now() >= contact.jobFinishesAt + (options.contactSearchLagMs ?? 0)) {
          const at = new Date(contact.jobFinishesAt).toISOString().replace(/\.\d{3}Z$/, 'Z')
          result[email] = {
            contact: {
              id: contact.id,
              email: contact.email,
              list_ids: [],
              segment_ids: [],
              created_at: at,
              updated_at: at
            }
          }
        }
      }
      if (Object.keys(result).length === 0) {
        return sendJson(res, 404, { errors: [{ field: null, message: 'No contacts found' }] })
      }
      return sendJson(res, 200, { result })
    }
    if (method === 'DELETE' && url.pathname === contactsPath) {
      const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean)
      if (ids.length === 0) {
        return sendJson(res, 400, { errors: [{ field: 'ids', message: 'ids is required' }] })
      }
      for (const [address, contact] of contacts)
        if (ids.includes(contact.id)) contacts.delete(address)
      return sendJson(res, 202, { job_id: newJob('delete', ids.length).id })
    }
    sendJson(res, 404, {
      errors: [{ field: null, message: `no route for ${method} ${url.pathname}` }]
    })
  }

  /**
   * The Single Sends endpoints: list and search, paginated with an absolute `next` link on
   * SendGrid's host, and get by ID.
   * @param {string} method
   * @param {URL} url
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function singleSendRoute(method, url, body, res) {
    if (method === 'GET' && url.pathname === singleSendsPath) {
      return sendPage(res, url, [...singleSends.values()])
    }
    if (method === 'POST' && url.pathname === singleSendSearchPath) {
      let filters
      try {
        filters = body ? JSON.parse(body) : {}
      } catch {
        return sendJson(res, 400, { errors: [{ field: 'body', message: 'invalid JSON' }] })
      }
      const matching = [...singleSends.values()].filter(
        (s) =>
          (!filters.name || s.name.toLowerCase().includes(String(filters.name).toLowerCase())) &&
          (!Array.isArray(filters.status) || filters.status.includes(s.status)) &&
          (!Array.isArray(filters.categories) ||
            filters.categories.some((/** @type {string} */ c) => s.categories.includes(c)))
      )
      return sendPage(res, url, matching)
    }
    const match = singleSendPathPattern.exec(url.pathname)
    if (method === 'GET' && match) {
      const singleSend = singleSends.get(decodeURIComponent(match[1]))
      if (!singleSend) {
        return sendJson(res, 404, {
          errors: [{ field: 'id', message: 'resource not found', error_id: 'not_found' }]
        })
      }
      return sendJson(res, 200, {
        ...shortForm(singleSend),
        send_to: {
          list_ids: singleSend.listIds,
          segment_ids: singleSend.segmentIds,
          all: singleSend.all
        }
      })
    }
    sendJson(res, 404, {
      errors: [{ field: 'path', message: `no route for ${method} ${url.pathname}` }]
    })
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {URL} url
   * @param {SimulatedSingleSend[]} all
   */
  function sendPage(res, url, all) {
    const asked = Number(url.searchParams.get('page_size') ?? '100') || 100
    const size = Math.min(asked, options.maxPageSize ?? 100)
    const offset = Number(url.searchParams.get('page_token')?.replace(/^offset-/, '') ?? '0') || 0
    const link = (/** @type {number} */ at) =>
      `${sendGridOrigin}${url.pathname}?page_size=${size}&page_token=offset-${at}`
    const nextOffset = options.loopingNext ? size : offset + size
    sendJson(res, 200, {
      result: all.slice(offset, offset + size).map(shortForm),
      _metadata: {
        self: link(offset),
        ...(offset > 0 ? { prev: link(Math.max(0, offset - size)) } : {}),
        ...(offset + size < all.length || options.loopingNext ? { next: link(nextOffset) } : {}),
        count: all.length
      }
    })
  }

  /** @param {SimulatedSingleSend} singleSend */
  function shortForm(singleSend) {
    return {
      id: singleSend.id,
      name: singleSend.name,
      abtest: null,
      status: singleSend.status,
      categories: singleSend.categories,
      ...(singleSend.sendAt !== null ? { send_at: new Date(singleSend.sendAt).toISOString() } : {}),
      is_abtest: false,
      updated_at: '2026-11-01T10:00:00.000Z',
      created_at: '2026-11-01T09:00:00.000Z'
    }
  }

  /**
   * A contact job: `pending` until it finishes, then its counts; created contacts for an upsert,
   * deleted ones for a delete.
   * @param {string} id
   * @param {import('node:http').ServerResponse} res
   */
  function contactJob(id, res) {
    const job = contactJobs.get(id)
    if (!job) return sendJson(res, 404, { errors: [{ field: null, message: 'job not found' }] })
    const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
    const started = { id, job_type: job.jobType, started_at: iso(job.finishesAt - 60_000) }
    if (now() < job.finishesAt) {
      return sendJson(res, 200, {
        ...started,
        status: 'pending',
        results: { requested_count: job.requestedCount }
      })
    }
    const written = job.requestedCount - job.erroredCount
    sendJson(res, 200, {
      ...started,
      status: job.status,
      results: {
        requested_count: job.requestedCount,
        ...(job.jobType === 'delete'
          ? { deleted_count: written }
          : { created_count: written, updated_count: 0 }),
        errored_count: job.erroredCount,
        ...(job.erroredCount > 0 ? { errors_url: `${sendGridOrigin}/errors/${id}.csv` } : {})
      },
      finished_at: iso(job.finishesAt)
    })
  }

  /**
   * @param {string} segmentId
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function refresh(segmentId, body, res) {
    const segment = segments.get(segmentId)
    if (!segment) return sendJson(res, 404, { error: 'Segment does not exist.' })
    let timeZone
    try {
      timeZone = JSON.parse(body).user_time_zone
    } catch {
      return sendJson(res, 400, {
        errors: [{ field: 'body', message: 'request body must be JSON' }]
      })
    }
    if (typeof timeZone !== 'string' || !isIanaZone(timeZone)) {
      return sendJson(res, 400, {
        errors: [
          { field: 'user_time_zone', message: 'user_time_zone must be an IANA time zone name' }
        ]
      })
    }
    landDueRecompute(segment)
    const at = now()
    const accountToday = accountRefreshTimes.filter((t) => sameDay(t, at, 'UTC'))
    const segmentToday = segment.refreshTimes.filter((t) => sameDay(t, at, timeZone))
    const lastAsked = segment.refreshTimes.at(-1)
    /** @type {number | null} */
    let resetAt = null
    if (lastAsked !== undefined && at - lastAsked < hourMs) resetAt = lastAsked + hourMs
    else if (segmentToday.length >= 2) resetAt = nextMidnight(at, timeZone)
    else if (accountToday.length >= accountDailyLimit) resetAt = nextMidnight(at, 'UTC')
    if (resetAt !== null) {
      return send(res, 429, '', rateLimitHeaders(accountDailyLimit, 0, resetAt))
    }
    segment.timeZone = timeZone
    segment.refreshTimes.push(at)
    accountRefreshTimes.push(at)
    segment.pendingUntil = at + (segment.refreshDelayMs ?? options.refreshDelayMs ?? 0)
    if (options.lastRefreshedWritten !== 'on_recompute') segment.lastRefreshedAt = at
    const remaining = accountDailyLimit - accountToday.length - 1
    sendJson(
      res,
      202,
      { job_id: randomUUID() },
      rateLimitHeaders(accountDailyLimit, remaining, nextMidnight(at, 'UTC'))
    )
  }

  /**
   * @param {SimulatedSegment} segment
   * @param {boolean} withSample
   */
  function describe(segment, withSample) {
    landDueRecompute(segment)
    const at = now()
    const iso = (/** @type {number} */ ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
    return {
      id: segment.id,
      name: segment.name,
      query_dsl: "SELECT contact_id, updated_at FROM contact_data WHERE email LIKE '%@example.com'",
      contacts_count: segment.contactsCount,
      contacts_sample: withSample
        ? [{ contact_id: randomUUID(), primary_email: 'someone@example.com' }]
        : [],
      created_at: iso(segment.createdAt),
      updated_at: iso(segment.updatedAt),
      sample_updated_at: iso(segment.sampleUpdatedAt),
      next_sample_update: iso(segment.sampleUpdatedAt + 24 * hourMs),
      parent_list_ids: [],
      query_version: '2',
      status: {
        query_validation: segment.queryValidation,
        ...(segment.errorMessage ? { error_message: segment.errorMessage } : {})
      },
      ...(segment.quotaFields
        ? {
            refreshes_used: segment.refreshTimes.filter((t) => sameDay(t, at, segment.timeZone))
              .length,
            max_refreshes: 2,
            ...(segment.lastRefreshedAt !== null
              ? { last_refreshed_at: iso(segment.lastRefreshedAt) }
              : {})
          }
        : {})
    }
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
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    }
  }
}

/** @typedef {'refresh' | 'get' | 'list' | 'singlesends' | 'singlesends-search' | 'singlesend' | 'contact-job' | 'create-segment' | 'delete-segment' | 'contacts-upsert' | 'contacts-search' | 'contacts-delete'} FaultKind */

/**
 * @param {string} method
 * @param {string} path
 */
function faultKey(method, path) {
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
function takeFault(faults, method, path) {
  return faults.get(faultKey(method, path))?.shift()
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {{ oversized: number, status: number, endless?: boolean }} fault
 */
function sendOversized(res, fault) {
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
function send(res, status, body, headers = {}) {
  res.writeHead(status, { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers })
  res.end(body)
}

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} value
 * @param {Record<string, string>} [headers]
 */
function sendJson(res, status, value, headers = {}) {
  send(res, status, JSON.stringify(value), headers)
}

/**
 * @param {number} limit
 * @param {number} remaining
 * @param {number} resetAtMs
 */
function rateLimitHeaders(limit, remaining, resetAtMs) {
  return {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': String(Math.ceil(resetAtMs / 1000))
  }
}

/** @param {string} zone */
function isIanaZone(zone) {
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
function localDate(ms, zone) {
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
function sameDay(a, b, zone) {
  return localDate(a, zone) === localDate(b, zone)
}

/**
 * The first instant after `ms` whose local date in `zone` differs: found by bisection, so it has no
 * daylight-saving arithmetic to get wrong.
 * @param {number} ms
 * @param {string} zone
 */
function nextMidnight(ms, zone) {
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
