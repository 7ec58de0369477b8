// `npm run bench`: the two performance figures the project promises, measured on this machine.
// 1. Ten segments whose answers each take 400 ms, against one segment: wall-time ratio (goal <= 1.3).
// 2. Start-up: `node dist/index.js` refreshing one segment on loopback, against a bare Node script
//    doing the same POST with node:http: ratio of medians over interleaved runs (goal < 2.0).
// 3. Connections and requests: five segments read, refreshed and waited for over HTTPS: requests by
//    stage (pre-flight reads, refreshes, wait rounds), connections (goal: connections <= segments),
//    and the wall time against a baseline bundle: the dist/ of the git ref in BENCH_BASELINE (e.g.
//    the last release's tag), when given.
// 4. Cancellation: SIGINT while a refresh is on the wire (its answer 10 s away) and while waiting:
//    time from the signal to the process's exit, summary and outputs written (goal < 3 s; the
//    runner sends SIGTERM at 7.5 s). Not on Windows, where a script cannot send the runner's Ctrl-C.
// 5. Schedules: the bundle's weight (dist/index.js, and the chunk only a scheduled run loads), and
//    the start-up of a workflow_dispatch run against a scheduled one that reads its workflow from a
//    stand-in for GitHub's API (goal: a workflow_dispatch run pays nothing for it).
// Each figure is measured under the machine's Node and under Node 24 (what the runner uses).
import { execFileSync, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hasOpenssl, makeCertificates } from './certificates.js'
import { projectRoot, runAction } from './run-action.js'
import { runtimes } from './runtimes.js'
import { demoApiKey, startSimulator } from './simulator/index.js'
import { faultKey } from './simulator/faults.js'
import { startGitHubApi } from './github-api.js'

const rounds = Number(process.env.BENCH_ROUNDS ?? 15)
const median = (/** @type {number[]} */ values) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/** A fresh simulator per run: refresh limits would otherwise answer 429 from the second run on. */
/**
 * @param {string} node
 * @param {number} segmentCount
 * @param {number} responseDelayMs
 */
