// What the SendGrid client puts on the wire, and what it makes of odd answers, against a bare server
// that records every request and answers as each test scripts it.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync } from 'node:fs'
import { SendGridClient } from '../../src/sendgrid/client.js'
import { captureStdout } from '../support/capture-stdout.js'
import { settlesThisTurn } from '../support/event-loop.js'

const apiKey = 'SG.test-key-for-the-wire'
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version
const stdout = captureStdout()

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}
type Handler = (request: Seen, response: ServerResponse) => void

const servers: Array<ReturnType<typeof createServer>> = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function serve(handler: Handler) {
  const seen: Seen[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body
      }
      seen.push(entry)
      handler(entry, response)
    })
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, seen }
}

const clientFor = (
  url: string,
  options: {
    onBehalfOf?: string
    timeoutMs?: number
    maxRetries?: number
    signal?: AbortSignal
  } = {}
) =>
  new SendGridClient({
    apiKey,
    baseUrl: url,
    onBehalfOf: options.onBehalfOf ?? null,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRetries: options.maxRetries ?? 0,
    signal: options.signal
  })

const answerWith =
  (status: number, body = '{}', headers: Record<string, string> = {}): Handler =>
  (_, response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', ...headers })
    response.end(body)
  }

describe('requests', () => {
  it('sends each call with its method, path, key, agent and JSON only where there is a body', async () => {
    const { url, seen } = await serve(answerWith(200))
    const client = clientFor(url)
    await client.refreshSegment('s-1', 'Europe/Berlin')
    await client.getSegment('s-1')
    await client.listSegments()
    await client.getSingleSend('c-1')
    client.dispose()
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v3/marketing/segments/2.0/refresh/s-1',
      'GET /v3/marketing/segments/2.0/s-1?contacts_sample=false',
      'GET /v3/marketing/segments/2.0',
      'GET /v3/marketing/singlesends/c-1'
    ])
    expect(seen[0].body).toBe('{"user_time_zone":"Europe/Berlin"}')
    for (const request of seen) {
      expect(request.headers.authorization).toBe(`Bearer ${apiKey}`)
      expect(request.headers['user-agent']).toBe(`refresh-segment-action/${version}`)
      expect(request.headers.accept).toBe('application/json')
      expect(request.headers['on-behalf-of']).toBeUndefined()
    }
    expect(seen.map((r) => r.headers['content-type'] ?? null)).toEqual([
      'application/json',
      null,
      null,
      null
    ])
  })

  it('acts for a subuser only when on-behalf-of is given', async () => {
    const { url, seen } = await serve(answerWith(200))
    const client = clientFor(url, { onBehalfOf: 'subuser-eu' })
    await client.getSegment('s-1')
    client.dispose()
    expect(seen[0].headers['on-behalf-of']).toBe('subuser-eu')
  })

  it('never follows a redirect, so the key never goes to the host it names', async () => {
    const elsewhere = await serve(answerWith(200))
    const { url } = await serve(answerWith(302, '', { Location: `${elsewhere.url}/steal` }))
    const client = clientFor(url)
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 302, attempts: 1 })
    expect(elsewhere.seen).toEqual([])
  })

  it('never hands on the key when an answer echoes it', async () => {
    const { url } = await serve((request, response) => {
      response.writeHead(400)
      response.end(`bad request from ${request.headers.authorization}`)
    })
    const client = clientFor(url)
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', body: 'bad request from Bearer ***' })
  })
})

describe('connections', () => {
  it('keeps one connection for a run, and closes it when disposed', async () => {
    const { url } = await serve(answerWith(200))
    const [server] = servers
    const open = new Set<unknown>()
    server.on('connection', (socket) => {
      open.add(socket)
      socket.on('close', () => open.delete(socket))
    })
    const client = clientFor(url)
    await client.getSegment('s-1')
    await client.getSegment('s-2')
    expect(open.size).toBe(1)
    client.dispose()
    // Closed soon (a socket that stayed open would hold this test until its timeout).
    while (open.size > 0) await new Promise((resolve) => setTimeout(resolve, 10))
  })
})

