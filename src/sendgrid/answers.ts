// The one place that reads SendGrid's answers: segments, the segment list, pages, Single Sends,
// contact jobs, refresh job IDs, and what went wrong. Everything here is untrusted input, read
// defensively: a field of the wrong type counts as absent.
import { parseTime } from '../time/human-time.js'
import { maxAnswerBytes, type ApiResult } from './api-result.js'
import { isRecord, parseJson } from './json.js'

/** What the action uses of a segment read; every field is optional in SendGrid's schema. */
export interface SegmentSnapshot {
  name: string | null
  contactsCount: number | null
  sampleUpdatedAt: string | null
  refreshesUsed: number | null
  maxRefreshes: number | null
  lastRefreshedAt: string | null
  /** When the segment was created and when its conditions were last edited (ISO 8601). */
  createdAt: string | null
  updatedAt: string | null
  queryValidation: string | null
  queryError: string | null
}

/** The body of a 200 answer; null for any other status or no answer. */
export function bodyOf200(answer: ApiResult): string | null {
  return answer.kind === 'response' && answer.status === 200 ? answer.body : null
}

/**
 * The segment in an answer to getSegment(), read defensively; null unless it is a 200 with a JSON
 * object. Never keeps contacts_sample (personal data).
 */
export function segmentIn(answer: ApiResult): SegmentSnapshot | null {
  const body = bodyOf200(answer)
  if (body === null) return null
  const value = parseJson(body)
  return isRecord(value) ? snapshotOf(value) : null
}

function snapshotOf(value: Record<string, unknown>): SegmentSnapshot {
  const status = isRecord(value.status) ? value.status : {}
  return {
    name: stringOrNull(value.name),
    contactsCount: integerOrNull(value.contacts_count),
    sampleUpdatedAt: stringOrNull(value.sample_updated_at),
    refreshesUsed: integerOrNull(value.refreshes_used),
    maxRefreshes: integerOrNull(value.max_refreshes),
    lastRefreshedAt: stringOrNull(value.last_refreshed_at),
    createdAt: stringOrNull(value.created_at),
    updatedAt: stringOrNull(value.updated_at),
    queryValidation: stringOrNull(status.query_validation),
    queryError: stringOrNull(status.error_message)
  }
}

/**
 * Every segment of a 200 answer to listSegments(), by lower-case ID: each entry carries its last
 * recompute and count, though none of the refresh fields. Null unless the answer is such a list.
 */
export function segmentListIn(answer: ApiResult): Map<string, SegmentSnapshot> | null {
  const body = bodyOf200(answer)
  const value = body === null ? null : parseJson(body)
  if (!isRecord(value) || !Array.isArray(value.results)) return null
  const listed = new Map<string, SegmentSnapshot>()
  for (const entry of value.results.filter(isRecord)) {
    if (typeof entry.id === 'string') listed.set(entry.id.toLowerCase(), snapshotOf(entry))
  }
  return listed
}

/**
 * Reads the list body `{"results": [...]}`. The official schema describes one flat segment, which
 * is wrong, so only `results` entries with a string id and name are trusted.
 */
export function parseSegmentList(body: string): Array<{ id: string; name: string }> | null {
  const value = parseJson(body)
  if (!isRecord(value) || !Array.isArray(value.results)) return null
  return value.results
    .filter(isRecord)
    .filter((s) => typeof s.id === 'string' && typeof s.name === 'string')
    .map((s) => ({ id: (s.id as string).toLowerCase(), name: s.name as string }))
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null
}

/** What went wrong with an answer, in a few words: "HTTP 500: SendGrid's message" or "timeout: ...". */
export function describeFailure(answer: ApiResult): string {
  if (answer.kind === 'no-response') return `${answer.reason}: ${answer.detail}`
  if (answer.status === 429)
    return `SendGrid's rate limit for requests still refused it (HTTP 429${readLimitWait(answer)}); the account is busy, try again later`
  if (answer.tooLarge) return `HTTP ${answer.status}; the answer was ${tooLargeWords}`
  const said = describeErrorBody(answer.body)
  return `HTTP ${answer.status}${said ? `: ${said}` : ''}`
}

/** ", after waiting 2 min 0 s for it 9 times", when the client waited for the rate limit. */
export function readLimitWait(answer: ApiResult): string {
  const limited = answer.rateLimited
  if (!limited) return ''
  return `, after waiting ${(limited.waitedMs / 1000).toFixed(1)} s for it ${limited.times === 1 ? 'once' : `${limited.times} times`}`
}

export const tooLargeWords = `larger than ${maxAnswerBytes / 1024 / 1024} MiB and was cut off there (SendGrid's answers are far smaller: a proxy or gateway in between may have answered)`

// Error bodies come in three shapes ({"errors":[...]}, {"error":"..."}, or nothing), and proxies
// in front of SendGrid answer with HTML: any of them becomes one readable sentence.

const maxLength = 300

/** SendGrid's own words from an error body, or null when the body says nothing useful. */
export function describeErrorBody(body: string): string | null {
  const text = body.trim()
  if (!text) return null

  const parsed = parseJson(text)
  if (parsed !== undefined) return describeJson(parsed)

  if (text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    return title ? `an HTML page titled "${clip(title)}"` : 'an HTML page'
  }
  return clip(text.replace(/\s+/g, ' '))
}

