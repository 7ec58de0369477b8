// What the action reads out of SendGrid's answers: segments, the segment list, and what went wrong.
// Everything here is untrusted input, read defensively: a field of the wrong type counts as absent.
import { describeErrorBody, isRecord, parseJson } from './error-body.js'
import { maxAnswerBytes, type ApiResult } from './sendgrid-client.js'

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

/**
 * The segment in an answer to getSegment(), read defensively; null unless it is a 200 with a JSON
 * object. Never keeps contacts_sample (personal data).
 */
export function segmentIn(answer: ApiResult): SegmentSnapshot | null {
  if (answer.kind !== 'response' || answer.status !== 200) return null
  const value = parseJson(answer.body)
  if (!isRecord(value)) return null
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
  if (answer.tooLarge) return `HTTP ${answer.status}; the answer was ${tooLargeWords}`
  const said = describeErrorBody(answer.body)
  return `HTTP ${answer.status}${said ? `: ${said}` : ''}`
}

export const tooLargeWords = `larger than ${maxAnswerBytes / 1024 / 1024} MiB and was cut off there (SendGrid's answers are far smaller: a proxy or gateway in between may have answered)`
