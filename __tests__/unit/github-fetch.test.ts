// The fetch Octokit is given: HttpClient underneath, against a loopback server that answers as each
// test scripts it.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fetchThroughHttpClient } from '../../src/github/fetch.js'

const servers: Array<ReturnType<typeof createServer>> = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function serve(
  handler: (request: IncomingMessage & { body: string }, response: ServerResponse) => void
) {
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk) => (body += chunk))
    request.on('end', () => handler(Object.assign(request, { body }), response))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const fetch = fetchThroughHttpClient('refresh-segment-test', 5000)

describe('fetchThroughHttpClient', () => {
  it('sends the method, headers and body, and hands back status, headers and body', async () => {
    const seen: Array<{ method?: string; auth?: string; body: string }> = []
    const url = await serve((request, response) => {
      seen.push({ method: request.method, auth: request.headers.authorization, body: request.body })
      response.setHeader('Set-Cookie', ['a=1', 'b=2'])
      response.writeHead(201, { 'Content-Type': 'application/json' })
      response.end('{"ok":true}')
    })
    const answer = await fetch(new Request(`${url}/x`), {
      method: 'POST',
      headers: { authorization: 'token t' },
      body: '{"a":1}'
    })
    expect(answer.status).toBe(201)
    expect(await answer.json()).toEqual({ ok: true })
    expect(answer.headers.get('content-type')).toBe('application/json')
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2')
    expect(seen).toEqual([{ method: 'POST', auth: 'token t', body: '{"a":1}' }])
  })

  it('gives a 204 or 304 no body, and follows no redirect', async () => {
    const url = await serve((request, response) => {
      if (request.url === '/empty') response.writeHead(204).end()
      else if (request.url === '/same') response.writeHead(304).end()
      else response.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere' }).end()
    })
    expect((await fetch(`${url}/empty`)).body).toBeNull()
    expect((await fetch(new URL(`${url}/same`))).status).toBe(304)
    const moved = await fetch(`${url}/moved`)
    expect(moved.status).toBe(302)
    expect(moved.headers.get('location')).toBe('http://127.0.0.1:1/elsewhere')
  })

  it('gives up when its signal aborts, before or during the request', async () => {
    const url = await serve(() => undefined)
    const before = new AbortController()
    before.abort(new Error('cancelled'))
    await expect(fetch(`${url}/x`, { signal: before.signal })).rejects.toThrow('cancelled')
    const during = new AbortController()
    const asked = fetch(`${url}/x`, { signal: during.signal })
    // Given up at the abort, with its reason, not at the 5 s socket timeout.
    setTimeout(() => during.abort(new Error('gave up')), 50)
    await expect(asked).rejects.toThrow('gave up')
  })

  it('sends nothing again itself: a 503 is handed on after one request', async () => {
    let requests = 0
    const url = await serve((_, response) => {
      requests++
      response.writeHead(503).end()
    })
    expect((await fetch(`${url}/x`)).status).toBe(503)
    expect(requests).toBe(1)
  })
})
