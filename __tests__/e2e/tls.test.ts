// HTTPS, as users talk to SendGrid: the built bundle against the simulator over TLS with a throw-away
// private CA, trusted the way a user behind a re-signing proxy trusts one (NODE_EXTRA_CA_CERTS).
// Certificates the runner does not trust fail with advice and are not retried; connections are
// reused; through an HTTPS proxy the key never crosses the proxy in clear text.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { hasOpenssl, makeCertificates } from '../../tools/certificates.js'
import { runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const ids = [
  '1588e03b-50aa-454a-97d1-e1530345a5ec',
  '2688e03b-50aa-454a-97d1-e1530345a5ed',
  '3788e03b-50aa-454a-97d1-e1530345a5ee',
  '4888e03b-50aa-454a-97d1-e1530345a5ef',
  '5988e03b-50aa-454a-97d1-e1530345a5e0'
]
if (!hasOpenssl)
  console.warn('The HTTPS tests are skipped: openssl is not installed on this machine.')
type Certificates = ReturnType<typeof makeCertificates>
;(hasOpenssl ? describe : describe.skip).each(runtimes)(
  'the built action over HTTPS, on $name',
  ({ node }) => {
    let certificates: Certificates
    let simulator: Awaited<ReturnType<typeof startSimulator>>
    beforeAll(() => {
      certificates = makeCertificates()
    })
    afterAll(() => rmSync(certificates.dir, { recursive: true, force: true }))
    afterEach(async () => simulator?.close())

    const serve = async (tls: { key: string; cert: string }) => {
      simulator = await startSimulator({
        tls,
        refreshDelayMs: 200,
        segments: ids.map((id) => ({ id }))
      })
    }
    const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
      runAction(
        { 'api-key': demoApiKey, 'api-url': simulator.url, 'check-quota': 'false', ...inputs },
        { node, env: { NODE_EXTRA_CA_CERTS: certificates.caPath, ...env } }
      )

    it('reads, refreshes and waits for five segments over one connection each at most', async () => {
      await serve(certificates.trusted)
      const { exitCode, outputs } = await run({
        'segment-ids': ids.join(' '),
        'check-quota': 'true',
        wait: 'true',
        'wait-interval-seconds': '0.3'
      })
      expect(exitCode).toBe(0)
      expect(JSON.parse(outputs.refreshed)).toEqual(ids)
      // Five reads, five refreshes, and at least one round of the wait: one list read a round.
      expect(simulator.requests.length).toBeGreaterThanOrEqual(11)
      expect(simulator.requestsFor('list').length).toBeGreaterThanOrEqual(1)
      expect(simulator.counts.connections).toBeLessThanOrEqual(ids.length)
    })

    it('sends a refresh again, on a fresh connection, once a read shows the closed one lost it', async () => {
      await serve(certificates.trusted)
      // The read opens the connection; the refresh finds it closed by the server.
      simulator.inject('refresh', ids[0], { drop: true })
      const { exitCode, outputs } = await run({
        'segment-ids': ids[0],
        'check-quota': 'true',
        'max-retries': '1'
      })
      expect(exitCode).toBe(0)
      const [result] = JSON.parse(outputs.results)
      expect(result).toMatchObject({ outcome: 'refreshed', http_status: 202 })
      expect(result.message).not.toContain('may already have accepted')
      expect(simulator.counts.connections).toBe(2)
    })

    it.each([
      [
        'a private CA the runner was not told of',
        'trusted',
        false,
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE/
      ],
      [
        'a self-signed certificate',
        'selfSigned',
        true,
        /DEPTH_ZERO_SELF_SIGNED_CERT|self-signed certificate/
      ],
      ['a certificate for another host', 'wrongHost', true, /ERR_TLS_CERT_ALTNAME_INVALID/],
      ['an expired certificate', 'expired', true, /CERT_HAS_EXPIRED|certificate has expired/]
    ] as const)(
      'fails on %s, says what to do, and does not retry',
      async (_case, kind, trustCa, cause) => {
        await serve(certificates[kind])
        const { exitCode, outputs } = await run(
          { 'segment-ids': ids[0], 'max-retries': '2' },
          trustCa ? {} : { NODE_EXTRA_CA_CERTS: '' }
        )
        expect(exitCode).toBe(1)
        const [result] = JSON.parse(outputs.results)
        expect(result).toMatchObject({ outcome: 'failed', http_status: null })
        const host = new URL(simulator.url).host
        expect(result.message).toContain(`the TLS certificate of ${host} is not trusted (`)
        expect(result.message).toMatch(cause)
        expect(result.message).toContain('setting NODE_EXTRA_CA_CERTS to its PEM file')
        expect(simulator.requests).toHaveLength(0)
        expect(simulator.counts.refusedHandshakes).toBe(1)
      }
    )

    it('keeps the key from an HTTPS proxy: it only ever sees the CONNECT and encrypted bytes', async () => {
      await serve(certificates.trusted)
      const seen: Buffer[] = []
      const connects: string[] = []
      const proxy = createServer()
      proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
        connects.push(req.url ?? '')
        const { port } = new URL(simulator.url)
        const upstream = connect(Number(port), '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          upstream.write(head)
          client.on('data', (chunk: Buffer) => seen.push(chunk))
          client.pipe(upstream).pipe(client)
        })
        upstream.on('error', () => client.destroy())
        client.on('error', () => upstream.destroy())
      })
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
      const { port } = proxy.address() as AddressInfo
      try {
        // Loopback hosts never go through a proxy, so the action asks for a name only the proxy
        // resolves (to the simulator), as a corporate proxy resolves api.sendgrid.com.
        const apiHost = `api.sendgrid.test:${new URL(simulator.url).port}`
        const { exitCode, outputs } = await run(
          { 'segment-ids': ids[0], 'api-url': `https://${apiHost}` },
          { https_proxy: `http://127.0.0.1:${port}` }
        )
        expect(exitCode).toBe(0)
        expect(JSON.parse(outputs.refreshed)).toEqual([ids[0]])
        expect(connects).toEqual([apiHost])
        expect(Buffer.concat(seen).length).toBeGreaterThan(0)
        expect(Buffer.concat(seen).includes(demoApiKey)).toBe(false)
      } finally {
        proxy.closeAllConnections()
        proxy.close()
      }
    })
  }
)
