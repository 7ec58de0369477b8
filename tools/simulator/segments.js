// Segments: read, listed, created and deleted, and refreshed under SendGrid's limits (1 an hour and
// 2 a day per segment, 10 a day per account), each refresh landing as a recompute some time later.
import { randomUUID } from 'node:crypto'
import { isIanaZone, nextMidnight, sameDay } from './calendar.js'
import {
  hourMs,
  listPath,
  rateLimitHeaders,
  refreshPathPattern,
  segmentPathPattern,
  send,
  sendJson
} from './http.js'

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
 * @typedef {object} World what every resource of one simulator shares
 * @property {() => number} now SendGrid's clock (ms)
 * @property {Record<string, any>} options the simulator's options
 */

/**
 * @param {World} world
 * @param {(segment: SimulatedSegment, at: number) => number} countAt how many written contacts a
 *   segment created by the live check counts at a moment
 */
export function segmentsResource({ now, options }, countAt) {
  const accountDailyLimit = options.accountDailyLimit ?? 10
  /** @type {Map<string, SimulatedSegment>} */
  const segments = new Map()
  /** @type {number[]} */
  const accountRefreshTimes = Array.from({ length: options.accountRefreshesToday ?? 0 }, now)

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

  /**
   * The segment endpoints: refresh, list, create, delete and read. False for any other path.
   * @param {string} method
   * @param {URL} url
   * @param {string} body
   * @param {import('node:http').ServerResponse} res
   */
  function segmentRoute(method, url, body, res) {
    const refreshMatch = refreshPathPattern.exec(url.pathname)
    if (method === 'POST' && refreshMatch) {
      refresh(decodeURIComponent(refreshMatch[1]), body, res)
      return true
    }
    if (method === 'GET' && url.pathname === listPath) {
      sendJson(res, 200, { results: [...segments.values()].map((s) => describe(s, false)) })
      return true
    }
    if (method === 'POST' && url.pathname === listPath) {
      createSegment(body, res)
      return true
    }
    const segmentMatch = segmentPathPattern.exec(url.pathname)
    if (method === 'DELETE' && segmentMatch) {
      const deleted = segments.delete(decodeURIComponent(segmentMatch[1]))
      // The official file declares 202 (not 204) for a deleted segment.
      if (deleted) send(res, 202, '')
      else sendJson(res, 404, { error: 'Segment does not exist.' })
      return true
    }
    if (method === 'GET' && segmentMatch) {
      const segment = segments.get(decodeURIComponent(segmentMatch[1]))
      if (!segment) sendJson(res, 404, { error: 'Segment does not exist.' })
      else
        sendJson(res, 200, describe(segment, url.searchParams.get('contacts_sample') !== 'false'))
      return true
    }
    return false
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

  return { segments, addSegment, route: segmentRoute }
}
