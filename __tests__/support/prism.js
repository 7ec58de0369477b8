// Stoplight Prism, an independent checker of SendGrid's official OpenAPI file, and a recorder that
// keeps what Prism says about each exchange (its `sl-violations` header and --errors bodies).
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'

export const specPath = join(projectRoot, '__tests__', 'contract', 'tsg_mc_segments_2.0_v3.json')
export const singleSendsSpecPath = join(
  projectRoot,
  '__tests__',
  'contract',
  'tsg_mc_singlesends_v3.json'
)
export const contactsSpecPath = join(
  projectRoot,
  '__tests__',
  'contract',
  'tsg_mc_contacts_v3.json'
)
/** The one pattern in the official file that Prism cannot compile (invalid escapes under the u flag). */
export const uncompilableCityPattern = '^[a-zA-Z\\u0080-\\u024F\\s\\/\\-\\)\\(\\`\\.\\"\\\']+$'

/**
 * The official file as Prism can fully use it. Prism 5.14 silently skips validating every answer
 * whose schema it cannot compile, and ContactResponse.city's pattern does not compile, so without
 * this every GET segment answer would go unchecked. The copy drops that one pattern (the action
 * always reads segments with contacts_sample=false, so city never occurs) and changes nothing else.
 */
export function checkableSpecPath() {
  const spec = JSON.parse(readFileSync(specPath, 'utf8'))
  const city = spec.components.schemas.ContactResponse.properties.city
  if (city.pattern !== uncompilableCityPattern) {
    throw new Error(
      'ContactResponse.city.pattern changed in the official file: revisit checkableSpecPath()'
    )
  }
  delete city.pattern
  const path = join(mkdtempSync(join(tmpdir(), 'refresh-segment-spec-')), 'segments-checkable.json')
  writeFileSync(path, JSON.stringify(spec))
  return path
}

const prismCli = join(projectRoot, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js')

/**
 * Starts `prism mock SPEC` or `prism proxy --errors SPEC UPSTREAM` on a free loopback port.
 * @param {string[]} args e.g. ['mock', specPath]
 */
export async function startPrism(args) {
  // Prism 5.14 is the newest release that supports Node 20: run it on the machine's Node.
  const child = spawn(machineNodePath, [prismCli, ...args, '-h', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let log = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start:\n${log}`)), 60_000)
    const onData = (/** @type {Buffer} */ chunk) => {
      log += chunk.toString()
      const match = /Prism is listening on (http:\/\/[\d.]+:\d+)/.exec(log)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`Prism exited with ${code}:\n${log}`)))
  })
  return {
    url,
    log: () => log,
    async close() {
      child.kill()
      await new Promise((resolve) =>
        child.exitCode !== null ? resolve(undefined) : child.on('exit', resolve)
      )
    }
  }
}

/**
 * @typedef {object} Exchange
 * @property {string} method
 * @property {string} path
 * @property {number} status what the action received
 * @property {Array<{ location: string[], severity: string, code?: string, message: string }>} violations
 */

/**
 * A pass-through HTTP proxy that records every exchange and Prism's verdict on it.
 * @param {string} target Prism's URL
 * @param {(method: string, path: string) => string} [route] another base URL for some requests
 */
export async function startRecorder(target, route = () => target) {
  /** @type {Exchange[]} */
  const exchanges = []
  const server = createServer((req, res) => {
    const chunks = /** @type {Buffer[]} */ ([])
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const base = route(req.method ?? '', req.url ?? '')
      const upstream = request(
        new URL(req.url ?? '/', base),
        { method: req.method, headers: { ...req.headers, host: new URL(base).host } },
        (answer) => {
          const body = /** @type {Buffer[]} */ ([])
          answer.on('data', (c) => body.push(c))
          answer.on('end', () => {
            const text = Buffer.concat(body).toString()
            exchanges.push({
              method: req.method ?? '',
              path: req.url ?? '',
              status: answer.statusCode ?? 0,
              violations: violationsIn(answer.headers['sl-violations'], text)
            })
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            res.end(text)
          })
        }
      )
      upstream.on('error', () => {
        res.writeHead(502)
        res.end()
      })
      upstream.end(Buffer.concat(chunks))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(() => resolve(undefined)))
    }
  }
}

/**
 * @param {string | string[] | undefined} header
 * @param {string} body
 */
function violationsIn(header, body) {
  if (typeof header === 'string' && header) return JSON.parse(header)
  try {
    const problem = JSON.parse(body)
    if (Array.isArray(problem?.validation)) return problem.validation
  } catch {
    // not a Prism problem body
  }
  return []
}