describe('retries', () => {
  it('retries an HTTP 500, and says so', async () => {
    const { url, seen } = await serve(answerWith(500, '{"errors":[{"message":"boom"}]}'))
    const client = clientFor(url, { maxRetries: 1 })
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({
      kind: 'response',
      status: 500,
      attempts: 2,
      lostEarlierAttempt: false
    })
    expect(seen).toHaveLength(2)
    expect(stdout.text).toMatch(
      /^GET \/v3\/marketing\/segments\/2\.0\/s-1\?contacts_sample=false got HTTP 500; retry 1 of 1 in \d+ ms$/m
    )
    expect(stdout.text).toMatch(
      /^::debug::GET \/v3\/marketing\/segments\/2\.0\/s-1\?contacts_sample=false -> HTTP 500 \(\d+ ms, attempt 2\)$/m
    )
  })

  it('does not retry an answer under 500', async () => {
    const { url, seen } = await serve(answerWith(499))
    const client = clientFor(url, { maxRetries: 2 })
    expect(await client.getSegment('s-1')).toMatchObject({ status: 499, attempts: 1 })
    client.dispose()
    expect(seen).toHaveLength(1)
  })

  it('times out a silent server, retries a read, and says an earlier attempt was lost', async () => {
    const { url, seen } = await serve(() => undefined)
    const client = clientFor(url, { timeoutMs: 200, maxRetries: 1 })
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toEqual({
      kind: 'no-response',
      reason: 'timeout',
      detail: 'no answer within 0.2 s',
      attempts: 2,
      lostEarlierAttempt: true
    })
    expect(seen).toHaveLength(2)
    expect(stdout.text).toMatch(/got no answer in time; retry 1 of 1 in \d+ ms/)
    expect(stdout.text).toMatch(/-> timeout: no answer within 0\.2 s \(\d+ ms, attempt 1\)/)
  })

  it('never sends a refresh again after a timeout: only a read can tell whether it was spent', async () => {
    const { url, seen } = await serve(() => undefined)
    const client = clientFor(url, { timeoutMs: 200, maxRetries: 2 })
    const answer = await client.refreshSegment('s-1', 'UTC')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'no-response', reason: 'timeout', attempts: 1 })
    expect(seen).toHaveLength(1)
  })

  it('names a refused connection', async () => {
    const { url } = await serve(answerWith(200))
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
    const client = clientFor(url)
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'no-response', reason: 'network', attempts: 1 })
    expect(answer.kind === 'no-response' && answer.detail).toMatch(/ECONNREFUSED/)
  })
})

describe('paging', () => {
  it('stops at an answer that is not a 200, whatever its body looks like', async () => {
    const page = JSON.stringify({ result: [{ id: 'c-1' }], _metadata: {} })
    const { url, seen } = await serve(answerWith(201, page))
    const client = clientFor(url)
    const pages = await client.listSingleSends()
    client.dispose()
    expect(pages).toMatchObject({ kind: 'failed', answer: { status: 201 } })
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v3/marketing/singlesends?page_size=100'
    ])
  })

  it('ends on a next link that is not a non-empty string', async () => {
    for (const next of ['', 42, null]) {
      const { url, seen } = await serve(
        answerWith(200, JSON.stringify({ result: [{ id: 'c-1' }], _metadata: { next } }))
      )
      const client = clientFor(url)
      expect(await client.listSingleSends()).toEqual({
        kind: 'items',
        items: [{ id: 'c-1' }],
        pages: 1,
        truncated: false
      })
      client.dispose()
      expect(seen).toHaveLength(1)
    }
  })
})

