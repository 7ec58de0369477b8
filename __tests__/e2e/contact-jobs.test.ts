// End to end, the built bundle against the simulator: contacts first. No segment is read or
// refreshed before the contact jobs the pipeline started have finished and settled; a job that did
// not land stops every refresh; freshness counts only recomputes after the contacts landed.
import { afterEach, describe, expect, it } from '@jest/globals'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { wallClock } from '../support/wall-clock.js'

const seg = {
  vip: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  spring: '2688e03b-50aa-454a-97d1-e1530345a5ed'
}
const job = {
  upsert: '5c2ab5d1-84f2-4b77-9a2c-1f0e1a2b3c4d',
  import: '6d3bc6e2-95a3-4c88-8b3d-2a1f2b3c4d5e',
  unknown: '7e4cd7f3-a6b4-4d99-9c4e-3b2a3c4d5e6f'
}
const minuteMs = 60_000
type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Entry = Record<string, unknown>

describe.each(runtimes)('Contact jobs, built action on $name', ({ node }) => {
  let simulator: Simulator
  afterEach(async () => simulator?.close())

  const start = async (options: Parameters<typeof startSimulator>[0] = {}) => {
    simulator = await startSimulator({
      segments: [
        {
          id: seg.vip,
          name: 'VIP customers',
          contactsCount: 1200,
          contactsCountAfterRefresh: 1237
        },
        { id: seg.spring, name: 'Spring sale' }
      ],
      ...options
    })
  }
  const run = (inputs: Record<string, string>) =>
    runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': `${seg.vip} ${seg.spring}`,
        'wait-interval-seconds': '0.2',
        'wait-timeout-seconds': '10',
        ...inputs
      },
      { node }
    )
  const parse = (text: string) => JSON.parse(text) as Entry[]
  const kindOf = (r: { method: string; path: string }) =>
    r.path.includes('/contacts/imports/')
      ? 'job'
      : r.path.includes('/refresh/')
        ? 'refresh'
        : r.method === 'GET'
          ? 'read'
          : 'other'
  const firstAt = (kind: string) => simulator.requests.find((r) => kindOf(r) === kind)?.at ?? NaN

  it('reads a pending job until it has finished, and sends no segment request before', async () => {
    // The job finishes 1.5 s after the action first read it pending, however slowly it started.
    await start({
      contactJobs: [
        {
          id: job.upsert,
          finishesAt: Date.now() + 60_000,
          requestedCount: 1200,
          erroredCount: 37,
          status: 'errored'
        }
      ]
    })
    const firstRead = simulator.nextRequest('contact-job', job.upsert)
    const running = run({ 'contact-job-ids': job.upsert, 'time-zone': 'Europe/Berlin' })
    await firstRead
    const finishesAt = Date.now() + 1500
    simulator.contactJobs.get(job.upsert)!.finishesAt = finishesAt
    const { exitCode, outputs, stdout, summary } = await running
    expect(exitCode).toBe(0)
    const kinds = simulator.requests.map(kindOf)
    const jobReads = kinds.filter((k) => k === 'job').length
    expect(jobReads).toBeGreaterThanOrEqual(2)
    // Every job read comes first, then the pre-flight reads, then the refreshes.
    expect(kinds).toEqual([...Array(jobReads).fill('job'), 'read', 'read', 'refresh', 'refresh'])
    expect(firstAt('read')).toBeGreaterThanOrEqual(finishesAt)
    expect(parse(outputs['contact-jobs'])).toEqual([
      {
        id: job.upsert,
        status: 'errored',
        job_type: 'upsert',
        requested_count: 1200,
        created_count: 1163,
        updated_count: 0,
        deleted_count: null,
        errored_count: 37,
        finished_at: new Date(Math.floor(finishesAt / 1000) * 1000)
          .toISOString()
          .replace('.000Z', 'Z')
      }
    ])
    const warnings = annotationsIn(stdout).filter((a) => a.level === 'warning')
    expect(warnings).toEqual([
      {
        level: 'warning',
        properties: `title=Contact job ${job.upsert}%3A contacts rejected`,
        message: `Contact job ${job.upsert} finished with errors: 37 of 1,200 contacts were rejected. Those contacts are in no segment.`
      }
    ])
    // One line when the wait starts, one progress line per round, one line when the job finished.
    expect(stdout).toContain(
      `Contacts first: waiting up to 10 s for 1 contact job(s) to finish before any segment is read or refreshed: ${job.upsert}.`
    )
    const progress = stdout.split('\n').filter((l) => l.startsWith('Still waiting for 1 of 1'))
    expect(progress.length).toBe(jobReads - 1)
    expect(stdout).toMatch(
      new RegExp(
        `Contact job ${job.upsert} finished at \\d\\d:\\d\\d Europe/Berlin, (just now|1 minute ago): errored \\(upsert: 1,200 requested, 1,163 created, 0 updated, 37 rejected\\)\\.`
      )
    )
    expect(summary).toMatch(
      /<p>Contacts first: 1 job finished at \d\d:\d\d Europe\/Berlin, (just now|1 minute ago); 1,163 of 1,200 contacts written, 37 rejected\.<\/p>/
    )
    expect(summary).toContain(`<code>${job.upsert}</code>`)
    expect(parse(outputs.refreshed)).toEqual([seg.vip, seg.spring])
  })

  it('waits for the later of two jobs that finish at different times', async () => {
    // Both pending at the action's first read, however slowly it started; then one finishes at
    // once and the other 1.5 s later.
    await start({
      contactJobs: [
        { id: job.upsert, finishesAt: Date.now() + 60_000 },
        { id: job.import, finishesAt: Date.now() + 60_000, jobType: 'delete' }
      ]
    })
    const firstRead = simulator.nextRequest('contact-job', job.import)
    const running = run({ 'contact-job-ids': `${job.upsert},${job.import}` })
    await firstRead
    const late = Date.now() + 1500
    simulator.contactJobs.get(job.upsert)!.finishesAt = Date.now()
    simulator.contactJobs.get(job.import)!.finishesAt = late
    const { exitCode, outputs } = await running
    expect(exitCode).toBe(0)
    const reads = (id: string) => simulator.requestsFor('contact-job', id).length
    // A finished job is not read again.
    expect(reads(job.upsert)).toBeLessThan(reads(job.import))
    expect(firstAt('read')).toBeGreaterThanOrEqual(late)
    expect(parse(outputs['contact-jobs']).map((j) => [j.id, j.status, j.deleted_count])).toEqual([
      [job.upsert, 'completed', null],
      [job.import, 'completed', 100]
    ])
  })

  it('refreshes a segment recomputed before the contacts landed; one recomputed after is fresh', async () => {
    const landed = Date.now() - 10 * minuteMs
    await start({ contactJobs: [{ id: job.upsert, finishesAt: landed }] })
    simulator.segments.get(seg.vip)!.sampleUpdatedAt = landed - 5 * minuteMs
    simulator.segments.get(seg.spring)!.sampleUpdatedAt = landed + 5 * minuteMs
    const { exitCode, outputs, stdout } = await run({
      'contact-job-ids': job.upsert,
      'fresh-within-minutes': '60'
    })
    expect(exitCode).toBe(0)
    expect(parse(outputs.refreshed)).toEqual([seg.vip])
    expect(parse(outputs.fresh)).toEqual([seg.spring])
    expect(simulator.requestsFor('refresh', seg.spring)).toHaveLength(0)
    expect(stdout).toContain(
      `Segment "VIP customers" (${seg.vip}) was recomputed ${wallClock(landed - 5 * minuteMs, 'UTC')}, 15 minutes ago, before the contacts landed ${wallClock(landed, 'UTC')}, 10 minutes ago: it is refreshed.`
    )
    expect(parse(outputs.results)[1].message).toContain('after the contacts landed')
  })

  it('waits out contacts-settle-seconds, and a recompute inside it is not fresh', async () => {
    // The job finishes once the action has read it pending, however slowly it started.
    await start({ contactJobs: [{ id: job.upsert, finishesAt: Date.now() + 60_000 }] })
    const firstRead = simulator.nextRequest('contact-job', job.upsert)
    const running = run({
      'contact-job-ids': job.upsert,
      'contacts-settle-seconds': '3',
      'fresh-within-minutes': '60'
    })
    await firstRead
    const finished = Math.floor(Date.now() / 1000) * 1000
    simulator.contactJobs.get(job.upsert)!.finishesAt = finished
    // Recomputed 1 s after the job finished: inside the 3 s the contacts need to settle.
    simulator.segments.get(seg.vip)!.sampleUpdatedAt = finished + 1000
    simulator.segments.get(seg.spring)!.sampleUpdatedAt = finished + 1000
    const { exitCode, outputs, stdout } = await running
    expect(exitCode).toBe(0)
    expect(firstAt('read')).toBeGreaterThanOrEqual(finished + 3000)
    expect(firstAt('refresh')).toBeGreaterThanOrEqual(finished + 3000)
    expect(parse(outputs.refreshed)).toEqual([seg.vip, seg.spring])
    expect(stdout).toContain('(contacts-settle-seconds: 3); waiting until then.')
  })

  it.each([
    [
      'failed',
      { id: job.upsert, status: 'failed' as const, requestedCount: 50 },
      `Contact job ${job.upsert} failed: SendGrid wrote none of its contacts (upsert: 50 requested, 0 created, 0 updated, 50 rejected).`
    ],
    [
      'unknown',
      null,
      `Contact job ${job.upsert} is unknown to SendGrid (HTTP 404): check the job ID, data-residency and on-behalf-of.`
    ]
  ])('sends no refresh when a job %s, and fails the step', async (_, seed, words) => {
    await start({ contactJobs: seed ? [seed] : [] })
    const { exitCode, outputs, stdout, summary } = await run({
      'contact-job-ids': job.upsert,
      'on-rate-limit': 'warn'
    })
    expect(exitCode).toBe(1)
    expect(simulator.requests.map(kindOf)).toEqual(['job'])
    const errors = annotationsIn(stdout).filter((a) => a.level === 'error')
    expect(errors[0].message).toBe(
      `${words} No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
    )
    expect(errors.at(-1)!.message).toBe(
      '1 of 1 contact job(s) did not finish writing their contacts, so no segment was refreshed. See the annotations above.'
    )
    expect(parse(outputs.results).map((r) => [r.segment_id, r.outcome, r.job_id])).toEqual([
      [seg.vip, 'failed', null],
      [seg.spring, 'failed', null]
    ])
    expect(parse(outputs.results)[0].message).toContain(
      'No refresh request was sent, so no budget was spent.'
    )
    expect(parse(outputs.refreshed)).toEqual([])
    expect(parse(outputs['contact-jobs'])[0]).toMatchObject({
      id: job.upsert,
      status: seed ? 'failed' : 'not_found'
    })
    // The failed job is the summary's answer.
    expect(summary).toMatch(
      /^<h2>SendGrid segment refresh<\/h2>\n<p><strong>The contacts did not land: contact job \S+ (failed|not found)\. No segment was refreshed and no refresh budget was spent\.<\/strong><\/p>/
    )
  })

  it('gives up near wait-timeout-seconds on a job that never finishes, with nothing refreshed', async () => {
    await start({ contactJobs: [{ id: job.upsert, finishesAt: Date.now() + 60 * minuteMs }] })
    const { exitCode, outputs, stdout, durationMs } = await run({
      'contact-job-ids': job.upsert,
      'wait-timeout-seconds': '2'
    })
    expect(exitCode).toBe(1)
    expect(durationMs).toBeGreaterThan(2000)
    // Gives up, rather than waiting for the job's finish an hour away.
    expect(durationMs).toBeLessThan(20_000)
    expect(simulator.requests.every((r) => kindOf(r) === 'job')).toBe(true)
    expect(parse(outputs['contact-jobs'])[0]).toMatchObject({
      status: 'pending',
      finished_at: null
    })
    expect(annotationsIn(stdout)[0].message).toContain(
      `Contact job ${job.upsert} had not finished after 2 s (wait-timeout-seconds; status pending, upsert: 100 requested).`
    )
  })

  it('retries a 500 on a job read and goes on; fails when the job stays unreadable', async () => {
    await start({ contactJobs: [{ id: job.upsert }] })
    simulator.inject('contact-job', job.upsert, {
      status: 500,
      body: JSON.stringify({ errors: [{ message: 'internal error' }] })
    })
    const retried = await run({ 'contact-job-ids': job.upsert })
    expect(retried.exitCode).toBe(0)
    expect(simulator.requestsFor('contact-job', job.upsert)).toHaveLength(2)
    expect(parse(retried.outputs.refreshed)).toEqual([seg.vip, seg.spring])

    simulator.requests.length = 0
    simulator.inject('contact-job', job.upsert, { status: 500 }, { status: 500 })
    const failed = await run({ 'contact-job-ids': job.upsert, 'max-retries': '1' })
    expect(failed.exitCode).toBe(1)
    expect(simulator.requests.map(kindOf)).toEqual(['job', 'job'])
    expect(parse(failed.outputs['contact-jobs'])[0]).toMatchObject({ status: 'unreadable' })
    expect(annotationsIn(failed.stdout)[0].message).toBe(
      `Contact job ${job.upsert} could not be read (HTTP 500). No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
    )
  })

  it.each(['../segments', 'a?b', 'id%2F', 'job.1', 'x'.repeat(65), 'ok\u0007'])(
    'refuses the job ID %j before any request',
    async (bad) => {
      await start()
      const { exitCode, stdout, outputs } = await run({
        'contact-job-ids': `${job.upsert}, ${bad}`
      })
      expect(exitCode).toBe(1)
      expect(simulator.requests).toHaveLength(0)
      expect(annotationsIn(stdout)[0]).toMatchObject({
        level: 'error',
        properties: 'title=Invalid input%3A contact-job-ids',
        message: `Input 'contact-job-ids' has an invalid value ${JSON.stringify(bad)}: each job ID must be 1 to 64 letters, digits, - or _ (the job_id SendGrid returned)`
      })
      expect(parse(outputs['contact-jobs'])).toEqual([])
    }
  )

  it('reads no job in a dry run, and names them in its plan', async () => {
    await start({ contactJobs: [{ id: job.upsert }] })
    const { exitCode, stdout, summary } = await run({
      'contact-job-ids': `${job.upsert}\n${job.import}\n${job.upsert}`,
      'dry-run': 'true'
    })
    expect(exitCode).toBe(0)
    expect(simulator.requests).toHaveLength(0)
    expect(stdout).toContain(`, after contact job(s) ${job.upsert}, ${job.import} have finished,`)
    expect(summary).toContain(`<code>${job.import}</code>`)
  })
})
