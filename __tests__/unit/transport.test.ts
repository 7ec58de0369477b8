// The client's transport, in process: untrusted certificates are final and explained, and answers
// over 1 MiB are cut off. (The e2e suites show the same through the built bundle.)
import { afterEach, describe, expect, it } from '@jest/globals'
import type { HttpClient } from '@actions/http-client'
import type { ClientRequest } from 'node:http'
import type { Settings } from '../../src/inputs/settings.js'
import { classifyRefresh } from '../../src/stages/refresh.js'
import { preflight } from '../../src/stages/preflight.js'
import { SendGridClient } from '../../src/sendgrid/client.js'
import { describeFailure } from '../../src/sendgrid/answers.js'
import { hasOpenssl, makeCertificates } from '../../tools/certificates.js'
import { captureStdout } from '../support/capture-stdout.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const id = '1588e03b-50aa-454a-97d1-e1530345a5ec'
let simulator: Awaited<ReturnType<typeof startSimulator>>
const stdout = captureStdout()
afterEach(async () => {
  await simulator.close()
})
const clientFor = (url: string) =>
  new SendGridClient({
    apiKey: demoApiKey,
    baseUrl: url,
    onBehalfOf: null,
    timeoutMs: 10_000,
    maxRetries: 2
  })

;(hasOpenssl ? it : it.skip)(
  'gives up at once on a certificate it cannot trust, and says what to do',
  async () => {
    simulator = await startSimulator({ tls: makeCertificates().selfSigned, segments: [{ id }] })
    const client = clientFor(simulator.url)
    const answer = await client.refreshSegment(id, 'UTC')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'no-response', reason: 'certificate', attempts: 1 })
    const host = new URL(simulator.url).host
    const result = classifyRefresh(answer, {
      segmentId: id,
      segmentName: null,
      onRateLimit: 'warn',
      host,
      timeZone: 'UTC',
      now: Date.now()
    })
    expect(result).toMatchObject({
      outcome: 'failed',
      reason: `the TLS certificate of ${host} is not trusted`
    })
    expect(result.message).toContain('by setting NODE_EXTRA_CA_CERTS to its PEM file')
    expect(describeFailure(answer)).toMatch(
      /^certificate: the TLS certificate of .* is not trusted/
    )
  }
)

describe('a kept-alive connection', () => {
  const clientWithoutRetries = (url: string) =>
    new SendGridClient({
      apiKey: demoApiKey,
      baseUrl: url,
      onBehalfOf: null,
      timeoutMs: 10_000,
      maxRetries: 0
    })

  it('is reused, and a read is sent again on a fresh one when the server closed it', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    const client = clientWithoutRetries(simulator.url)
    expect(await client.getSegment(id)).toMatchObject({ kind: 'response', status: 200 })
    // The next request finds the pooled connection closed by the server, before any answer.
    simulator.inject('get', id, { drop: true })
    const answer = await client.getSegment(id)
    client.dispose()
    expect(answer).toMatchObject({
      kind: 'response',
      status: 200,
      attempts: 1,
      lostEarlierAttempt: false
    })
    expect(simulator.counts.connections).toBe(2)
    expect(stdout.text).toContain('a reused connection was closed; sending again')
  })

  it('never sends a refresh again that was written to a connection the server then closed', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    const client = clientWithoutRetries(simulator.url)
    await client.getSegment(id)
    simulator.inject('refresh', id, { drop: true })
    const answer = await client.refreshSegment(id, 'UTC')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'no-response', reason: 'network', attempts: 1 })
    expect(simulator.requestsFor('refresh', id)).toHaveLength(1)
    expect(stdout.text).not.toContain('sending again')
  })

  it('sends a refresh again at once when its reused connection failed before a byte was written', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    const client = clientWithoutRetries(simulator.url)
    await client.getSegment(id)
    // The pooled connection breaks as the refresh is handed it, before the refresh writes to it.
    const agent = (client as unknown as { http: HttpClient }).http.getAgent(
      simulator.url
    ) as unknown as {
      addRequest: (request: ClientRequest, ...rest: unknown[]) => unknown
    }
    const addRequest = agent.addRequest
    agent.addRequest = function (request: ClientRequest, ...rest: unknown[]) {
      agent.addRequest = addRequest
      request.once('socket', (socket) =>
        socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
      )
      return addRequest.call(this, request, ...rest)
    }
    const answer = await client.refreshSegment(id, 'UTC')
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 202, attempts: 1 })
    expect(simulator.requestsFor('refresh', id)).toHaveLength(1)
    expect(stdout.text).toContain('a reused connection was closed; sending again')
  })

  it('counts a request lost on a fresh connection as an attempt that may have landed', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    simulator.inject('get', id, { drop: true })
    const client = clientFor(simulator.url)
    const answer = await client.getSegment(id)
    client.dispose()
    expect(answer).toMatchObject({
      kind: 'response',
      status: 200,
      attempts: 2,
      lostEarlierAttempt: true
    })
  })
})

describe('an answer over 1 MiB', () => {
  it('is cut off, with an empty body, and named as such', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    simulator.inject('get', id, { status: 200, oversized: 1024 * 1024 + 1, endless: true })
    const client = clientFor(simulator.url)
    const answer = await client.getSegment(id)
    client.dispose()
    expect(answer).toMatchObject({
      kind: 'response',
      status: 200,
      body: '',
      tooLarge: true,
      attempts: 1
    })
    expect(describeFailure(answer)).toMatch(
      /^HTTP 200; the answer was larger than 1 MiB and was cut off there/
    )
  })

  it('makes the pre-flight refresh anyway, saying why it could not read', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    simulator.inject('get', id, { status: 200, oversized: 2 * 1024 * 1024 })
    const client = clientFor(simulator.url)
    const settings = {
      checkQuota: true,
      wait: false,
      freshWithinMs: 0,
      timeZone: 'UTC',
      onRateLimit: 'warn'
    } as Settings
    const target = { segmentId: id, segmentName: null, singleSendIds: [], sendAt: null }
    const { toRefresh } = await preflight(client, settings, [target])
    client.dispose()
    expect(toRefresh).toEqual([{ target, before: null }])
    expect(stdout.text).toContain('the answer to reading the segment was larger than 1 MiB')
  })

  it('is read whole when it is just under the limit', async () => {
    simulator = await startSimulator({ segments: [{ id }] })
    simulator.inject('get', id, { status: 404, oversized: 1024 * 1024 - 64 * 1024 })
    const client = clientFor(simulator.url)
    const answer = await client.getSegment(id)
    client.dispose()
    expect(answer).toMatchObject({ kind: 'response', status: 404 })
    expect(answer.kind === 'response' && answer.body.length).toBe(1024 * 1024 - 64 * 1024)
    expect(answer.kind === 'response' && answer.tooLarge).toBeFalsy()
  })
})
