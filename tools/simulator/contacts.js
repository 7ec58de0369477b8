// Contacts and their jobs: writes that finish after a while, searches by address, deletes, and the
// job reads that say how a write went.
import { randomUUID } from 'node:crypto'
import { contactSearchPath, contactsPath, sendGridOrigin, sendJson } from './http.js'

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
 * @typedef {object} World what every resource of one simulator shares
 * @property {() => number} now SendGrid's clock (ms)
 * @property {Record<string, any>} options the simulator's options
 */

/** @param {World} world */
export function contactsResource({ now, options }) {
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

  /** Contacts written with PUT /v3/marketing/contacts: address, ID, and when their job finished. */
  /** @type {Map<string, { id: string, email: string, jobFinishesAt: number }>} */
  const contacts = new Map()
  const countAt = (
    /** @type {import('./segments.js').SimulatedSegment} */ segment,
    /** @type {number} */ at
  ) =>
    [...contacts.values()].filter(
      (c) =>
        c.email === segment.matchEmail &&
        at >= c.jobFinishesAt + (options.contactCountsAfterMs ?? 0)
    ).length

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

  return { contactJobs, contacts, addContactJob, countAt, route: contactsRoute, contactJob }
}
