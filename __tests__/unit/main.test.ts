// The run in-process, against the simulator: the same behaviour the end-to-end suites check on the
// bundle, here where coverage can see the sources, plus paths that are awkward from outside.
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventEmitter } from 'node:events'
import { listenForCancel } from '../../src/run/cancellation.js'
import { run } from '../../src/main.js'
import { SendGridClient } from '../../src/sendgrid/client.js'
import {
  annotationsIn,
  inputDefault,
  inputVariable,
  parseOutputFile,
  readActionYml
} from '../../tools/run-action.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const ids = {
  a: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  b: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  missing: '4888e03b-50aa-454a-97d1-e1530345a5ef'
}
const declaredInputs = readActionYml().inputs

// One folder for the whole file: @actions/core remembers the summary file's path after first use.
const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-main-'))
let simulator: Awaited<ReturnType<typeof startSimulator>>
let stdout: string

beforeEach(async () => {
  simulator = await startSimulator({
    segments: [
      { id: ids.a, name: 'Alpha', contactsCount: 3, contactsCountAfterRefresh: 4 },
      { id: ids.b, name: 'Beta' }
    ]
  })
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk)
    return true
  })
})

afterEach(async () => {
  jest.restoreAllMocks()
  await simulator.close()
  process.exitCode = undefined
})

afterAll(() => rmSync(workDir, { recursive: true, force: true }))

async function runWith(
  inputs: Record<string, string>,
  { summaryFile = true, cancellation = listenForCancel(new EventEmitter()) } = {}
) {
  stdout = ''
  process.exitCode = undefined
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  const merged: Record<string, string> = {
    'api-key': demoApiKey,
    'api-url': simulator.url,
    ...inputs
  }
  for (const [name, spec] of Object.entries(declaredInputs)) {
    process.env[inputVariable(name)] = merged[name] ?? inputDefault(spec)
  }
  const outputFile = join(workDir, 'output')
  const summaryPath = join(workDir, 'summary')
  writeFileSync(outputFile, '')
  process.env.GITHUB_OUTPUT = outputFile
  process.env.GITHUB_STEP_SUMMARY = summaryPath
  // A folder where the summary file should be makes its write fail, as a broken runner would.
  rmSync(summaryPath, { recursive: true, force: true })
  if (summaryFile) writeFileSync(summaryPath, '')
  else mkdirSync(summaryPath)
  await run(cancellation)
  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
  return {
    exitCode: process.exitCode ?? 0,
    outputs,
    results: JSON.parse(outputs.results) as Array<Record<string, unknown>>,
    summary: summaryFile ? readFileSync(summaryPath, 'utf8') : '',
    annotations: annotationsIn(stdout)
  }
}

