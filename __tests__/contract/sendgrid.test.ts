// Contract tests: an independent checker holds both sides to SendGrid's official OpenAPI file.
// The built action talks to Stoplight Prism in validating proxy mode (`prism proxy --errors`),
// which forwards to the local simulator. Prism checks every request the action sends (path, UUID,
// bearer auth, body) and every answer the simulator gives; a recorder in between keeps Prism's
// verdicts, and any violation fails the test with Prism's own message.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import {
  checkableSpecPath,
  contactsSpecPath,
  singleSendsSpecPath,
  startPrism,
  startRecorder,
  specPath
} from '../support/prism.js'
import { runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, freePlanApiKey, startSimulator } from '../../tools/simulator/index.js'
import { runLiveCheck } from '../support/live-check.js'

type Exchange = Awaited<ReturnType<typeof startRecorder>>['exchanges'][number]

/** The official file's example answer to a refresh. */
const officialExampleJobId = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const ids = {
  a: 'a1b2c3d4-0000-4000-8000-000000000001',
  b: 'a1b2c3d4-0000-4000-8000-000000000002',
  missing: 'a1b2c3d4-0000-4000-8000-00000000dead'
}

function describeViolations(exchanges: Exchange[]): string[] {
  return exchanges.flatMap((e) =>
    e.violations.map(
      (v) =>
        `${e.method} ${e.path} -> ${e.status}: [${v.severity}] ${v.location.join('.')}: ${v.message}`
    )
  )
}

function expectNoViolations(exchanges: Exchange[]): void {
  const found = describeViolations(exchanges)
  if (found.length > 0) throw new Error(`Prism found contract violations:\n${found.join('\n')}`)
  expect(exchanges.length).toBeGreaterThan(0)
}