function describeJson(value: unknown): string | null {
  if (!isRecord(value)) return null
  if (Array.isArray(value.errors)) {
    const messages = value.errors.filter(isRecord).map((entry) => {
      const message = typeof entry.message === 'string' ? entry.message : JSON.stringify(entry)
      return typeof entry.field === 'string' && entry.field ? `${entry.field}: ${message}` : message
    })
    if (messages.length > 0) return clip(messages.join('; '))
  }
  for (const key of ['error', 'message'] as const) {
    if (typeof value[key] === 'string' && value[key]) return clip(value[key])
  }
  return null
}

function clip(text: string): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}

/** One page of a paginated answer: `result` items and the page token of `_metadata.next`. */
export function pageIn(body: string): { items: unknown[]; nextToken: string | null } | null {
  const value = parseJson(body)
  if (!isRecord(value) || !Array.isArray(value.result)) return null
  const metadata = isRecord(value._metadata) ? value._metadata : {}
  let nextToken: string | null = null
  if (typeof metadata.next === 'string' && metadata.next) {
    try {
      nextToken = new URL(metadata.next).searchParams.get('page_token') || null
    } catch {
      nextToken = null
    }
  }
  return { items: value.result, nextToken }
}

/** The refresh job ID of a 202, or null. */
export function jobIdIn(body: string): string | null {
  const parsed = parseJson(body)
  if (!isRecord(parsed)) return null
  const jobId = parsed.job_id
  return typeof jobId === 'string' && jobId ? jobId : null
}

export interface SingleSend {
  id: string
  name: string
  /** `draft`, `scheduled` or `triggered` (anything else is kept as SendGrid said it). */
  status: string
  /** When a scheduled one goes out (ISO 8601), as SendGrid gave it. */
  sendAt: string | null
  segmentIds: string[]
  listIds: string[]
  all: boolean
}

export type ShortForm = Pick<SingleSend, 'id' | 'name' | 'status' | 'sendAt'>

export function shortFormOf(value: unknown): ShortForm | null {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.name !== 'string')
    return null
  return {
    id: value.id.toLowerCase(),
    name: value.name,
    status: typeof value.status === 'string' ? value.status : 'unknown',
    sendAt: typeof value.send_at === 'string' && value.send_at ? value.send_at : null
  }
}

/** The full form of a Single Send from GET /v3/marketing/singlesends/{id}, read defensively. */
export function singleSendIn(body: string): SingleSend | null {
  const value = parseJson(body)
  const short = shortFormOf(value)
  if (!short || !isRecord(value)) return null
  const sendTo = isRecord(value.send_to) ? value.send_to : {}
  const ids = (list: unknown): string[] =>
    Array.isArray(list)
      ? [
          ...new Set(
            list.filter((id): id is string => typeof id === 'string').map((id) => id.toLowerCase())
          )
        ]
      : []
  return {
    ...short,
    segmentIds: ids(sendTo.segment_ids),
    listIds: ids(sendTo.list_ids),
    all: sendTo.all === true
  }
}

/** A contact job as last read. */
export interface ContactJob {
  id: string
  /** SendGrid's status, or `not_found` (404) or `unreadable` (no usable answer after retries). */
  status: string
  jobType: string | null
  requestedCount: number | null
  createdCount: number | null
  updatedCount: number | null
  deletedCount: number | null
  erroredCount: number | null
  finishedAt: string | null
  /** Why it could not be read, for `unreadable`. */
  problem: string | null
}

/** A job not read yet: pending, nothing known. */
export const unreadJob = (id: string): ContactJob => ({
  id,
  status: 'pending',
  jobType: null,
  requestedCount: null,
  createdCount: null,
  updatedCount: null,
  deletedCount: null,
  erroredCount: null,
  finishedAt: null,
  problem: null
})

/** A job as SendGrid's answer describes it, read defensively. */
export function contactJobIn(id: string, answer: ApiResult): ContactJob {
  if (answer.kind === 'response' && answer.status === 404)
    return { ...unreadJob(id), status: 'not_found' }
  const body = bodyOf200(answer)
  const value = body === null ? null : parseJson(body)
  if (!isRecord(value) || typeof value.status !== 'string' || !value.status) {
    const problem =
      body !== null
        ? 'SendGrid answered with a body that is not a contact job'
        : describeFailure(answer)
    return { ...unreadJob(id), status: 'unreadable', problem }
  }
  const results = isRecord(value.results) ? value.results : {}
  const count = (field: string): number | null => {
    const n = results[field]
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null
  }
  return {
    ...unreadJob(id),
    // Kept short: it is SendGrid's word, shown as is.
    status: value.status.slice(0, 40),
    jobType: typeof value.job_type === 'string' ? value.job_type.slice(0, 40) : null,
    requestedCount: count('requested_count'),
    createdCount: count('created_count'),
    updatedCount: count('updated_count'),
    deletedCount: count('deleted_count'),
    erroredCount: count('errored_count'),
    finishedAt: parseTime(stringOr(value.finished_at)) === null ? null : stringOr(value.finished_at)
  }
}

const stringOr = (value: unknown): string | null => (typeof value === 'string' ? value : null)