describe('run', () => {
  it('resolves names, checks quota, refreshes, waits and reports', async () => {
    const { exitCode, results, outputs, summary } = await runWith({
      'segment-ids': ids.a,
      'segment-names': 'Beta\nAlpha',
      wait: 'true',
      'wait-interval-seconds': '0.05'
    })
    expect(exitCode).toBe(0)
    expect(results.map((r) => [r.segment_name, r.outcome])).toEqual([
      ['Alpha', 'refreshed'],
      ['Beta', 'refreshed']
    ])
    expect(JSON.parse(outputs['contacts-counts'])).toEqual({ [ids.a]: 4, [ids.b]: 101 })
    expect(summary).toContain('3 → 4')
    expect(stdout).toContain('given both by ID and by name')
  })

  it('waits for contact jobs first, and judges freshness against when they landed', async () => {
    const landed = Date.now() - 60_000
    simulator.addContactJob({ id: 'job-1', finishesAt: landed })
    simulator.addContactJob({ id: 'job-2', finishesAt: Date.now() + 300 })
    Object.assign(simulator.segments.get(ids.a)!, { sampleUpdatedAt: landed - 60_000 })
    const { exitCode, results, outputs, summary } = await runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      'contact-job-ids': 'job-1 job-2',
      'fresh-within-minutes': '10',
      'wait-interval-seconds': '0.1'
    })
    expect(exitCode).toBe(0)
    expect(results.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed'])
    const firstSegmentRequest = simulator.requests.findIndex((r) => r.path.includes('/segments/'))
    expect(
      simulator.requests.slice(firstSegmentRequest).every((r) => r.path.includes('/segments/'))
    ).toBe(true)
    expect(JSON.parse(outputs['contact-jobs']).map((j: { status: string }) => j.status)).toEqual([
      'completed',
      'completed'
    ])
    // The answer stays the audiences; the contacts come next, once they landed.
    expect(summary).toMatch(/<p>Contacts first: 2 jobs finished at \d\d:\d\d UTC/)
    expect(stdout).toContain(
      'after contact job(s) job-1, job-2 have finished, except what SendGrid recomputed in the last 10 minutes,'
    )
  })

  it('checks the schedule line of a scheduled run', async () => {
    const event = join(workDir, 'event.json')
    writeFileSync(event, JSON.stringify({ schedule: '0 * * * *' }))
    Object.assign(process.env, { GITHUB_EVENT_NAME: 'schedule', GITHUB_EVENT_PATH: event })
    try {
      const { exitCode } = await runWith({
        'segment-ids': ids.a,
        'single-sends-within-minutes': '30'
      })
      expect(exitCode).toBe(0)
    } finally {
      delete process.env.GITHUB_EVENT_NAME
      delete process.env.GITHUB_EVENT_PATH
    }
    expect(stdout).toContain(
      '::warning title=Campaigns can fall between scheduled runs::This schedule line (`0 * * * *`) runs every 60 minutes'
    )
  })

  it('refreshes nothing when a contact job did not land, and keeps every segment in results', async () => {
    simulator.addSingleSend({
      id: 'bf000000-0000-4000-8000-000000000001',
      name: 'Soon',
      segmentIds: [ids.b]
    })
    const { exitCode, results, summary } = await runWith({
      'segment-ids': ids.a,
      'single-send-ids': 'bf000000-0000-4000-8000-000000000001',
      'contact-job-ids': 'missing-job'
    })
    expect(exitCode).toBe(1)
    expect(simulator.requestsFor('refresh', ids.a)).toHaveLength(0)
    expect(simulator.requests.filter((r) => r.path.includes('/segments/'))).toHaveLength(0)
    expect(results.map((r) => [r.segment_id, r.outcome, r.single_send_ids])).toEqual([
      [ids.a, 'failed', []],
      [ids.b, 'failed', ['bf000000-0000-4000-8000-000000000001']]
    ])
    expect(summary).toContain('The contacts did not land: contact job missing-job not found.')
    expect(stdout).toContain(
      '::error::1 of 1 contact job(s) did not finish writing their contacts, so no segment was refreshed.'
    )
  })

  it('reports every refresh spent when cut short by a signal while waiting, and sends no more', async () => {
    const signals = new EventEmitter()
    const exits: string[] = []
    const arrived = async () => {
      while (simulator.requests.filter((r) => r.path.includes('/refresh/')).length < 2)
        await new Promise((resolve) => setTimeout(resolve, 5))
      await new Promise((resolve) => setTimeout(resolve, 150))
      signals.emit('SIGTERM')
    }
    const [{ exitCode, results, outputs, summary }] = await Promise.all([
      runWith(
        {
          'segment-ids': `${ids.a} ${ids.b}`,
          'segment-names': 'Beta',
          wait: 'true',
          'wait-interval-seconds': '60'
        },
        { cancellation: listenForCancel(signals, () => exits.push('exit')) }
      ),
      arrived()
    ])
    const requestsAfter = simulator.requests.length
    expect(exitCode).toBe(1)
    expect(results.map((r) => [r.segment_name, r.outcome])).toEqual([
      ['Alpha', 'refreshed'],
      ['Beta', 'refreshed']
    ])
    expect(Object.keys(JSON.parse(outputs['job-ids']))).toEqual([ids.a, ids.b])
    expect(summary.split('\n')[1]).toBe(
      '<p><strong>Cancelled after 2 refreshes: &quot;Alpha&quot; and &quot;Beta&quot; were refreshed; SendGrid may still be recomputing them.</strong></p>'
    )
    expect(annotationsIn(stdout).filter((a) => a.level === 'error')).toHaveLength(1)
    expect(signals.listenerCount('SIGTERM')).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(simulator.requests.length).toBe(requestsAfter)
  })

  it.each([
    ['the wait for contact jobs', 'contacts/imports'],
    ['the pre-flight reads', '/segments/2.0/']
  ])('refreshes nothing when cut short during %s', async (_, path) => {
    const signals = new EventEmitter()
    simulator.addContactJob({ id: 'job-1', finishesAt: Date.now() + 60_000 })
    simulator.inject('get', ids.a, { delayMs: 300 })
    const cutShort = async () => {
      while (!simulator.requests.some((r) => r.path.includes(path)))
        await new Promise((resolve) => setTimeout(resolve, 5))
      signals.emit('SIGINT')
      // Once the pre-flight reads are in, let the job finish: only the signal stops the run.
      simulator.contactJobs.get('job-1')!.finishesAt = Date.now()
    }
    const contactJob = path === '/segments/2.0/' ? 'job-2' : 'job-1'
    if (contactJob === 'job-2') simulator.addContactJob({ id: 'job-2' })
    const [{ exitCode, results, outputs, summary }] = await Promise.all([
      runWith(
        {
          'segment-ids': ids.a,
          'contact-job-ids': contactJob,
          'wait-interval-seconds': '0.05'
        },
        { cancellation: listenForCancel(signals, () => undefined) }
      ),
      cutShort()
    ])
    expect(exitCode).toBe(1)
    expect(simulator.requests.filter((r) => r.path.includes('/refresh/'))).toHaveLength(0)
    expect(results.map((r) => r.outcome)).toEqual(['cancelled'])
    expect(JSON.parse(outputs['contact-jobs'])).toHaveLength(1)
    expect(summary.split('\n')[1]).toBe(
      '<p><strong>Cancelled before SendGrid accepted any refresh. 1 segment was not refreshed.</strong></p>'
    )
  })

  it('reports what it spent when an unexpected error stops the run after its refreshes', async () => {
    const random = jest.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('boom')
    })
    const { exitCode, results, outputs, summary } = await runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      wait: 'true'
    })
    random.mockRestore()
    expect(exitCode).toBe(1)
    expect(results.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed'])
    expect(Object.keys(JSON.parse(outputs['job-ids']))).toEqual([ids.a, ids.b])
    expect(summary).toContain(
      '<p><strong>Stopped by an unexpected error after 2 refreshes: &quot;Alpha&quot; and &quot;Beta&quot; were refreshed; SendGrid may still be recomputing them.</strong></p>'
    )
    expect(stdout).toContain('::error::Unexpected error: boom')
    expect(results[0].message).toContain(
      'The run stopped on an unexpected error before SendGrid had finished recomputing it'
    )
  })

  it('settles fresh segments, keeps to the budget, and writes a summary a person reads', async () => {
    const now = Date.now()
    const hostile = '<img src=x onerror=alert(1)> & "VIP"'
    Object.assign(simulator.segments.get(ids.a)!, { sampleUpdatedAt: now - 60_000 })
    Object.assign(simulator.segments.get(ids.b)!, {
      name: hostile,
      contactsCount: 10,
      contactsCountAfterRefresh: 7
    })
    const extra = Array.from(
      { length: 10 },
      (_, n) => `5${String(n).padStart(7, '0')}-50aa-454a-97d1-e1530345a5ec`
    )
    for (const id of extra)
      simulator.addSegment({ id, contactsCount: 5, contactsCountAfterRefresh: 5 })
    const { exitCode, results, outputs, summary } = await runWith({
      'segment-ids': [ids.a, ids.b, ...extra].join(' '),
      'fresh-within-minutes': '5',
      'time-zone': 'Asia/Tokyo',
      wait: 'true',
      'wait-interval-seconds': '0.05'
    })
    expect(exitCode).toBe(0)
    expect(results.map((r) => r.outcome)).toEqual([
      'fresh',
      ...Array(10).fill('refreshed'),
      'rate_limited'
    ])
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(10)
    expect(JSON.parse(outputs.fresh)).toEqual([ids.a])
    expect(summary).toContain('11 of 12 audiences are ready to send to: ')
    expect(summary).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;VIP&quot;')
    expect(summary).not.toContain('<img')
    expect(summary).toContain('10 → 7 (−3)')
    expect(summary).toContain('5 → 5 (±0)')
    expect(summary).toContain('🟢 fresh')
    expect(summary).toContain('⏳ rate limited')
    expect(summary).toContain('Times are in Asia/Tokyo.')
  })

  it('serves Single Sends by ID, by name and by send time, grouped in the summary', async () => {
    const at = (minutes: number) => Date.now() + minutes * 60_000
    const campaign = (n: number) => `cafe0000-0000-4000-8000-00000000000${n}`
    simulator.addSingleSend({
      id: campaign(1),
      name: 'Due now',
      status: 'scheduled',
      sendAt: Date.now() - 1,
      segmentIds: [ids.a]
    })
    simulator.addSingleSend({ id: campaign(2), name: 'Draft', segmentIds: [ids.b] })
    simulator.addSingleSend({
      id: campaign(3),
      name: 'Soon',
      status: 'scheduled',
      sendAt: at(10),
      segmentIds: [ids.b]
    })
    simulator.addSingleSend({
      id: campaign(4),
      name: 'Everyone',
      status: 'scheduled',
      sendAt: at(20),
      all: true
    })
    simulator.addSingleSend({
      id: campaign(5),
      name: 'Gone',
      status: 'triggered',
      segmentIds: [ids.a]
    })
    Object.assign(simulator.segments.get(ids.a)!, { refreshTimes: [], lastRefreshedAt: null })
    const { exitCode, results, outputs, summary, annotations } = await runWith({
      'single-send-ids': `${campaign(1)} ${campaign(5)}`,
      'single-send-names': 'Draft',
      'single-sends-within-minutes': '30',
      'time-zone': 'Europe/Berlin',
      wait: 'true',
      'wait-interval-seconds': '0.05'
    })
    expect(exitCode).toBe(0)
    expect(results.map((r) => [r.segment_id, r.single_send_ids])).toEqual([
      [ids.a, [campaign(1)]],
      [ids.b, [campaign(2), campaign(3)]]
    ])
    expect(JSON.parse(outputs['single-sends']).map((s: { name: string }) => s.name)).toEqual([
      'Due now',
      'Gone',
      'Draft',
      'Soon',
      'Everyone'
    ])
    // "Due now" was given by ID, so it is served although its send time has just passed.
    expect(annotations.map((a) => [a.level, a.message])).toEqual([
      ['notice', 'Single Send "Gone" has nothing to refresh: it has gone out already (triggered).'],
      [
        'notice',
        'Single Send "Everyone" has nothing to refresh: it goes to all contacts; only segments can be refreshed.'
      ]
    ])
    expect(summary).toMatch(
      /<h3>&quot;Soon&quot; sends at \d\d:\d\d Europe\/Berlin, in (9|10) minutes: audience ready<\/h3>/
    )
    expect(summary).toContain(
      '<h3>&quot;Draft&quot; is a draft, not scheduled: audience ready</h3>'
    )
    expect(summary).toContain(
      'Nothing to refresh for &quot;Gone&quot;: it has gone out already (triggered); &quot;Everyone&quot;: it goes to all contacts'
    )
  })

  it('warns when a Single Send falls due before its segments are recomputed', async () => {
    await simulator.close()
    const flashSale = 'cafe0000-0000-4000-8000-000000000001'
    // The recompute takes 4 s, so a machine that stalls for a second or two still finds the
    // segment recomputing when the Single Send falls due.
    simulator = await startSimulator({
      refreshDelayMs: 4000,
      segments: [{ id: ids.a, name: 'Alpha' }],
      singleSends: [
        {
          id: flashSale,
          name: 'Flash sale',
          status: 'scheduled',
          sendAt: Date.now() + 60 * 60_000,
          segmentIds: [ids.a]
        }
      ]
    })
    // Due 1 s after the action reads it, however late it starts: the read is held 1 ms so the
    // time can be set first.
    simulator.inject('singlesend', flashSale, { delayMs: 1 })
    const read = simulator.nextRequest('singlesend', flashSale)
    const running = runWith({
      'single-send-ids': flashSale,
      wait: 'true',
      // Polls come every 4 s; the send time wakes the wait before the first one.
      'wait-interval-seconds': '4'
    })
    await read
    simulator.singleSends.get(flashSale)!.sendAt = Date.now() + 1000
    const { exitCode, annotations } = await running
    expect(exitCode).toBe(0)
    expect(annotations).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: expect.stringMatching(
          /^Single Send "Flash sale" was due at .*, and Segment "Alpha" \(.*\) is still recomputing/
        )
      })
    ])
  })

  it('tells apart unknown names and IDs, passed send times and an empty window', async () => {
    simulator.addSingleSend({
      id: 'cafe0000-0000-4000-8000-000000000001',
      name: 'Spring launch',
      status: 'scheduled',
      sendAt: Date.now() - 60_000,
      segmentIds: [ids.a]
    })
    const unknown = await runWith({
      'single-send-names': 'Sprin launch',
      'single-send-ids': 'cafe0000-0000-4000-8000-00000000dead'
    })
    expect(unknown.exitCode).toBe(1)
    expect(unknown.annotations.map((a) => a.message)).toEqual([
      `Input 'single-send-names': no Single Send is named "Sprin launch" (names must match exactly). Did you mean "Spring launch"?`,
      "Input 'single-send-ids': no Single Send has the ID cafe0000-0000-4000-8000-00000000dead in this account (reading it answered HTTP 404). Check the ID, the data-residency region and on-behalf-of.",
      'Some Single Sends could not be found or read; no segment was refreshed.'
    ])
    const passed = await runWith({ 'single-sends-within-minutes': '5' })
    expect(passed.exitCode).toBe(0)
    expect(passed.annotations.map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^Single Send "Spring launch" was due (yesterday )?at \d\d:\d\d UTC, 1 minute ago and is going out already; its segments are left alone\.$/
      ),
      'No Single Send is scheduled to go out in the next 5 minutes (single-sends-within-minutes).'
    ])
    const missing = await runWith({ 'single-send-ids': 'cafe0000-0000-4000-8000-00000000dead' })
    expect(missing.annotations[0].message).toMatch(
      /no Single Send has the ID .*dead in this account/
    )
    expect(
      simulator.requests.filter((r) => r.method === 'POST' && r.path.includes('refresh'))
    ).toEqual([])
  })

  it('refreshes nothing when a Single Send cannot be found or listed', async () => {
    simulator.inject('singlesends', '', { status: 500 }, { status: 500 }, { status: 500 })
    const unlisted = await runWith({
      'segment-ids': ids.a,
      'single-send-names': 'Anything',
      'max-retries': '0'
    })
    expect(unlisted.exitCode).toBe(1)
    expect(unlisted.annotations[0].message).toBe(
      "Could not list the account's Single Sends to resolve single-send-names (HTTP 500)."
    )
    simulator.inject('singlesend', 'cafe0000-0000-4000-8000-000000000009', { drop: true })
    const unread = await runWith({
      'single-send-ids': 'cafe0000-0000-4000-8000-000000000009',
      'max-retries': '0'
    })
    expect(unread.exitCode).toBe(1)
    expect(unread.annotations[0].message).toMatch(
      /^Could not read Single Send cafe0000-0000-4000-8000-000000000009 \(network: /
    )
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
  })

  it('reports every kind of failure and still sets the outputs', async () => {
    simulator.inject('refresh', ids.a, { status: 503, body: '<html><title>Down</title></html>' })
    simulator.inject('refresh', ids.b, { hang: true })
    const { exitCode, results, annotations } = await runWith({
      'segment-ids': `${ids.a} ${ids.b} ${ids.missing}`,
      'check-quota': 'false',
      'max-retries': '0',
      'timeout-seconds': '0.3'
    })
    expect(exitCode).toBe(1)
    expect(results.map((r) => [r.outcome, r.http_status])).toEqual([
      ['failed', 503],
      ['failed', null],
      ['failed', 404]
    ])
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(4)
  })

  it('retries a 5xx and a dropped connection, then succeeds', async () => {
    simulator.inject('refresh', ids.a, { status: 502, body: '' })
    simulator.inject('refresh', ids.b, { drop: true })
    // No pre-flight read, so the dropped refresh was on a fresh connection, not a reused one.
    const { exitCode, results } = await runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      'check-quota': 'false',
      'max-retries': '1'
    })
    expect(exitCode).toBe(0)
    expect(results.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed'])
    expect(stdout).toMatch(/got HTTP 502; retry 1 of 1/)
    // The dropped refresh may have reached SendGrid: the segment is read before it is sent again.
    expect(stdout).toContain(
      `POST refresh of ${ids.b} got no answer (the connection was lost), and reading the segment showed SendGrid had not accepted it; retry 1 of 1 in `
    )
    expect(simulator.requests.filter((r) => r.path.endsWith(ids.b)).map((r) => r.method)).toEqual([
      'POST',
      'GET',
      'POST'
    ])
  })

  it('skips what the pre-flight already knows and fails under on-rate-limit: fail', async () => {
    const now = Date.now()
    Object.assign(simulator.segments.get(ids.a)!, {
      refreshTimes: [now - 60_000],
      lastRefreshedAt: now - 60_000
    })
    const { exitCode, results, summary } = await runWith({
      'segment-ids': `${ids.a} ${ids.missing}`,
      'on-rate-limit': 'fail'
    })
    expect(exitCode).toBe(1)
    expect(results.map((r) => r.outcome)).toEqual(['rate_limited', 'failed'])
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
    expect(summary).toMatch(
      /0 of 2 audiences are ready to send to\. .* can be refreshed again (tomorrow )?at /
    )
  })

  it('refreshes anyway when the pre-flight cannot read', async () => {
    simulator.inject('get', ids.a, { status: 403, body: '' })
    simulator.inject('get', ids.b, { status: 200, body: 'not a segment' })
    const { exitCode, annotations } = await runWith({ 'segment-ids': `${ids.a} ${ids.b}` })
    expect(exitCode).toBe(0)
    expect(annotations).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringMatching(
          /may not read segments \(HTTP 403\); SendGrid answered the read with a body that is not a segment/
        )
      })
    ])
  })

  it('fails a wait that times out and a segment deleted while waiting', async () => {
    await simulator.close()
    simulator = await startSimulator({
      refreshDelayMs: 60_000,
      segments: [{ id: ids.a }, { id: ids.b }]
    })
    // Deleted once SendGrid has accepted its refresh, however slow the machine.
    const refreshed = simulator.nextRequest('refresh', ids.b)
    const running = runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      wait: 'true',
      'wait-interval-seconds': '0.1',
      'wait-timeout-seconds': '0.6'
    })
    await refreshed
    simulator.segments.delete(ids.b)
    const { exitCode, results } = await running
    expect(exitCode).toBe(1)
    expect(results.map((r) => r.message)).toEqual([
      expect.stringContaining('had not finished after 1 s'),
      expect.stringContaining('was deleted while waiting')
    ])
  })

  it('keeps polling through read errors while waiting', async () => {
    await simulator.close()
    simulator = await startSimulator({ refreshDelayMs: 200, segments: [{ id: ids.a }] })
    // The wait reads the segment list once a round: its first read hangs.
    simulator.inject('list', '', { hang: true })
    const { exitCode } = await runWith({
      'segment-ids': ids.a,
      wait: 'true',
      'wait-interval-seconds': '0.05',
      'timeout-seconds': '0.5',
      'max-retries': '0'
    })
    expect(exitCode).toBe(0)
    expect(stdout).toMatch(
      /Could not read Segment .* \(reading the segment list failed: timeout: no answer within 0\.5 s\); still waiting/
    )
    expect(simulator.requestsFor('list')).toHaveLength(2)
  })

  it('gates a send: ready after a refresh seen recomputed; a re-run is fresh without a refresh', async () => {
    const gate = {
      'segment-ids': `${ids.a} ${ids.b}`,
      wait: 'true',
      'wait-interval-seconds': '0.05',
      'fail-unless-ready': 'true',
      'min-contacts': '1'
    }
    const first = await runWith(gate)
    expect(first.exitCode).toBe(0)
    expect(first.outputs.ready).toBe('true')
    expect(first.results.map((r) => [r.outcome, r.ready, r.not_ready_reason])).toEqual([
      ['refreshed', true, null],
      ['refreshed', true, null]
    ])
    expect(first.results[0].recomputed_at).toBe(first.results[0].sample_updated_at)
    expect(first.summary).toContain('<p><strong>All 2 audiences are ready to send to.</strong></p>')

    const again = await runWith(gate)
    expect(again.exitCode).toBe(0)
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(again.outputs.ready).toBe('true')
    expect(again.results.map((r) => [r.outcome, r.ready])).toEqual([
      ['fresh', true],
      ['fresh', true]
    ])
    expect(again.results[0].message).toMatch(
      /^Segment "Alpha" \(.+\) is fresh: recomputed at \d\d:\d\d UTC, just now, after a refresh accepted at \d\d:\d\d UTC, just now \(SendGrid's sample_updated_at; SendGrid allows one refresh an hour, and this one has been recomputed\)\./
    )
  })

  it('waits for a refresh still recomputing from a cut-short run, and spends nothing', async () => {
    // A run that SendGrid accepted a refresh for, then was cancelled before the recompute.
    const accepted = Date.now() - 3 * 60_000
    Object.assign(simulator.segments.get(ids.a)!, {
      refreshTimes: [accepted],
      lastRefreshedAt: accepted,
      pendingUntil: Date.now() + 300,
      contactsCountAfterRefresh: 5
    })
    const rerun = await runWith({
      'segment-ids': ids.a,
      wait: 'true',
      'wait-interval-seconds': '0.1',
      'fail-unless-ready': 'true'
    })
    expect(rerun.exitCode).toBe(0)
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
    expect(rerun.outputs.ready).toBe('true')
    expect(rerun.results[0]).toMatchObject({ outcome: 'fresh', ready: true, contacts_count: 5 })
    expect(JSON.parse(rerun.outputs.fresh)).toEqual([ids.a])

    // Without wait it is rate-limited, and the message says wait would wait for it.
    Object.assign(simulator.segments.get(ids.a)!, {
      lastRefreshedAt: Date.now() - 60_000,
      sampleUpdatedAt: Date.now() - 2 * 60 * 60_000,
      pendingUntil: Date.now() + 60_000
    })
    const noWait = await runWith({ 'segment-ids': ids.a })
    expect(noWait.results[0]).toMatchObject({
      outcome: 'rate_limited',
      ready: false,
      not_ready_reason: 'rate_limited'
    })
    expect(noWait.results[0].message).toContain('With wait: true the run waits for it.')
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
  })

  it('holds an audience recomputed to 0 contacts, or tripled, to the guards', async () => {
    Object.assign(simulator.segments.get(ids.a)!, {
      contactsCount: 1200,
      contactsCountAfterRefresh: 0
    })
    Object.assign(simulator.segments.get(ids.b)!, {
      contactsCount: 1000,
      contactsCountAfterRefresh: 3000
    })
    const guarded = await runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      wait: 'true',
      'wait-interval-seconds': '0.05',
      'min-contacts': '1',
      'max-contacts-change-percent': '50'
    })
    // Without fail-unless-ready the guards warn, and never fail the step.
    expect(guarded.exitCode).toBe(0)
    expect(guarded.outputs.ready).toBe('false')
    expect(guarded.results.map((r) => [r.outcome, r.ready, r.not_ready_reason])).toEqual([
      ['refreshed', false, 'too_few_contacts'],
      ['refreshed', false, 'contacts_changed']
    ])
    expect(guarded.annotations.map((a) => [a.level, a.properties])).toEqual([
      ['warning', 'title=Segment "Alpha"%3A too few contacts'],
      ['warning', 'title=Segment "Beta"%3A contacts changed']
    ])
    expect(guarded.summary).toContain(
      '&quot;Alpha&quot; has 0 contacts after its recompute, fewer than min-contacts (1): not ready.'
    )
    expect(guarded.summary).toContain(
      '&quot;Beta&quot; went from 1,000 to 3,000 contacts (+200%) in its recompute, more than max-contacts-change-percent (50): not ready.'
    )
    expect(guarded.summary).toContain('⚠️ refreshed')

    // Under fail-unless-ready each guard is an error, and the step fails naming why.
    for (const id of [ids.a, ids.b]) {
      Object.assign(simulator.segments.get(id)!, {
        refreshTimes: [],
        lastRefreshedAt: null,
        sampleUpdatedAt: Date.now() - 6 * 60 * 60_000
      })
    }
    Object.assign(simulator.segments.get(ids.a)!, { contactsCount: 1200 })
    Object.assign(simulator.segments.get(ids.b)!, { contactsCount: 1000 })
    const gated = await runWith({
      'segment-ids': `${ids.a} ${ids.b}`,
      wait: 'true',
      'wait-interval-seconds': '0.05',
      'fail-unless-ready': 'true',
      'min-contacts': '1',
      'max-contacts-change-percent': '50'
    })
    expect(gated.exitCode).toBe(1)
    expect(gated.annotations.map((a) => a.level)).toEqual(['error', 'error', 'error'])
    expect(gated.annotations.at(-1)?.message).toBe(
      '2 of 2 segment(s) not ready to send to (fail-unless-ready): "Alpha" (too few contacts: 0 contacts after its recompute, fewer than min-contacts (1)); "Beta" (contacts changed: +200% contacts in its recompute (1,000 → 3,000), more than max-contacts-change-percent (50)).'
    )
  })

  it('warns of a Single Send more than a day away whose segments it refreshes, and refreshes them', async () => {
    const sendAt = Date.now() + 6.5 * 24 * 60 * 60_000
    simulator.addSingleSend({
      id: '9988e03b-50aa-454a-97d1-e1530345a5e0',
      name: 'Winter sale',
      status: 'scheduled',
      sendAt,
      segmentIds: [ids.a]
    })
    simulator.addSingleSend({
      id: '9988e03b-50aa-454a-97d1-e1530345a5e1',
      name: 'Tomorrow',
      status: 'scheduled',
      sendAt: Date.now() + 23 * 60 * 60_000,
      segmentIds: [ids.b]
    })
    const far = await runWith({ 'single-send-names': 'Winter sale\nTomorrow' })
    expect(far.exitCode).toBe(0)
    expect(far.results.map((r) => r.outcome)).toEqual(['refreshed', 'refreshed'])
    const warnings = far.annotations.filter((a) => a.level === 'warning')
    expect(warnings).toEqual([
      {
        level: 'warning',
        properties: 'title=Single Send more than a day away',
        message: expect.stringMatching(
          /^Single Send "Winter sale" goes out on \d{4}-\d\d-\d\d at \d\d:\d\d UTC, in 6 days, more than 24 hours from now\. SendGrid recomputes its segments on its own at least once a day before then/
        )
      }
    ])
  })

  it('warns, even in a dry run, about a zone without a city', async () => {
    const dry = await runWith({ 'segment-ids': ids.a, 'dry-run': 'true', 'time-zone': 'GMT' })
    expect(dry.exitCode).toBe(0)
    expect(dry.annotations).toEqual([
      {
        level: 'warning',
        properties: 'title=Time zone',
        message:
          'time-zone "GMT" is UTC+00:00 all year, without British Summer Time; for UK time use Europe/London. It is sent to SendGrid as user_time_zone UTC.'
      }
    ])
    const city = await runWith({
      'segment-ids': ids.a,
      'dry-run': 'true',
      'time-zone': 'Europe/London'
    })
    expect(city.annotations).toEqual([])
  })

  it('writes no summary for an unexpected error before any segment is known', async () => {
    jest.spyOn(SendGridClient.prototype, 'getSingleSend').mockImplementation(() => {
      throw new Error('boom')
    })
    const early = await runWith({ 'single-send-ids': 'cafe0000-0000-4000-8000-000000000001' })
    expect(early.exitCode).toBe(1)
    expect(early.annotations.at(-1)?.message).toBe('Unexpected error: boom')
    expect(early.summary).toBe('')
    expect(early.outputs.results).toBe('[]')
  })

  it("says a refused key when listing the account's Single Sends", async () => {
    simulator.inject('singlesends', '', { status: 403, body: '' })
    const { annotations } = await runWith({ 'single-send-names': 'Launch' })
    expect(annotations[0]).toMatchObject({
      properties: 'title=Access refused',
      message:
        "Could not list the account's Single Sends to resolve single-send-names: SendGrid refused access. Refreshing segments needs a Marketing Campaigns Basic or Advanced plan (not the free plan) and an API key with Marketing access (HTTP 403)."
    })
  })

  it('never fails a dry run on readiness: it only checks the inputs', async () => {
    const dry = await runWith({
      'segment-ids': ids.a,
      'dry-run': 'true',
      wait: 'true',
      'fail-unless-ready': 'true'
    })
    expect(dry.exitCode).toBe(0)
    expect(dry.outputs.ready).toBe('false')
    expect(simulator.requests).toHaveLength(0)
  })

  it('counts an accepted refresh in refreshes_used when SendGrid is not read again', async () => {
    const { results, summary } = await runWith({ 'segment-ids': ids.a })
    expect(results[0]).toMatchObject({ outcome: 'refreshed', refreshes_used: 1, ready: false })
    expect(summary).toMatch(/<td>Alpha<\/td><td>🔄 refreshing<\/td><td>3<\/td><td>1 of 2<\/td>/)
  })

  it('says a refused key when reading a Single Send, and spends nothing', async () => {
    const { exitCode, annotations, summary } = await runWith({
      'single-send-ids': 'cafe0000-0000-4000-8000-000000000001',
      'api-key': 'SG.wrong'
    })
    expect(exitCode).toBe(1)
    expect(annotations.map((a) => [a.properties, a.message])).toEqual([
      [
        'title=API key rejected',
        'Could not read Single Send cafe0000-0000-4000-8000-000000000001: SendGrid rejected the API key; it is wrong, expired or revoked. Check the api-key secret (HTTP 401).'
      ],
      ['', 'SendGrid rejected the API key; no segment was refreshed.']
    ])
    expect(summary).toContain('Single Send, by ID')
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
  })

  it('fails before any refresh on unknown names and on a list it cannot read', async () => {
    const unknown = await runWith({ 'segment-ids': ids.b, 'segment-names': 'Alfa' })
    expect(unknown.exitCode).toBe(1)
    // Nothing was refreshed: no segment in results; the summary says what was not found.
    expect(unknown.summary).toContain(
      '<p><strong>Some segment names could not be resolved; no segment was refreshed.</strong></p>'
    )
    expect(unknown.summary).toContain('Did you mean &quot;Alpha&quot;?')
    expect(unknown.summary).toContain('<p>No refresh request was sent, so no budget was spent.</p>')
    expect(unknown.outputs.ready).toBe('false')
    expect(unknown.annotations.map((a) => [a.level, a.properties])).toEqual([
      ['error', 'title=Unknown segment name'],
      ['error', '']
    ])
    expect(unknown.annotations[0].message).toContain('Did you mean "Alpha"?')
    expect(unknown.annotations[1].message).toBe(
      'Some segment names could not be resolved; no segment was refreshed.'
    )
    expect(unknown.outputs.results).toBe('[]')
    expect(unknown.outputs['single-sends']).toBe('[]')
    simulator.inject('list', '', { drop: true })
    const unreadable = await runWith({ 'segment-names': 'Alpha', 'max-retries': '0' })
    expect(unreadable.annotations[0].message).toMatch(/Could not list .*network/)
    simulator.inject('list', '', { status: 200, body: '{"result": []}' })
    const malformed = await runWith({ 'segment-names': 'Alpha' })
    expect(malformed.annotations[0].message).toMatch(/Could not list .*HTTP 200/)
    simulator.inject('list', '', { status: 401, body: '{"errors":[{"message":"bad key"}]}' })
    const refused = await runWith({ 'segment-names': 'Alpha' })
    expect(refused.annotations.map((a) => [a.properties, a.message])).toEqual([
      [
        'title=API key rejected',
        "Could not list the account's segments to resolve segment-names: SendGrid rejected the API key; it is wrong, expired or revoked. Check the api-key secret (HTTP 401)."
      ],
      ['', 'SendGrid rejected the API key; no segment was refreshed.']
    ])
    expect(simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(0)
  })

  it('reports invalid inputs and a dry run without sending anything', async () => {
    const invalid = await runWith({ 'segment-ids': 'nope', wait: '<b>sometimes</b>' })
    expect(invalid.exitCode).toBe(1)
    // Which inputs, what was wrong, and that nothing was sent; outside text stays text.
    expect(invalid.summary).toContain(
      '<p><strong>2 inputs are invalid, so nothing was sent to SendGrid.</strong></p>'
    )
    expect(invalid.summary).toContain('<td><code>segment-ids</code></td><td><code>nope</code></td>')
    expect(invalid.summary).toContain('<code>&lt;b&gt;sometimes&lt;/b&gt;</code>')
    expect(invalid.summary).not.toContain('<b>sometimes')
    expect(invalid.summary).toContain('No request was sent, so no refresh budget was spent.')
    expect(invalid.annotations.map((a) => a.properties)).toEqual([
      'title=Invalid input%3A segment-ids',
      'title=Invalid input%3A wait',
      ''
    ])
    expect(invalid.outputs.results).toBe('[]')
    expect(invalid.outputs['single-sends']).toBe('[]')
    expect(invalid.annotations.map((a) => a.message)).toEqual([
      expect.stringContaining(`'segment-ids' has an invalid value "nope"`),
      expect.stringContaining(`'wait' has an invalid value "<b>sometimes</b>"`),
      '2 input(s) are invalid; nothing was sent to SendGrid.'
    ])
    const dry = await runWith({
      'segment-ids': `${ids.a} ${ids.a}`,
      'segment-names': 'Beta',
      'single-send-ids': 'cafe0000-0000-4000-8000-000000000001',
      'single-send-names': 'Promo',
      'single-sends-within-minutes': '15',
      'dry-run': 'true'
    })
    expect(dry.exitCode).toBe(0)
    expect(dry.summary).toContain('<td>Beta</td><td>segment, by name (resolved on a real run)')
    expect(dry.summary).toContain('<td>Promo</td><td>Single Send, by name')
    expect(dry.summary).toContain('Single Send, by ID (read on a real run)')
    expect(dry.summary).toContain('every Single Send due in the next 15 minutes')
    expect(simulator.requests).toHaveLength(0)
    expect(stdout.split('\n').filter((line) => !line.startsWith('::'))).toEqual([
      `Segment ${ids.a} was given more than once in segment-ids; it is refreshed once.`,
      `Would refresh 2 segment(s) (${ids.a}, "Beta") and the segments of Single Send cafe0000-0000-4000-8000-000000000001, Single Send "Promo", every Single Send scheduled in the next 15 minutes at ${simulator.url} (time zone UTC).`,
      'Dry run: the inputs are valid, and nothing was sent to SendGrid. So nothing was looked up: segment and Single Send names, contact jobs, quotas and freshness are resolved and read by a real run, before any refresh.',
      ''
    ])
  })

  it('says what it refreshes, and what it leaves out as fresh, before it starts', async () => {
    await runWith({
      'segment-ids': ids.a,
      'fresh-within-minutes': '90',
      'time-zone': 'Europe/Berlin'
    })
    expect(stdout.split('\n')[1]).toBe(
      `Refreshing 1 segment(s) (${ids.a}), except what SendGrid recomputed in the last 90 minutes, at ${simulator.url} (time zone Europe/Berlin).`
    )
    await runWith({ 'single-sends-within-minutes': '30' })
    expect(stdout.split('\n')[1]).toBe(
      `Finding the Single Sends, to refresh the segments of every Single Send scheduled in the next 30 minutes at ${simulator.url} (time zone UTC).`
    )
    await runWith({ 'segment-names': 'Alpha', 'single-send-names': 'Nope' })
    expect(stdout.split('\n')[1]).toBe(
      `Finding the segment names and the Single Sends, to refresh 1 segment(s) ("Alpha") and the segments of Single Send "Nope" at ${simulator.url} (time zone UTC).`
    )
  })

  it('warns, and loses nothing else, when the job summary cannot be written', async () => {
    const { exitCode, results, annotations } = await runWith(
      { 'segment-ids': ids.a },
      { summaryFile: false }
    )
    expect(exitCode).toBe(0)
    expect(results[0].outcome).toBe('refreshed')
    expect(annotations[0]).toMatchObject({
      level: 'warning',
      message: expect.stringContaining('Could not write the job summary')
    })
    const dry = await runWith({ 'segment-ids': ids.a, 'dry-run': 'true' }, { summaryFile: false })
    expect(dry.annotations.at(-1)?.message).toContain('Could not write the job summary')
  })

  it('fails the step, with a clear message, when the outputs cannot be written', async () => {
    process.env.GITHUB_OUTPUT = join(workDir, 'no-such-dir', 'output')
    for (const [name, spec] of Object.entries(declaredInputs))
      process.env[inputVariable(name)] = inputDefault(spec)
    process.env[inputVariable('api-key')] = demoApiKey
    process.env[inputVariable('segment-ids')] = ids.a
    process.env[inputVariable('dry-run')] = 'true'
    await run()
    expect(process.exitCode).toBe(1)
    expect(annotationsIn(stdout).at(-1)?.message).toMatch(/^Unexpected error: .*no-such-dir/)
  })
})