describe('the built action against the official OpenAPI file, through prism proxy --errors', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>
  let prism: Awaited<ReturnType<typeof startPrism>>
  let singleSendsPrism: Awaited<ReturnType<typeof startPrism>>
  let contactsPrism: Awaited<ReturnType<typeof startPrism>>
  let lenientContactsPrism: Awaited<ReturnType<typeof startPrism>>
  let recorder: Awaited<ReturnType<typeof startRecorder>>

  beforeAll(async () => {
    // Pages of two Single Sends, so paging is held to the contract too.
    simulator = await startSimulator({
      refreshDelayMs: 300,
      accountDailyLimit: 1000,
      maxPageSize: 2
    })
    ;[prism, singleSendsPrism, contactsPrism, lenientContactsPrism] = await Promise.all([
      startPrism(['proxy', '--errors', checkableSpecPath(), simulator.url]),
      startPrism(['proxy', '--errors', singleSendsSpecPath, simulator.url]),
      startPrism(['proxy', '--errors', contactsSpecPath, simulator.url]),
      startPrism(['proxy', contactsSpecPath, simulator.url])
    ])
    // Each endpoint goes through the Prism of its file. The segment list goes around Prism: its
    // official 200 schema is wrong (it describes one flat segment, not SendGrid's
    // {"results": [...]}). The test "flags the list schema" below shows it.
    // The deletion of contacts (the live check's clean-up) goes through a Prism without --errors:
    // the file types its answer's job_id as an object, against its own description ("The deletion
    // job ID") and every other job answer in the file, which give a string, as SendGrid's docs do.
    // With --errors Prism would turn that answer into a 500; this way it checks the request and
    // only reports the answer.
    recorder = await startRecorder(prism.url, (method, path) =>
      method === 'GET' && path === '/v3/marketing/segments/2.0'
        ? simulator.url
        : method === 'DELETE' && path.startsWith('/v3/marketing/contacts?')
          ? lenientContactsPrism.url
          : path.startsWith('/v3/marketing/singlesends')
            ? singleSendsPrism.url
            : path.startsWith('/v3/marketing/contacts')
              ? contactsPrism.url
              : prism.url
    )
  }, 90_000)
  afterAll(async () => {
    await recorder?.close()
    await Promise.all([
      prism?.close(),
      singleSendsPrism?.close(),
      contactsPrism?.close(),
      lenientContactsPrism?.close()
    ])
    await simulator?.close()
  })
  beforeEach(() => {
    recorder.exchanges.length = 0
    simulator.segments.clear()
    simulator.addSegment({ id: ids.a, name: 'Contract A', contactsCount: 10 })
    simulator.addSegment({ id: ids.b, name: 'Contract, B', contactsCount: 20 })
    simulator.singleSends.clear()
    simulator.contactJobs.clear()
  })

  describe.each(runtimes)('on $name', ({ node }) => {
    const run = (inputs: Record<string, string>) =>
      runAction({ 'api-key': demoApiKey, 'api-url': recorder.url, ...inputs }, { node })

    it('refreshes, reads, resolves names and waits within the contract', async () => {
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': ids.a,
        'segment-names': 'Contract, B',
        'time-zone': 'America/Chicago',
        'on-behalf-of': 'emea-marketing',
        wait: 'true',
        'wait-interval-seconds': '0.2',
        // Bounded, so a broken answer ends the run and the test reports Prism's words.
        'wait-timeout-seconds': '5',
        'max-retries': '0'
      })
      expectNoViolations(recorder.exchanges)
      expect({ exitCode, stdout }).toMatchObject({ exitCode: 0 })
      expect(JSON.parse(outputs.refreshed)).toEqual([ids.a, ids.b])
      const kinds = new Set(
        recorder.exchanges.map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/, '{id}')}`)
      )
      expect(kinds).toEqual(
        new Set([
          'GET /v3/marketing/segments/2.0',
          'GET /v3/marketing/segments/2.0/{id}?contacts_sample=false',
          'POST /v3/marketing/segments/2.0/refresh/{id}'
        ])
      )
    })

    it('finds Single Sends by ID, by name and by send time, across pages, within the contract', async () => {
      const soon = Date.now() + 10 * 60_000
      const campaign = (n: number) => `c0ffee00-0000-4000-8000-00000000000${n}`
      simulator.addSingleSend({ id: campaign(1), name: 'By ID', segmentIds: [ids.a] })
      simulator.addSingleSend({ id: campaign(2), name: 'Lists only', listIds: [campaign(9)] })
      simulator.addSingleSend({
        id: campaign(3),
        name: 'By name',
        status: 'scheduled',
        sendAt: soon + 60 * 60_000,
        segmentIds: [ids.b]
      })
      simulator.addSingleSend({
        id: campaign(4),
        name: 'Due soon',
        status: 'scheduled',
        sendAt: soon,
        segmentIds: [ids.a, ids.b]
      })
      simulator.addSingleSend({
        id: campaign(6),
        name: 'Next month',
        status: 'scheduled',
        sendAt: soon + 30 * 86_400_000,
        segmentIds: [ids.a]
      })
      simulator.addSingleSend({
        id: campaign(5),
        name: 'Gone',
        status: 'triggered',
        sendAt: soon - 3_600_000,
        segmentIds: [ids.a]
      })
      const { exitCode, outputs, stdout } = await run({
        'single-send-ids': campaign(1),
        'single-send-names': 'By name',
        'single-sends-within-minutes': '30',
        'max-retries': '0'
      })
      expectNoViolations(recorder.exchanges)
      expect({ exitCode, stdout }).toMatchObject({ exitCode: 0 })
      expect(JSON.parse(outputs.refreshed)).toEqual([ids.a, ids.b])
      const paths = recorder.exchanges.map((e) => `${e.method} ${e.path}`)
      expect(paths).toEqual(
        expect.arrayContaining([
          'GET /v3/marketing/singlesends?page_size=100',
          'GET /v3/marketing/singlesends?page_size=100&page_token=offset-2',
          'GET /v3/marketing/singlesends?page_size=100&page_token=offset-4',
          'POST /v3/marketing/singlesends/search?page_size=100',
          'POST /v3/marketing/singlesends/search?page_size=100&page_token=offset-2',
          `GET /v3/marketing/singlesends/${campaign(1)}`,
          `GET /v3/marketing/singlesends/${campaign(3)}`,
          `GET /v3/marketing/singlesends/${campaign(4)}`
        ])
      )
    })

    it('reads contact jobs, pending, finished, errored and unknown, within the contract', async () => {
      const job = (n: number) => `c0ffee00-0000-4000-8000-0000000000a${n}`
      // Pending until the action has read it so, however slowly it started.
      const firstRead = simulator.nextRequest('contact-job', job(1))
      const pending = simulator.addContactJob({ id: job(1), finishesAt: Date.now() + 60_000 })
      simulator.addContactJob({ id: job(2), status: 'errored', erroredCount: 3 })
      simulator.addContactJob({ id: job(3), jobType: 'delete' })
      const running = run({
        'segment-ids': ids.a,
        'contact-job-ids': `${job(1)} ${job(2)} ${job(3)}`,
        'wait-interval-seconds': '0.2',
        'max-retries': '0'
      })
      await firstRead
      pending.finishesAt = Date.now()
      const landed = await running
      const unknown = await run({
        'segment-ids': ids.a,
        'contact-job-ids': job(9),
        'max-retries': '0'
      })
      expectNoViolations(recorder.exchanges)
      expect({ exitCode: landed.exitCode, stdout: landed.stdout }).toMatchObject({ exitCode: 0 })
      expect(unknown.exitCode).toBe(1)
      const jobReads = recorder.exchanges.filter((e) => e.path.includes('/contacts/imports/'))
      expect(new Set(jobReads.map((e) => e.status))).toEqual(new Set([200, 404]))
      expect(jobReads.filter((e) => e.path.endsWith(job(1))).length).toBeGreaterThan(1)
    })

    it('gets a declared 404 for an unknown Single Send', async () => {
      const { exitCode } = await run({ 'single-send-ids': 'c0ffee00-0000-4000-8000-00000000dead' })
      expectNoViolations(recorder.exchanges)
      expect(exitCode).toBe(1)
      expect(recorder.exchanges.map((e) => e.status)).toEqual([404])
    })

    it('gets declared answers for a missing segment (404), a free plan (403), a limit (429) and a fault (500)', async () => {
      simulator.inject('refresh', ids.b, {
        status: 500,
        body: JSON.stringify({ error: 'Please check our status page' })
      })
      const first = await run({
        'segment-ids': `${ids.a} ${ids.missing} ${ids.b}`,
        'check-quota': 'false',
        'max-retries': '0'
      })
      const limited = await run({ 'segment-ids': ids.a, 'check-quota': 'false' })
      // SendGrid documents an empty 403 body, or {"errors": [...]}; the official file declares no body,
      // and the simulator follows the file.
      const forbidden = await runAction(
        {
          'api-key': freePlanApiKey,
          'api-url': recorder.url,
          'segment-ids': ids.a,
          'check-quota': 'false'
        },
        { node }
      )
      expectNoViolations(recorder.exchanges)
      expect(
        JSON.parse(first.outputs.results).map((r: { http_status: number }) => r.http_status)
      ).toEqual([202, 404, 500])
      expect(JSON.parse(limited.outputs.results)[0]).toMatchObject({
        outcome: 'rate_limited',
        http_status: 429
      })
      expect(JSON.parse(forbidden.outputs.results)[0]).toMatchObject({
        outcome: 'failed',
        http_status: 403
      })
    })

    it('meets the two answers the official file leaves out, as SendGrid documents them', async () => {
      // The file declares no 401 for any endpoint and no 404 for reading a segment, yet SendGrid
      // answers 401 to a revoked key and 404 to an unknown ID. We follow SendGrid's behaviour; Prism
      // reports each as a warning, and nothing else may be reported.
      await runAction(
        {
          'api-key': 'SG.revoked',
          'api-url': recorder.url,
          'segment-ids': ids.a,
          'check-quota': 'false'
        },
        { node }
      )
      await run({ 'segment-ids': ids.missing })
      expect(describeViolations(recorder.exchanges)).toEqual([
        `POST /v3/marketing/segments/2.0/refresh/${ids.a} -> 401: [Warning] response: Unable to match the returned status code with those defined in the document: 202,403,404,429,500`,
        `GET /v3/marketing/segments/2.0/${ids.missing}?contacts_sample=false -> 404: [Warning] response: Unable to match the returned status code with those defined in the document: 200,400,500`
      ])
    })
  })

  it('holds every request of npm run live-check to the segments and contacts files', async () => {
    const run = await runLiveCheck(['--spend-one-refresh', '--api-url', recorder.url])
    // The contact deletion's request meets the file; its answer has the string job_id (see above).
    const deletion = (e: Exchange) =>
      e.method === 'DELETE' && e.path.startsWith('/v3/marketing/contacts?')
    expect(describeViolations(recorder.exchanges.filter(deletion))).toEqual([
      expect.stringMatching(
        /-> 202: \[Error\] response\.body\.job_id: Response body property job_id must be object$/
      )
    ])
    expectNoViolations(recorder.exchanges.filter((e) => !deletion(e)))
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(recorder.exchanges.map((e) => `${e.method} ${e.path.replace(/[?].*/, '')}`)).toEqual(
      expect.arrayContaining([
        'POST /v3/marketing/segments/2.0',
        'PUT /v3/marketing/contacts',
        expect.stringMatching(/^POST \/v3\/marketing\/segments\/2\.0\/refresh\//),
        'POST /v3/marketing/contacts/search/emails',
        'DELETE /v3/marketing/contacts',
        expect.stringMatching(/^DELETE \/v3\/marketing\/segments\/2\.0\/[0-9a-f-]{36}$/)
      ])
    )
  }, 60_000)

  it("flags the list schema, which is why names are resolved from SendGrid's documented shape", async () => {
    const prismRecorder = await startRecorder(prism.url)
    try {
      await runAction({
        'api-key': demoApiKey,
        'api-url': prismRecorder.url,
        'segment-names': 'Contract A',
        'max-retries': '0'
      })
      const [list] = prismRecorder.exchanges
      expect(list).toMatchObject({ method: 'GET', path: '/v3/marketing/segments/2.0', status: 500 })
      expect(list.violations.map((v) => v.message)).toContain(
        "Response body must have required property 'id'"
      )
    } finally {
      await prismRecorder.close()
    }
  })

  it('catches an answer of the simulator that breaks the contract', async () => {
    // A guard on the guard for answers: a segment read missing required fields must be flagged.
    simulator.inject('get', ids.a, { status: 200, body: JSON.stringify({ id: ids.a }) })
    await runAction({
      'api-key': demoApiKey,
      'api-url': recorder.url,
      'segment-ids': ids.a,
      'max-retries': '0'
    })
    expect(describeViolations(recorder.exchanges)).toContainEqual(
      expect.stringContaining(
        "[Error] response.body: Response body must have required property 'contacts_sample'"
      )
    )
  })

  it('needs the checkable copy: with the unmodified file Prism leaves segment reads unchecked', async () => {
    // When this starts failing, Prism (or SendGrid's file) has been fixed: drop checkableSpecPath().
    const strict = await startPrism(['proxy', '--errors', specPath, simulator.url])
    try {
      simulator.inject('get', ids.a, { status: 200, body: JSON.stringify({ id: ids.a }) })
      const response = await fetch(
        `${strict.url}/v3/marketing/segments/2.0/${ids.a}?contacts_sample=false`,
        {
          headers: { Authorization: `Bearer ${demoApiKey}`, Accept: 'application/json' }
        }
      )
      expect(response.status).toBe(200)
      expect(response.headers.get('sl-violations')).toBeNull()
    } finally {
      await strict.close()
    }
  })

  it('is rejected by Prism when a request breaks the contract', async () => {
    // A guard on the guard: a refresh without the required body must come back as Prism's 422.
    const response = await fetch(`${prism.url}/v3/marketing/segments/2.0/refresh/${ids.a}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${demoApiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ time_zone: 'UTC' })
    })
    expect(response.status).toBe(422)
    expect(JSON.stringify(await response.json())).toContain(
      "must have required property 'user_time_zone'"
    )
  })
})

