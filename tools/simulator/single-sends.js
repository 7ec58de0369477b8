// Single Sends: listed and searched a page at a time, with SendGrid's absolute `next` links, and read
// by ID with the segments and lists they go to.
import {
  sendGridOrigin,
  sendJson,
  singleSendPathPattern,
  singleSendSearchPath,
  singleSendsPath
} from './http.js'

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
 * @typedef {object} World what every resource of one simulator shares
 * @property {() => number} now SendGrid's clock (ms)
 * @property {Record<string, any>} options the simulator's options
 */

/** @param {World} world */
export function singleSendsResource({ options }) {
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

  return { singleSends, addSingleSend, route: singleSendRoute }
}
