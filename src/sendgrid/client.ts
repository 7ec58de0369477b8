// The SendGrid HTTP client: one place that knows hosts, headers, timeouts and which failures are
// worth retrying. It never throws for an HTTP status; callers decide what a status means.
import { HttpClient } from '@actions/http-client'
import type { ClientRequest } from 'node:http'
import packageJson from '../../package.json' with { type: 'json' }
import { bodyOf200, pageIn } from './answers.js'
import { maxAnswerBytes, type ApiResult, type SingleAttempt } from './api-result.js'
import { log } from '../report/log.js'
import { backoffDelayMs, sleep } from './retry.js'

export type { ApiResult } from './api-result.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export const userAgent = `refresh-segment-action/${packageJson.version}`

export interface ClientOptions {
  apiKey: string
  baseUrl: string
  onBehalfOf: string | null
  timeoutMs: number
  maxRetries: number
  /** Aborted when the run is cancelled: no request is sent after it, and no retry is waited for. */
  signal?: AbortSignal
}

/** How often one request is sent again after finding its reused connection closed. */
const maxStaleRetries = 3

/** Errors of requests sent on a reused keep-alive connection (Node's `req.reusedSocket`). */
const reusedConnectionErrors = new WeakSet<object>()

/**
 * Marks the errors of requests that went out on a reused connection. @actions/http-client keeps the
 * request to itself, so the agent it hands out is watched instead; the error object is the same one
 * the client then rejects with.
 */
function watchReusedConnections(agent: unknown): void {
  const pool = agent as { addRequest?: (request: ClientRequest, ...rest: unknown[]) => unknown }
  const addRequest = pool.addRequest
  if (typeof addRequest !== 'function') return
  pool.addRequest = function (this: unknown, request: ClientRequest, ...rest: unknown[]) {
    request.once('error', (error) => {
      if (request.reusedSocket) reusedConnectionErrors.add(error)
    })
    return addRequest.call(this, request, ...rest)
  }
}

/** Node's codes for a certificate the runner does not trust; retrying cannot help. */
const certificateErrors = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID'
])

export const refreshPath = (segmentId: string): string =>
  `/v3/marketing/segments/2.0/refresh/${encodeURIComponent(segmentId)}`
export const segmentPath = (segmentId: string): string =>
  `/v3/marketing/segments/2.0/${encodeURIComponent(segmentId)}?contacts_sample=false`
export const segmentsPath = '/v3/marketing/segments/2.0'
export const contactJobPath = (id: string): string =>
  `/v3/marketing/contacts/imports/${encodeURIComponent(id)}`
export const singleSendsPath = '/v3/marketing/singlesends'
export const singleSendSearchPath = '/v3/marketing/singlesends/search'
export const singleSendPath = (id: string): string =>
  `/v3/marketing/singlesends/${encodeURIComponent(id)}`

/** Page size asked of paginated endpoints, and how many pages a run follows at most. */
export const pageSize = 100
export const maxPages = 50

/** Every item of a paginated answer, or the answer that stopped the paging. */
export type Pages =
  | { kind: 'items'; items: unknown[]; pages: number; truncated: boolean }
  | { kind: 'failed'; answer: ApiResult }

export class SendGridClient {
  private readonly http: HttpClient
  /** Aborted when the run is cancelled; loops that wait between requests stop on it. */
  readonly signal: AbortSignal