describe('a cancelled run', () => {
  it('sends nothing once the run is cancelled, and says so', async () => {
    const { url, seen } = await serve(answerWith(200))
    const cancel = new AbortController()
    const client = clientFor(url, { signal: cancel.signal })
    cancel.abort()
    expect(await client.getSegment('s-1')).toEqual({
      kind: 'no-response',
      reason: 'cancelled',
      detail: 'the run was cancelled before this request was sent',
      attempts: 0,
      lostEarlierAttempt: false
    })
    expect(seen).toHaveLength(0)
    expect(stdout.text).toContain(
      '::debug::GET /v3/marketing/segments/2.0/s-1?contacts_sample=false not sent: the run was cancelled\n'
    )
    client.dispose()
  })

  it('does not retry: a cancel during the back-off returns the answer it had, at once', async () => {
    const { url, seen } = await serve(answerWith(500, '{"error":"down"}'))
    const cancel = new AbortController()
    const client = clientFor(url, { signal: cancel.signal, maxRetries: 3 })
    const answer = client.refreshSegment('s-1', 'UTC')
    // The client says it will retry just before it starts the back-off.
    while (!stdout.text.includes('got HTTP 500; retry 1 of 3 in '))
      await new Promise((resolve) => setTimeout(resolve, 5))
    cancel.abort()
    expect(await settlesThisTurn(answer)).toBe(true)
    expect(await answer).toMatchObject({ kind: 'response', status: 500, attempts: 1 })
    expect(seen).toHaveLength(1)
    client.dispose()
  })

  it('does not retry an answer that came after the cancel', async () => {
    const cancel = new AbortController()
    const { url, seen } = await serve((request, response) => {
      cancel.abort()
      answerWith(503)(request, response)
    })
    const client = clientFor(url, { signal: cancel.signal, maxRetries: 3 })
    expect(await client.getSegment('s-1')).toMatchObject({ status: 503, attempts: 1 })
    expect(seen).toHaveLength(1)
    client.dispose()
  })
})