describe('the vendored OpenAPI files', () => {
  it.each([[specPath], [singleSendsSpecPath], [contactsSpecPath]])(
    '%s is the unmodified official copy SOURCE.md names',
    (path) => {
      const name = basename(path)
      const recorded = new RegExp(`\\| \`${name}\` +\\|.*\\| \`([0-9a-f]{64})\` +\\|`).exec(
        readFileSync(join(dirname(path), 'SOURCE.md'), 'utf8')
      )?.[1]
      expect(recorded).toMatch(/^[0-9a-f]{64}$/)
      expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(recorded)
    }
  )
})

describe('the built action against prism mock (the official file alone)', () => {
  let mock: Awaited<ReturnType<typeof startPrism>>
  beforeAll(async () => {
    mock = await startPrism(['mock', specPath])
  }, 90_000)
  afterAll(async () => {
    await mock?.close()
  })

  it.each(runtimes)('gets the official example job ID on $name', async ({ node }) => {
    const { exitCode, outputs } = await runAction(
      {
        'api-key': 'SG.any-key',
        'api-url': mock.url,
        'segment-ids': ids.a,
        'check-quota': 'false'
      },
      { node }
    )
    expect(exitCode).toBe(0)
    expect(outputs['job-id']).toBe(officialExampleJobId)
    expect(JSON.parse(outputs['job-ids'])).toEqual({ [ids.a]: officialExampleJobId })
  })
})