  constructor(private readonly options: ClientOptions) {
    this.signal = options.signal ?? new AbortController().signal
    // Redirects are refused: the key must only ever go to the host the user chose.
    // Connections are kept alive and reused across the reads, refreshes and polls of a run.
    this.http = new HttpClient(userAgent, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      socketTimeout: options.timeoutMs
    })
    watchReusedConnections(this.http.getAgent(options.baseUrl))
  }

  refreshSegment(segmentId: string, timeZone: string): Promise<ApiResult> {
    return this.send('POST', refreshPath(segmentId), JSON.stringify({ user_time_zone: timeZone }))
  }

  getSegment(segmentId: string): Promise<ApiResult> {
    return this.send('GET', segmentPath(segmentId))
  }

  listSegments(): Promise<ApiResult> {
    return this.send('GET', segmentsPath)
  }

  /** The status of a contact import, upsert or delete job. */
  getContactJob(id: string): Promise<ApiResult> {
    return this.send('GET', contactJobPath(id))
  }

  getSingleSend(id: string): Promise<ApiResult> {
    return this.send('GET', singleSendPath(id))
  }

  /** Every Single Send of the account, all pages. */
  listSingleSends(): Promise<Pages> {
    return this.allPages('GET', singleSendsPath)
  }

  /** Single Sends matching SendGrid's search filters (e.g. `{"status": ["scheduled"]}`), all pages. */
  searchSingleSends(filters: Record<string, unknown>): Promise<Pages> {
    return this.allPages('POST', singleSendSearchPath, JSON.stringify(filters))
  }

  /**
   * Follows `_metadata.next` to the last page. Only the page token is taken from it: the next page
   * is asked of the configured host, so the key never goes to a host that an answer names. A token
   * seen before, or more than `maxPages` pages, ends the paging.
   */
  private async allPages(method: 'GET' | 'POST', path: string, body?: string): Promise<Pages> {
    const items: unknown[] = []
    const seenTokens = new Set<string>()
    let token: string | null = null
    for (let page = 1; page <= maxPages; page++) {
      const query = new URLSearchParams({ page_size: String(pageSize) })
      if (token) query.set('page_token', token)
      const answer = await this.send(method, `${path}?${query}`, body)
      const answered = bodyOf200(answer)
      const parsed = answered === null ? null : pageIn(answered)
      if (!parsed) return { kind: 'failed', answer }
      items.push(...parsed.items)
      token = parsed.nextToken
      if (token === null) return { kind: 'items', items, pages: page, truncated: false }
      if (seenTokens.has(token)) {
        log.warning(
          `SendGrid's answer to ${method} ${path} pointed back to a page already read; paging stopped after ${page} page(s).`
        )
        return { kind: 'items', items, pages: page, truncated: true }
      }
      seenTokens.add(token)
    }
    log.warning(
      `${method} ${path} had more than ${maxPages} pages of ${pageSize}; only those were read.`
    )
    return { kind: 'items', items, pages: maxPages, truncated: true }
  }

  /** Closes every socket, including ones a timed-out request left open. */
  dispose(): void {
    this.http.dispose()
  }

  /**
   * Sends with retries after 5xx, timeouts and network errors; 4xx (429 above all) and certificate
   * errors are final.
   */
  /** Every request goes through here; subclasses (the live check's) send their own paths with it. */
  protected async send(method: HttpMethod, path: string, body?: string): Promise<ApiResult> {
    let lostEarlierAttempt = false
    let staleRetries = 0
    for (let attempt = 1; ; attempt++) {
      if (this.signal.aborted) {
        log.debug(`${method} ${path} not sent: the run was cancelled`)
        return {
          kind: 'no-response',
          reason: 'cancelled',
          detail: 'the run was cancelled before this request was sent',
          attempts: attempt - 1,
          lostEarlierAttempt
        }
      }
      const started = Date.now()
      const result = await this.attemptOnce(method, path, body)
      const took = `${Date.now() - started} ms`
      if (
        result.kind === 'no-response' &&
        result.staleConnection &&
        staleRetries < maxStaleRetries
      ) {
        // A kept-alive connection the server had closed while idle: the request never got there.
        log.debug(`${method} ${path} -> a reused connection was closed; sending again (${took})`)
        staleRetries++
        attempt--
        continue
      }
      const facts = { attempts: attempt, lostEarlierAttempt }
      // A cancelled run does not retry: it has only moments to report what it knows.
      const final = attempt > this.options.maxRetries || this.signal.aborted
      if (result.kind === 'response') {
        log.debug(`${method} ${path} -> HTTP ${result.status} (${took}, attempt ${attempt})`)
        if (result.status < 500 || final) return { ...result, ...facts }
      } else {
        log.debug(
          `${method} ${path} -> ${result.reason}: ${result.detail} (${took}, attempt ${attempt})`
        )
        if (final || result.reason === 'certificate') return { ...result, ...facts }
        lostEarlierAttempt = true
      }
      const delay = backoffDelayMs(attempt)
      const what =
        result.kind === 'response'
          ? `HTTP ${result.status}`
          : result.reason === 'timeout'
            ? 'no answer in time'
            : `a network error (${result.detail})`
      log.info(
        `${method} ${path} got ${what}; retry ${attempt} of ${this.options.maxRetries} in ${delay} ms`
      )
      await sleep(delay, this.signal)
      if (this.signal.aborted) return { ...result, ...facts }
    }
  }

  private async attemptOnce(method: string, path: string, body?: string): Promise<SingleAttempt> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.apiKey}`,
      Accept: 'application/json'
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.options.onBehalfOf) headers['On-Behalf-Of'] = this.options.onBehalfOf

    let timer: NodeJS.Timeout | undefined
    // The socket timeout covers silence; this deadline also covers a body that trickles in forever.
    const deadline = new Promise<SingleAttempt>((resolve) => {
      timer = setTimeout(() => resolve(timedOut(this.options.timeoutMs)), this.options.timeoutMs)
    })
    const exchange = (async (): Promise<SingleAttempt> => {
      try {
        const response = await this.http.request(
          method,
          this.options.baseUrl + path,
          body ?? null,
          headers
        )
        const { text, tooLarge } = await readAtMost(response.message, maxAnswerBytes)
        return {
          kind: 'response',
          status: response.message.statusCode ?? 0,
          headers: response.message.headers,
          // A proxy or an error page could echo the request; the key must not travel further.
          body: tooLarge ? '' : text.split(this.options.apiKey).join('***'),
          ...(tooLarge ? { tooLarge } : {})
        }
      } catch (error) {
        return describeNetworkError(error, this.options.timeoutMs, this.options.baseUrl)
      }
    })()
    try {
      return await Promise.race([exchange, deadline])
    } finally {
      clearTimeout(timer)
    }
  }
}

function timedOut(timeoutMs: number): SingleAttempt {
  return {
    kind: 'no-response',
    reason: 'timeout',
    detail: `no answer within ${timeoutMs / 1000} s`
  }
}

function describeNetworkError(error: unknown, timeoutMs: number, baseUrl: string): SingleAttempt {
  const message = error instanceof Error ? error.message : String(error)
  if (/^Request timeout/.test(message)) return timedOut(timeoutMs)
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message
  if (code && certificateErrors.has(code)) {
    const host = new URL(baseUrl).host
    return {
      kind: 'no-response',
      reason: 'certificate',
      detail: `the TLS certificate of ${host} is not trusted (${detail}). If a proxy or firewall re-signs HTTPS traffic with a private certificate authority, trust that CA by setting NODE_EXTRA_CA_CERTS to its PEM file in the step's env; otherwise check api-url`
    }
  }
  const staleConnection =
    typeof error === 'object' && error !== null && reusedConnectionErrors.has(error)
  return {
    kind: 'no-response',
    reason: 'network',
    detail,
    ...(staleConnection ? { staleConnection } : {})
  }
}

/** Reads a body up to `limit` bytes; past that it stops reading and closes the connection. */
async function readAtMost(
  message: AsyncIterable<Buffer> & { destroy(): void },
  limit: number
): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of message) {
    size += chunk.length
    if (size > limit) {
      message.destroy()
      return { text: '', tooLarge: true }
    }
    chunks.push(chunk)
  }
  return { text: Buffer.concat(chunks).toString('utf8'), tooLarge: false }
}