describe("SendGrid's rate limit (429)", () => {
  /** Answers 429 from the general limit `times` times (without end when not given), then 200. */
  const limitedThen200 =
    (reset: string, times = Infinity, body = '{}'): Handler =>
    (_, response) => {
      if (times-- > 0) {
        response.writeHead(429, {
          'X-RateLimit-Limit': '600',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': reset
        })
        response.end('{"errors":[{"field":null,"message":"too many requests"}]}')
      } else answerWith(200, body)(_, response)
    }
  const limitedClient = (url: string, readLimitWaitMs: number, signal?: AbortSignal) =>
    new SendGridClient({
      apiKey,
      baseUrl: url,
      onBehalfOf: null,
      timeoutMs: 10_000,
      maxRetries: 0,
      readLimitWaitMs,
      signal
    })

  it('reads again after the reset SendGrid names, says so, and counts the wait', async () => {
    const { url, seen } = await serve(limitedThen200('1', 1))
    const client = limitedClient(url, 10_000)
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 200, attempts: 2 })
    expect(seen).toHaveLength(2)
    expect(answer.rateLimited?.times).toBe(1)
    // The reset is a second away, by SendGrid's Date header: whole seconds, so 0 to 1 s more.
    expect(answer.rateLimited!.waitedMs).toBeGreaterThanOrEqual(0)
    expect(answer.rateLimited!.waitedMs).toBeLessThanOrEqual(2250)
    expect(client.slowDowns).toEqual(answer.rateLimited)
    expect(stdout.text).toMatch(
      /^GET \/v3\/marketing\/segments\/2\.0\/s-1\?contacts_sample=false got HTTP 429 \(SendGrid's rate limit, 0 of 600 left\); sending it again in \d+\.\d s, when the limit resets$/m
    )
  })

  it('keeps reading until read-limit-wait-seconds has passed, then hands on the 429', async () => {
    const { url, seen } = await serve(limitedThen200('0'))
    const client = limitedClient(url, 600)
    const started = Date.now()
    const answer = await client.getSegment('s-1')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 429 })
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(answer.attempts).toBe(seen.length)
    expect(answer.rateLimited?.times).toBe(seen.length - 1)
    // Each pause ends before the bound; the last 429 came after less than the bound and a pause.
    expect(Date.now() - started).toBeGreaterThanOrEqual(answer.rateLimited!.waitedMs)
  })

  it('does not wait for a reset beyond read-limit-wait-seconds, nor beyond the deadline it is given', async () => {
    const { url, seen } = await serve(limitedThen200('5'))
    const bounded = limitedClient(url, 1000)
    expect(await bounded.getSegment('s-1')).toMatchObject({ status: 429, attempts: 1 })
    bounded.dispose()
    const client = limitedClient(url, 60_000)
    expect(await client.getContactJob('j-1', Date.now() + 1000)).toMatchObject({
      status: 429,
      attempts: 1
    })
    expect(await client.listSegments(Date.now() + 1000)).toMatchObject({ status: 429 })
    client.dispose()
    expect(seen).toHaveLength(3)
    expect(stdout.text).not.toContain('sending it again')
  })

  it('reads a Single Send search, a POST, again after the reset', async () => {
    const page = JSON.stringify({ result: [{ id: 'c-1', name: 'A' }], _metadata: {} })
    const { url, seen } = await serve(limitedThen200('0', 1, page))
    const client = limitedClient(url, 10_000)
    expect(await client.searchSingleSends({ status: ['scheduled'] })).toMatchObject({
      kind: 'items',
      items: [{ id: 'c-1', name: 'A' }]
    })
    client.dispose()
    expect(seen.map((r) => r.method)).toEqual(['POST', 'POST'])
  })

  it('sends a refresh once more after the general limit resets, and only once', async () => {
    const { url, seen } = await serve(limitedThen200('0'))
    const client = limitedClient(url, 10_000)
    const answer = await client.refreshSegment('s-1', 'UTC')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 429, attempts: 2 })
    expect(seen).toHaveLength(2)
  })

  it('never sends again a refresh refused by the quota, nor a write', async () => {
    // Midnight, far beyond a minute whatever the clocks say (the server's Date is the machine's).
    const { url, seen } = await serve(limitedThen200('4102444800'))
    const client = limitedClient(url, 10_000)
    expect(await client.refreshSegment('s-1', 'UTC')).toMatchObject({ status: 429, attempts: 1 })
    class Writer extends SendGridClient {
      put(): ReturnType<SendGridClient['getSegment']> {
        return this.send('PUT', '/v3/marketing/contacts', '{}')
      }
    }
    const writer = new Writer({
      apiKey,
      baseUrl: url,
      onBehalfOf: null,
      timeoutMs: 10_000,
      maxRetries: 2
    })
    const { url: busyUrl, seen: busySeen } = await serve(limitedThen200('0'))
    const busyWriter = new Writer({
      apiKey,
      baseUrl: busyUrl,
      onBehalfOf: null,
      timeoutMs: 10_000,
      maxRetries: 2
    })
    expect(await writer.put()).toMatchObject({ status: 429, attempts: 1 })
    expect(await busyWriter.put()).toMatchObject({ status: 429, attempts: 1 })
    client.dispose()
    writer.dispose()
    busyWriter.dispose()
    expect(seen).toHaveLength(2)
    expect(busySeen).toHaveLength(1)
  })

  it('stops waiting for the reset the moment the run is cancelled', async () => {
    const { url, seen } = await serve(limitedThen200('30'))
    const cancel = new AbortController()
    const client = limitedClient(url, 120_000, cancel.signal)
    const answer = client.getSegment('s-1')
    while (!stdout.text.includes('when the limit resets'))
      await new Promise((resolve) => setTimeout(resolve, 5))
    cancel.abort()
    expect(await settlesThisTurn(answer)).toBe(true)
    expect(await answer).toMatchObject({ status: 429, attempts: 1 })
    expect(seen).toHaveLength(1)
    client.dispose()
  })

  it('keeps at most 10 requests on the wire at once', async () => {
    const held: ServerResponse[] = []
    const { url, seen } = await serve((_, response) => held.push(response))
    const client = clientFor(url)
    const reads = Promise.all(Array.from({ length: 12 }, (_, i) => client.getSegment(`s-${i}`)))
    while (seen.length < 10) await new Promise((resolve) => setTimeout(resolve, 5))
    // The eleventh goes out only when one of the ten has been answered.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(seen).toHaveLength(10)
    held.shift()!.end('{}')
    while (seen.length < 11) await new Promise((resolve) => setTimeout(resolve, 5))
    for (const response of held.splice(0)) response.end('{}')
    while (seen.length < 12) await new Promise((resolve) => setTimeout(resolve, 5))
    for (const response of held.splice(0)) response.end('{}')
    expect((await reads).map((r) => r.kind)).toEqual(Array(12).fill('response'))
    client.dispose()
  })
})