async function timeAction(node, segmentCount, responseDelayMs) {
  const ids = Array.from({ length: segmentCount }, () => randomUUID())
  const simulator = await startSimulator({ responseDelayMs, segments: ids.map((id) => ({ id })) })
  try {
    const run = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': ids.join(' '),
        'check-quota': 'false'
      },
      { node }
    )
    if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}\n${run.stderr}`)
    return run.durationMs
  } finally {
    await simulator.close()
  }
}

const barePost = `
const http = require('node:http')
const url = new URL(process.env.TARGET)
const body = JSON.stringify({ user_time_zone: 'UTC' })
const req = http.request(url, { method: 'POST', headers: {
  Authorization: 'Bearer ' + process.env.KEY, Accept: 'application/json',
  'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
  let text = ''
  res.on('data', (c) => (text += c))
  res.on('end', () => { if (res.statusCode !== 202) process.exit(1); console.log(text) })
})
req.end(body)
`

/** @param {string} node */
async function timeBare(node) {
  const id = randomUUID()
  const simulator = await startSimulator({ segments: [{ id }] })
  try {
    const target = `${simulator.url}/v3/marketing/segments/2.0/refresh/${id}`
    const started = performance.now()
    const child = spawn(node, ['-e', barePost], {
      env: { TARGET: target, KEY: demoApiKey },
      stdio: 'ignore'
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    if (code !== 0) throw new Error('bare POST failed')
    return performance.now() - started
  } finally {
    await simulator.close()
  }
}

/** The baseline bundle, checked out of git into a folder of its own, or null. */
function baselineBundle() {
  const ref = process.env.BENCH_BASELINE
  if (!ref) return null
  const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-baseline-'))
  for (const file of ['index.js', 'package.json']) {
    const text = execFileSync('git', ['show', `${ref}:dist/${file}`], { cwd: projectRoot })
    mkdirSync(join(dir, 'dist'), { recursive: true })
    writeFileSync(join(dir, 'dist', file), text)
  }
  return { ref, path: join(dir, 'dist', 'index.js'), dir }
}

/** Five segments, read, refreshed and polled until recomputed, over HTTPS with a private CA. */
/**
 * @param {string} node
 * @param {NonNullable<Awaited<ReturnType<typeof makeCertificates>>>} certificates
 * @param {string} [bundle]
 */
async function timeHttps(node, certificates, bundle) {
  const ids = Array.from({ length: 5 }, () => randomUUID())
  const simulator = await startSimulator({
    tls: certificates.trusted,
    refreshDelayMs: 300,
    segments: ids.map((id) => ({ id }))
  })
  try {
    const run = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': ids.join(' '),
        wait: 'true',
        'wait-interval-seconds': '0.2'
      },
      { node, bundle, env: { NODE_EXTRA_CA_CERTS: certificates.caPath } }
    )
    if (run.exitCode !== 0) throw new Error(`action failed:\n${run.stdout}\n${run.stderr}`)
    const kinds = simulator.requests.map((r) => faultKey(r.method, r.path).split(':')[0])
    const count = (/** @type {string} */ kind) => kinds.filter((k) => k === kind).length
    return {
      ms: run.durationMs,
      requests: simulator.requests.length,
      // Each segment is read once before its refresh; the wait's reads are the rest.
      stages: `${ids.length} pre-flight reads, ${count('refresh')} refreshes, ${count('list')} wait rounds of one list read, ${count('get') - ids.length} segment reads in the wait`,
      connections: simulator.counts.connections
    }
  } finally {
    await simulator.close()
  }
}

/**
 * Seconds from a SIGINT to the exit: sent once the refresh is on the wire (its answer held 10 s), or
 * once the wait has polled. Checks the refresh reached the outputs, as the promise is about them.
 * @param {string} node
 * @param {'on the wire' | 'waiting'} when
 */
async function timeCancel(node, when) {
  const id = randomUUID()
  const simulator = await startSimulator({ refreshDelayMs: 60_000, segments: [{ id }] })
  if (when === 'on the wire') simulator.inject('refresh', id, { delayMs: 10_000 })
  // The wait reads the segment list once a round.
  const reached =
    when === 'on the wire' ? simulator.nextRequest('refresh', id) : simulator.nextRequest('list')
  let signalledAt = NaN
  try {
    const run = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': id,
        'check-quota': 'false',
        wait: when === 'waiting' ? 'true' : 'false',
        'wait-interval-seconds': '0.2'
      },
      {
        node,
        whileRunning: async (/** @type {import('node:child_process').ChildProcess} */ child) => {
          await reached
          signalledAt = performance.now()
          child.kill('SIGINT')
        }
      }
    )
    if (!run.summary.includes('Cancelled') || !run.outputs.results?.includes(id))
      throw new Error(`the cancelled run did not report:\n${run.stdout}\n${run.stderr}`)
    return run.endedAt - signalledAt
  } finally {
    await simulator.close()
  }
}

const workflowPath = '.github/workflows/refresh.yml'
const eventDir = mkdtempSync(join(tmpdir(), 'refresh-segment-bench-event-'))
const eventPath = join(eventDir, 'event.json')
writeFileSync(eventPath, JSON.stringify({ schedule: '7 * * * *' }))

/**
 * One run looking 45 minutes ahead for campaigns (none is due): on workflow_dispatch, or on a
 * schedule that reads its two-line workflow from a stand-in for GitHub's API.
 * @param {string} node
 * @param {'workflow_dispatch' | 'schedule'} eventName
 */
async function timeEvent(node, eventName) {
  const simulator = await startSimulator({})
  const github = await startGitHubApi({
    [workflowPath]: "on:\n  schedule:\n    - cron: '7 * * * *'\n    - cron: '37 * * * *'\n"
  })
  try {
    const run = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'single-sends-within-minutes': '45',
        'github-token': 'ghs_bench'
      },
      {
        node,
        env: {
          GITHUB_EVENT_NAME: eventName,
          GITHUB_EVENT_PATH: eventPath,
          ...github.env(workflowPath)
        }
      }
    )
    const askedGitHub = github.requests.length > 0
    if (run.exitCode !== 0 || askedGitHub !== (eventName === 'schedule'))
      throw new Error(
        `the ${eventName} run did not do what it should:\n${run.stdout}\n${run.stderr}`
      )
    return run.durationMs
  } finally {
    await simulator.close()
    await github.close()
  }
}

/** kB of each file of dist/ the action runs (not the live check's). */
function bundleWeight() {
  const dist = join(projectRoot, 'dist')
  return readdirSync(dist)
    .filter((file) => file.endsWith('.js'))
    .map((file) => `${file} ${Math.round(statSync(join(dist, file)).size / 1024)} kB`)
    .join(', ')
}

const certificates = hasOpenssl ? makeCertificates() : null
const baseline = baselineBundle()
let missed = false
for (const { name, node } of runtimes) {
  console.log(`${name}, ${rounds} rounds per figure`)
  // Warm the file cache so the first round is not an outlier.
  await timeAction(node, 1, 0)
  await timeBare(node)

  const one = []
  const ten = []
  for (let i = 0; i < rounds; i++) {
    one.push(await timeAction(node, 1, 400))
    ten.push(await timeAction(node, 10, 400))
  }
  const concurrency = median(ten) / median(one)
  console.log(
    `  Concurrency (every answer 400 ms): 1 segment ${median(one).toFixed(0)} ms, 10 segments ${median(ten).toFixed(0)} ms`
  )
  console.log(
    `    ratio ${concurrency.toFixed(2)} (goal <= 1.30) ${concurrency <= 1.3 ? 'OK' : 'MISSED'}`
  )

  // Interleaved, so a slow moment of the machine hits both sides alike.
  const action = []
  const bare = []
  for (let i = 0; i < rounds; i++) {
    action.push(await timeAction(node, 1, 0))
    bare.push(await timeBare(node))
  }
  const startup = median(action) / median(bare)
  console.log(
    `  Start-up (one POST on loopback): action ${median(action).toFixed(0)} ms, bare node:http ${median(bare).toFixed(0)} ms`
  )
  console.log(`    ratio ${startup.toFixed(2)} (goal < 2.00) ${startup < 2 ? 'OK' : 'MISSED'}\n`)
  missed ||= concurrency > 1.3 || startup >= 2

  const dispatched = []
  const scheduled = []
  for (let i = 0; i < rounds; i++) {
    dispatched.push(await timeEvent(node, 'workflow_dispatch'))
    scheduled.push(await timeEvent(node, 'schedule'))
  }
  console.log(
    `  Schedules: workflow_dispatch run ${median(dispatched).toFixed(0)} ms; scheduled run reading its workflow from GitHub ${median(scheduled).toFixed(0)} ms`
  )
  console.log(`    bundle: ${bundleWeight()}\n`)

  if (process.platform === 'win32') console.log('  Cancellation: skipped on Windows\n')
  else {
    for (const when of /** @type {const} */ (['on the wire', 'waiting'])) {
      const exits = []
      for (let i = 0; i < rounds; i++) exits.push(await timeCancel(node, when))
      const worst = Math.max(...exits)
      console.log(
        `  Cancellation, SIGINT while ${when === 'waiting' ? 'waiting' : 'a refresh is on the wire'}: exit after median ${median(exits).toFixed(0)} ms, at most ${worst.toFixed(0)} ms (goal < 3000) ${worst < 3000 ? 'OK' : 'MISSED'}`
      )
      missed ||= worst >= 3000
    }
    console.log('')
  }

  if (!certificates) {
    console.log('  Connections over HTTPS: skipped, openssl is not installed\n')
    continue
  }
  const https = []
  const before = []
  for (let i = 0; i < rounds; i++) {
    https.push(await timeHttps(node, certificates))
    if (baseline) before.push(await timeHttps(node, certificates, baseline.path))
  }
  const last = https[https.length - 1]
  console.log(
    `  Five segments with wait over HTTPS: ${last.requests} requests over ${last.connections} connections (goal <= 5) ${last.connections <= 5 ? 'OK' : 'MISSED'}, ${median(https.map((r) => r.ms)).toFixed(0)} ms`
  )
  console.log(`    requests: ${last.stages}`)
  if (baseline) {
    const then = before[before.length - 1]
    console.log(
      `    baseline ${baseline.ref}: ${then.requests} requests over ${then.connections} connections, ${median(before.map((r) => r.ms)).toFixed(0)} ms; ${then.stages}\n`
    )
  } else console.log('    (set BENCH_BASELINE to a git ref to compare with its dist/)\n')
  missed ||= last.connections > 5
}
rmSync(eventDir, { recursive: true, force: true })
if (certificates) rmSync(certificates.dir, { recursive: true, force: true })
if (baseline) rmSync(baseline.dir, { recursive: true, force: true })
if (missed) process.exitCode = 1
