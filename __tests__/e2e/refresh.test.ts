// End to end: the committed dist/index.js, spawned as the runner spawns it, against the local
// SendGrid simulator on loopback.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { startRefusingProxy } from '../support/refusing-proxy.js'
import { demoApiKey, freePlanApiKey, startSimulator } from '../../tools/simulator/index.js'
import { runtimes } from '../../tools/runtimes.js'

const ids = {
  a: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  b: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  c: '3788e03b-50aa-454a-97d1-e1530345a5ee',
  missing: '4888e03b-50aa-454a-97d1-e1530345a5ef'
}

type Simulator = Awaited<ReturnType<typeof startSimulator>>

describe.each(runtimes)('the built action on $name', ({ node }) => {
  let simulator: Simulator

  beforeEach(async () => {
    simulator = await startSimulator({
      segments: [
        { id: ids.a, name: 'Spring sale' },
        { id: ids.b, name: 'VIP customers' },
        { id: ids.c, name: 'Churn risk' }
      ]
    })
  })
  afterEach(async () => {
    await simulator.close()
  })

  const run = (inputs: Record<string, string>, timeoutMs?: number) =>
    runAction(
      { 'api-key': demoApiKey, 'api-url': simulator.url, 'check-quota': 'false', ...inputs },
      { node, timeoutMs }
    )

  const results = (outputs: Record<string, string>) =>
    JSON.parse(outputs.results) as Array<Record<string, unknown>>

  it('refreshes one segment and sets every output', async () => {
    const { exitCode, outputs, summary, stdout } = await run({
      'segment-ids': ids.a,
      'time-zone': 'America/Chicago'
    })

    expect(exitCode).toBe(0)
    const [request] = simulator.requestsFor('refresh', ids.a)
    expect(JSON.parse(request.body)).toEqual({ user_time_zone: 'America/Chicago' })
    expect(request.headers.authorization).toBe(`Bearer ${demoApiKey}`)
    expect(request.headers.accept).toBe('application/json')
    expect(request.headers['content-type']).toBe('application/json')
    expect(request.headers['user-agent']).toMatch(/^refresh-segment-action\/\d+\.\d+\.\d+$/)
    expect(request.headers['on-behalf-of']).toBeUndefined()

    const [result] = results(outputs)
    expect(result).toMatchObject({ segment_id: ids.a, outcome: 'refreshed', http_status: 202 })
    expect(result.job_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(outputs['job-id']).toBe(result.job_id)
    expect(JSON.parse(outputs['job-ids'])).toEqual({ [ids.a]: result.job_id })
    expect(JSON.parse(outputs.refreshed)).toEqual([ids.a])
    expect(JSON.parse(outputs['rate-limited'])).toEqual([])
    expect(JSON.parse(outputs.failed)).toEqual([])
    expect(summary).toContain(ids.a)
    expect(summary).toContain(String(result.job_id))
    expect(summary).toContain('America/Chicago')
    expect(summary).toMatch(/1 refreshed, 0 fresh, 0 rate-limited, 0 failed/)
    expect(summary).toContain('<th>Audience</th><th>Outcome</th><th>Contacts</th>')
    expect(annotationsIn(stdout)).toEqual([])
  })

  it('refreshes many segments concurrently, once each, keeping the input order', async () => {
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': `${ids.c}, ${ids.a}\n${ids.b} ${ids.c.toUpperCase()},${ids.a}`
    })

    expect(exitCode).toBe(0)
    expect(results(outputs).map((r) => r.segment_id)).toEqual([ids.c, ids.a, ids.b])
    for (const id of [ids.a, ids.b, ids.c])
      expect(simulator.requestsFor('refresh', id)).toHaveLength(1)
    expect(Object.keys(JSON.parse(outputs['job-ids']))).toHaveLength(3)
    expect(outputs['job-id']).toBe(JSON.parse(outputs['job-ids'])[ids.c])
    expect(stdout).toContain(
      `Segment ${ids.c} was given more than once in segment-ids; it is refreshed once.`
    )
    expect(stdout).toContain(
      `Segment ${ids.a} was given more than once in segment-ids; it is refreshed once.`
    )
  })

  it('sends all refreshes before any answer arrives', async () => {
    // Each answer takes 2 s: one refresh after another would put 2 s between them.
    simulator.inject('refresh', ids.a, { delayMs: 2000 })
    simulator.inject('refresh', ids.b, { delayMs: 2000 })
    await run({ 'segment-ids': `${ids.a} ${ids.b}` })
    const [first, second] = simulator.requests.filter((r) => r.method === 'POST')
    expect(Math.abs(first.at - second.at)).toBeLessThan(2000)
  })

  it('explains each failing status and still reports the other segments', async () => {
    simulator.inject('refresh', ids.a, {
      status: 400,
      body: JSON.stringify({ errors: [{ field: 'user_time_zone', message: 'is not valid' }] })
    })
    simulator.inject('refresh', ids.b, {
      status: 418,
      body: '<html><title>I am a teapot</title></html>'
    })
    const { exitCode, outputs, stdout } = await run({
      'segment-ids': `${ids.a} ${ids.missing} ${ids.b} ${ids.c}`
    })

    expect(exitCode).toBe(1)
    const byId = Object.fromEntries(results(outputs).map((r) => [r.segment_id, r]))
    expect(byId[ids.a]).toMatchObject({ outcome: 'failed', http_status: 400, job_id: null })
    expect(byId[ids.a].message).toContain('user_time_zone: is not valid')
    expect(byId[ids.missing]).toMatchObject({ outcome: 'failed', http_status: 404 })
    expect(byId[ids.missing].message).toMatch(/does not exist.*Segment does not exist\./)
    expect(byId[ids.b]).toMatchObject({ outcome: 'failed', http_status: 418 })
    expect(byId[ids.b].message).toContain('an HTML page titled "I am a teapot"')
    expect(byId[ids.c]).toMatchObject({ outcome: 'refreshed', http_status: 202 })
    expect(JSON.parse(outputs.failed)).toEqual([ids.a, ids.missing, ids.b])
    expect(JSON.parse(outputs.refreshed)).toEqual([ids.c])

    const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
    expect(errors.map((e) => e.message).join('\n')).toContain('HTTP 404')
    expect(errors.at(-1)?.message).toContain('3 of 4 segment(s) failed')
    expect(stdout).not.toMatch(/\n\s+at .*\(/) // no stack trace
  })

  it('explains a rejected key (401) without printing it', async () => {
    const { exitCode, outputs, stdout, stderr } = await run({
      'api-key': 'SG.wrong-key-do-not-print',
      'segment-ids': ids.a
    })
    expect(exitCode).toBe(1)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'failed', http_status: 401 })
    expect(results(outputs)[0].message).toMatch(
      /API key.*wrong, expired or revoked.*authorization grant is invalid/
    )
    const printed = (stdout + stderr).split('\n').filter((line) => !line.startsWith('::add-mask::'))
    expect(printed.join('\n')).not.toContain('SG.wrong-key-do-not-print')
    expect(stdout).toContain('::add-mask::SG.wrong-key-do-not-print')
  })

  it.each<[string, { forbiddenBodies?: boolean }]>([
    ['an empty body', {}],
    ['a JSON body', { forbiddenBodies: true }]
  ])('explains a free plan (403 with %s)', async (_label, options) => {
    await simulator.close()
    simulator = await startSimulator({ segments: [{ id: ids.a }], ...options })
    const { exitCode, outputs } = await run({ 'api-key': freePlanApiKey, 'segment-ids': ids.a })
    expect(exitCode).toBe(1)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'failed', http_status: 403 })
    expect(results(outputs)[0].message).toMatch(/Marketing Campaigns Basic or Advanced plan/)
    if (options.forbiddenBodies)
      expect(results(outputs)[0].message).toContain('SendGrid said: access forbidden')
  })

  it('retries a 5xx and succeeds', async () => {
    simulator.inject('refresh', ids.a, { status: 503, body: JSON.stringify({ error: 'busy' }) })
    const { exitCode, outputs, stdout } = await run({ 'segment-ids': ids.a })
    expect(exitCode).toBe(0)
    expect(simulator.requestsFor('refresh', ids.a)).toHaveLength(2)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'refreshed', http_status: 202 })
    expect(stdout).toMatch(/got HTTP 503; retry 1 of 2/)
  })

  it('gives up after 1 + max-retries attempts when the 5xx persists', async () => {
    const error = { status: 500, body: JSON.stringify({ error: 'Please check our status page' }) }
    simulator.inject('refresh', ids.a, error, error, error, error)
    const { exitCode, outputs } = await run({ 'segment-ids': ids.a, 'max-retries': '2' })
    expect(exitCode).toBe(1)
    expect(simulator.requestsFor('refresh', ids.a)).toHaveLength(3)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'failed', http_status: 500 })
    expect(results(outputs)[0].message).toMatch(
      /server error.*3 attempts.*Please check our status page/
    )
  })

  it('never retries a 4xx', async () => {
    simulator.inject('refresh', ids.a, { status: 429, body: '' })
    await run({ 'segment-ids': ids.a, 'max-retries': '3' })
    expect(simulator.requestsFor('refresh', ids.a)).toHaveLength(1)
  })

  it('bounds a server that never answers by timeout-seconds', async () => {
    simulator.inject('refresh', ids.a, { hang: true })
    const { exitCode, outputs, durationMs } = await run(
      { 'segment-ids': `${ids.a} ${ids.b}`, 'timeout-seconds': '1', 'max-retries': '0' },
      15_000
    )
    expect(exitCode).toBe(1)
    expect(durationMs).toBeLessThan(8000)
    const [hung, answered] = results(outputs)
    expect(hung).toMatchObject({ outcome: 'failed', http_status: null })
    expect(hung.message).toMatch(/did not answer in time.*1 s/)
    expect(answered).toMatchObject({ outcome: 'refreshed' })
  })

  it('reads the segment after a dropped refresh, and sends it again only when SendGrid did not accept it', async () => {
    simulator.inject('refresh', ids.a, { drop: true }, { status: 429, body: '' })
    simulator.inject('refresh', ids.b, { drop: true })
    const { exitCode, outputs } = await run({ 'segment-ids': `${ids.a} ${ids.b}` })
    expect(exitCode).toBe(0)
    const [limited, refreshed] = results(outputs)
    expect(limited).toMatchObject({ outcome: 'rate_limited', http_status: 429 })
    expect(limited.message).toContain(
      'After the lost attempt, reading the segment showed SendGrid had not accepted it.'
    )
    expect(limited.message).not.toContain('may already have accepted')
    expect(simulator.requests.filter((r) => r.path.endsWith(ids.a)).map((r) => r.method)).toEqual([
      'POST',
      'GET',
      'POST',
      'GET'
    ])
    expect(refreshed).toMatchObject({ outcome: 'refreshed', http_status: 202 })
    expect(simulator.requestsFor('refresh', ids.b)).toHaveLength(2)
  })

  it('fails a connection that keeps dropping, naming the host', async () => {
    simulator.inject('refresh', ids.a, { drop: true }, { drop: true })
    const { exitCode, outputs } = await run({ 'segment-ids': ids.a, 'max-retries': '1' })
    expect(exitCode).toBe(1)
    expect(results(outputs)[0]).toMatchObject({ outcome: 'failed', http_status: null })
    expect(results(outputs)[0].message).toContain(
      `could not reach SendGrid at ${new URL(simulator.url).host}`
    )
  })

  it.each([
    ['no job_id', '{}'],
    ['not JSON', 'accepted'],
    ['empty', '']
  ])('counts a 202 with %s as refreshed, with a warning', async (_label, body) => {
    simulator.inject('refresh', ids.a, { status: 202, body })
    const { exitCode, outputs, stdout } = await run({ 'segment-ids': ids.a })
    expect(exitCode).toBe(0)
    expect(results(outputs)[0]).toMatchObject({
      outcome: 'refreshed',
      http_status: 202,
      job_id: null
    })
    expect(outputs['job-id']).toBe('')
    expect(JSON.parse(outputs['job-ids'])).toEqual({})
    expect(JSON.parse(outputs.refreshed)).toEqual([ids.a])
    const [warning] = annotationsIn(stdout)
    expect(warning).toMatchObject({ level: 'warning' })
    expect(warning.message).toContain('no job ID')
  })

  it('sends nothing in a dry run', async () => {
    const { exitCode, outputs, stdout, summary } = await run({
      'segment-ids': `${ids.a} ${ids.b}`,
      'dry-run': 'TRUE'
    })
    expect(exitCode).toBe(0)
    expect(simulator.requests).toHaveLength(0)
    expect(stdout).toContain(`Would refresh 2 segment(s)`)
    expect(JSON.parse(outputs.results)).toEqual([])
    expect(summary).toContain('dry run')
    expect(summary).toContain(ids.b)
  })

  it('acts for a subuser with On-Behalf-Of', async () => {
    await run({ 'segment-ids': ids.a, 'on-behalf-of': 'emea-marketing' })
    expect(simulator.requestsFor('refresh', ids.a)[0].headers['on-behalf-of']).toBe(
      'emea-marketing'
    )
  })

  describe('a refresh limit (429)', () => {
    it('warns by default, naming the limits and the reset time', async () => {
      await run({ 'segment-ids': ids.a })
      const { exitCode, outputs, stdout } = await run({ 'segment-ids': ids.a })
      expect(exitCode).toBe(0)
      expect(results(outputs)[0]).toMatchObject({
        outcome: 'rate_limited',
        http_status: 429,
        job_id: null
      })
      expect(JSON.parse(outputs['rate-limited'])).toEqual([ids.a])
      const [warning] = annotationsIn(stdout)
      expect(warning.level).toBe('warning')
      expect(warning.message).toContain(ids.a)
      expect(warning.message).toContain(
        '1 manual refresh per segment per hour, 2 per segment per day and 10 per account per day'
      )
      expect(warning.message).toMatch(
        /The limit resets (tomorrow )?at \d\d:\d\d UTC, in (\d+ minutes|1 h)/
      )
    })

    it('fails the step with on-rate-limit: fail, after setting the outputs', async () => {
      simulator.inject('refresh', ids.a, { status: 429, body: '' })
      const { exitCode, outputs, stdout } = await run({
        'segment-ids': `${ids.a} ${ids.b}`,
        'on-rate-limit': 'fail'
      })
      expect(exitCode).toBe(1)
      expect(JSON.parse(outputs['rate-limited'])).toEqual([ids.a])
      expect(JSON.parse(outputs.refreshed)).toEqual([ids.b])
      const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
      expect(errors[0].message).toContain('refresh limit was reached')
      expect(errors.at(-1)?.message).toContain('on-rate-limit: fail')
    })
  })

  it('rejects bad inputs before sending anything, naming input and value', async () => {
    const { exitCode, stdout, outputs } = await run({
      'segment-ids': `${ids.a} not-a-uuid`,
      'time-zone': 'Mars/Olympus',
      'on-rate-limit': 'explode',
      'timeout-seconds': 'soon'
    })
    expect(exitCode).toBe(1)
    expect(simulator.requests).toHaveLength(0)
    const messages = annotationsIn(stdout).map((a) => a.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`'segment-ids' has an invalid value "not-a-uuid"`),
        expect.stringContaining(`'time-zone' has an invalid value "Mars/Olympus"`),
        expect.stringContaining(`'on-rate-limit' has an invalid value "explode"`),
        expect.stringContaining(`'timeout-seconds' has an invalid value "soon"`)
      ])
    )
    expect(JSON.parse(outputs.results)).toEqual([])
    expect(outputs['job-id']).toBe('')
  })

  it('never prints the key, in any log level, in any outcome', async () => {
    simulator.inject('refresh', ids.b, {
      status: 500,
      body: JSON.stringify({ error: `echo ${demoApiKey}` })
    })
    const { stdout, stderr, outputs, summary } = await run(
      { 'segment-ids': `${ids.a} ${ids.b} ${ids.missing}`, 'max-retries': '0' },
      undefined
    )
    const withDebug = await runAction(
      { 'api-key': demoApiKey, 'api-url': simulator.url, 'segment-ids': ids.c },
      { node, env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } }
    )
    expect(withDebug.stdout).toContain('::debug::')
    for (const text of [stdout, stderr, withDebug.stdout, withDebug.stderr]) {
      const lines = text.split('\n').filter((line) => line !== `::add-mask::${demoApiKey}`)
      expect(lines.join('\n')).not.toContain(demoApiKey)
    }
    expect(JSON.stringify(outputs) + summary).not.toContain(demoApiKey)
  })
})

describe.each(runtimes)('the built action behind a proxy, on $name', ({ node }) => {
  it("goes through the runner's https_proxy without showing the key to the proxy", async () => {
    const proxy = await startRefusingProxy()
    const { connects } = proxy
    try {
      const { exitCode, outputs } = await runAction(
        {
          'api-key': demoApiKey,
          'api-url': 'https://api.sendgrid.invalid',
          'segment-ids': ids.a,
          'check-quota': 'false',
          'max-retries': '0'
        },
        { node, env: { https_proxy: proxy.url } }
      )
      expect(exitCode).toBe(1)
      expect(connects).toEqual([
        { target: 'api.sendgrid.invalid:443', headers: expect.any(String) }
      ])
      expect(connects[0].headers).not.toContain(demoApiKey)
      expect(JSON.parse(outputs.results)[0]).toMatchObject({ outcome: 'failed', http_status: null })
    } finally {
      await proxy.close()
    }
  })
})
