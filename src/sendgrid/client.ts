// The SendGrid HTTP client: one place that knows hosts, headers, timeouts, and the request policy by
// kind of request: which failures are worth sending again, and when SendGrid's rate limit asks the
// run to come back. It never throws for an HTTP status; callers decide what a status means.
import { HttpClient } from '@actions/http-client'
import type { ClientRequest } from 'node:http'
import packageJson from '../../package.json' with { type: 'json' }
import { bodyOf200, pageIn } from './answers.js'
import { maxAnswerBytes, type ApiResult, type SingleAttempt } from './api-result.js'
import { log } from '../report/log.js'
import { backoffDelayMs, sleep } from './retry.js'
import { InFlightLimit } from './in-flight.js'
import { isGeneralLimit, rateLimitPauseMs, remainingOf, type SlowDowns } from './rate-limit.js'

export type { ApiResult } from './api-result.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * How a request is sent again. `read`: every GET and the searches sent as POST; a 429 is "come back
 * after the reset". `refresh`: spends budget, so it is never sent twice unseen. `write`: anything
 * else (the live check's); a 429 is final.
 */
export type RequestKind = 'read' | 'refresh' | 'write'

/** How long one read keeps coming back while SendGrid's rate limit refuses it, by default. */
export const defaultReadLimitWaitMs = 120_000

export const userAgent = `refresh-segment-action/${packageJson.version}`

export interface ClientOptions {
  apiKey: string
  baseUrl: string
  onBehalfOf: string | null
  timeoutMs: number
  maxRetries: number
  /** Aborted when the run is cancelled: no request is sent after it, and no retry is waited for. */
  signal?: AbortSignal
  /** `read-limit-wait-seconds`, in ms; `defaultReadLimitWaitMs` when not given. */
  readLimitWaitMs?: number
}

/** How often one request is sent again after finding its reused connection closed. */
const maxStaleRetries = 3

/** Errors of requests that failed on a reused keep-alive connection (Node's `req.reusedSocket`). */
const reusedConnectionErrors = new WeakSet<object>()
/** Those of them that failed before a single byte of the request was handed to the connection. */
const unsentErrors = new WeakSet<object>()

/**
 * Marks the errors of requests that went out on a reused connection, and of those that wrote
 * nothing to it. @actions/http-client keeps the request to itself, so the agent it hands out is
 * watched instead; the error object is the same one the client then rejects with. Node hands a
 * request its socket before it writes to it, so the socket's count of bytes written then is this
 * request's start.
 */
function watchReusedConnections(agent: unknown): void {
  const pool = agent as { addRequest?: (request: ClientRequest, ...rest: unknown[]) => unknown }
  const addRequest = pool.addRequest
  if (typeof addRequest !== 'function') return
  pool.addRequest = function (this: unknown, request: ClientRequest, ...rest: unknown[]) {
    let writtenBefore: number | undefined
    request.once('socket', (socket) => (writtenBefore = socket.bytesWritten))
    request.once('error', (error) => {
      if (!request.reusedSocket) return
      reusedConnectionErrors.add(error)
      const written = request.socket?.bytesWritten
      if (written !== undefined && written === writtenBefore) unsentErrors.add(error)
    })
    return addRequest.call(this, request, ...rest)
  }
}

/** Node's codes for a connection that was never made, so no request went out on it. */
const neverConnectedErrors = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH'
])

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
  private readonly inFlight = new InFlightLimit()
  private readonly readLimitWaitMs: number
  /** Aborted when the run is cancelled; loops that wait between requests stop on it. */
  readonly signal: AbortSignal
  /** Every time SendGrid's rate limit (429) made this client wait, for the summary. */
  readonly slowDowns: SlowDowns = { times: 0, waitedMs: 0 }

  constructor(private readonly options: ClientOptions) {
    this.signal = options.signal ?? new AbortController().signal
    this.readLimitWaitMs = options.readLimitWaitMs ?? defaultReadLimitWaitMs
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

  /**
   * One refresh. It is sent again only where it cannot have been spent: after the general rate
   * limit's 429 (once, after the reset), a 5xx, or a reused connection that failed before any byte
   * of it was written. An attempt lost after it may have reached SendGrid (a timeout, a dropped
   * connection) is returned as it is: the caller reads the segment before anything else.
   */
  refreshSegment(segmentId: string, timeZone: string): Promise<ApiResult> {
    return this.send('POST', refreshPath(segmentId), JSON.stringify({ user_time_zone: timeZone }), {
      kind: 'refresh'
    })
  }

  /** Reads give up at `deadline` (ms), a stage's own, as well as at `read-limit-wait-seconds`. */
  getSegment(segmentId: string, deadline?: number): Promise<ApiResult> {
    return this.send('GET', segmentPath(segmentId), undefined, { deadline })
  }

  listSegments(deadline?: number): Promise<ApiResult> {
    return this.send('GET', segmentsPath, undefined, { deadline })
  }

  /** The status of a contact import, upsert or delete job. */
  getContactJob(id: string, deadline?: number): Promise<ApiResult> {
    return this.send('GET', contactJobPath(id), undefined, { deadline })
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
      const answer = await this.send(method, `${path}?${query}`, body, { kind: 'read' })
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
   * Every request goes through here; subclasses (the live check's) send their own paths with it.
   * 5xx, timeouts and network errors are sent again after a back-off, up to `max-retries` (a
   * refresh only after a 5xx); a 429 by the request's kind: a read comes back after the reset for
   * up to `read-limit-wait-seconds`, a refresh once after the general limit's reset. Other 4xx and
   * certificate errors are final.
   */
  protected async send(
    method: HttpMethod,
    path: string,
    body?: string,
    { kind = method === 'GET' ? 'read' : 'write', deadline = Infinity }: SendOptions = {}
  ): Promise<ApiResult> {
    const readsUntil = Math.min(Date.now() + this.readLimitWaitMs, deadline)
    const limited: SlowDowns = { times: 0, waitedMs: 0 }
    let lostEarlierAttempt = false
    let staleRetries = 0
    let retries = 0
    let sentAgainAfterLimit = false
    for (let attempt = 1; ; attempt++) {
      if (this.signal.aborted) {
        log.debug(`${method} ${path} not sent: the run was cancelled`)
        return {
          kind: 'no-response',
          reason: 'cancelled',
          detail: 'the run was cancelled before this request was sent',
          attempts: attempt - 1,
          lostEarlierAttempt,
          ...slowedBy(limited)
        }
      }
      // Timed from when it leaves, not from when it queued for a place on the wire.
      let started = Date.now()
      const result = await this.inFlight.run(() => {
        started = Date.now()
        return this.attemptOnce(method, path, body)
      })
      const receivedAt = Date.now()
      const took = `${receivedAt - started} ms`
      if (
        result.kind === 'no-response' &&
        result.staleConnection &&
        (kind !== 'refresh' || result.unsent) &&
        staleRetries < maxStaleRetries
      ) {
        // A kept-alive connection the server had closed while idle. A read or write is sent again
        // at once; a refresh only when it provably never left, since it may have been spent.
        log.debug(`${method} ${path} -> a reused connection was closed; sending again (${took})`)
        staleRetries++
        attempt--
        continue
      }
      const facts = { attempts: attempt, lostEarlierAttempt, ...slowedBy(limited) }
      if (result.kind === 'response') {
        log.debug(`${method} ${path} -> HTTP ${result.status} (${took}, attempt ${attempt})`)
        const answered = { ...result, tookMs: receivedAt - started, ...facts }
        if (result.status === 429) {
          const pause = rateLimitPauseMs(result.headers, receivedAt)
          const comeBack =
            kind === 'read'
              ? receivedAt + pause <= readsUntil
              : kind === 'refresh' &&
                !sentAgainAfterLimit &&
                isGeneralLimit(result.headers, receivedAt)
          if (!comeBack || this.signal.aborted) return answered
          sentAgainAfterLimit = kind === 'refresh'
          limited.times++
          limited.waitedMs += pause
          this.slowDowns.times++
          this.slowDowns.waitedMs += pause
          log.info(
            `${method} ${path} got HTTP 429 (SendGrid's rate limit${remainingOf(result.headers)}); sending it again in ${(pause / 1000).toFixed(1)} s, when the limit resets`
          )
          await sleep(pause, this.signal)
          if (this.signal.aborted) return answered
          continue
        }
        if (result.status < 500 || retries >= this.options.maxRetries || this.signal.aborted)
          return answered
      } else {
        log.debug(
          `${method} ${path} -> ${result.reason}: ${result.detail} (${took}, attempt ${attempt})`
        )
        // A cancelled run does not retry: it has only moments to report what it knows. A refresh
        // that may have reached SendGrid is not sent again here: only a read can tell.
        if (
          retries >= this.options.maxRetries ||
          this.signal.aborted ||
          result.reason === 'certificate' ||
          (kind === 'refresh' && !result.unsent)
        )
          return { ...result, ...facts }
        if (!result.unsent) lostEarlierAttempt = true
      }
      retries++
      const delay = backoffDelayMs(retries)
      const what =
        result.kind === 'response'
          ? `HTTP ${result.status}`
          : result.reason === 'timeout'
            ? 'no answer in time'
            : `a network error (${result.detail})`
      log.info(
        `${method} ${path} got ${what}; retry ${retries} of ${this.options.maxRetries} in ${delay} ms`
      )
      await sleep(delay, this.signal)
      if (this.signal.aborted) {
        return result.kind === 'response'
          ? { ...result, tookMs: receivedAt - started, ...facts }
          : { ...result, ...facts }
      }
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
  const known = typeof error === 'object' && error !== null
  const staleConnection = known && reusedConnectionErrors.has(error)
  // No connection to SendGrid was made (refused, no such host, a proxy that would not tunnel):
  // nothing was sent.
  const unsent =
    (known && unsentErrors.has(error)) ||
    (code !== undefined && neverConnectedErrors.has(code)) ||
    /^tunneling socket could not be established/.test(message)
  return {
    kind: 'no-response',
    reason: 'network',
    detail,
    ...(staleConnection ? { staleConnection } : {}),
    ...(unsent ? { unsent } : {})
  }
}

interface SendOptions {
  /** `read` for every GET; a POST that only reads (a search) says so. */
  kind?: RequestKind
  /** A stage's own deadline (ms): no read is waited for past it. */
  deadline?: number
}

/** The rate-limit waits of one request, when there were any. */
function slowedBy(limited: SlowDowns): { rateLimited?: SlowDowns } {
  return limited.times > 0 ? { rateLimited: { ...limited } } : {}
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
