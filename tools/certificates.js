// Throw-away TLS material made at test time with OpenSSL (on every hosted runner): a private CA and
// server certificates signed by it, as a corporate proxy that re-signs traffic would have, plus the
// kinds a runner must refuse: self-signed, for another host, and expired.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const hasOpenssl = spawnSync('openssl', ['version']).status === 0

/**
 * @returns {{ dir: string, caPath: string, ca: string, trusted: { key: string, cert: string },
 *   selfSigned: { key: string, cert: string }, wrongHost: { key: string, cert: string },
 *   expired: { key: string, cert: string } }}
 */
export function makeCertificates() {
  const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-tls-'))
  const file = (/** @type {string} */ name) => join(dir, name)
  const openssl = (/** @type {string[]} */ ...args) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

  openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Throw-away test CA'
  )
  /** A server key and certificate for `names`, signed by the CA for `days` (negative: expired). */
  const signed = (/** @type {string} */ name, /** @type {string} */ names, days = 2) => {
    openssl(
      'req',
      ...key,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      '/CN=localhost'
    )
    writeFileSync(file(`${name}.ext`), `subjectAltName=${names}\n`)
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`
    )
    return {
      key: readFileSync(file(`${name}.key`), 'utf8'),
      cert: readFileSync(file(`${name}.pem`), 'utf8')
    }
  }
  openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'self.key',
    '-out',
    'self.pem',
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1'
  )
  return {
    dir,
    caPath: file('ca.pem'),
    ca: readFileSync(file('ca.pem'), 'utf8'),
    trusted: signed('server', 'DNS:localhost,IP:127.0.0.1,DNS:api.sendgrid.test'),
    wrongHost: signed('elsewhere', 'DNS:api.example.invalid'),
    expired: signed('expired', 'DNS:localhost,IP:127.0.0.1', -1),
    selfSigned: {
      key: readFileSync(file('self.key'), 'utf8'),
      cert: readFileSync(file('self.pem'), 'utf8')
    }
  }
}
