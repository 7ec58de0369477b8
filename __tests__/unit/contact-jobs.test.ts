// Contacts first, in process: reading contact jobs until they finish, what each status means, the
// settle time, and the words of the log, the annotations and the summary.
import { afterEach, describe, expect, it } from '@jest/globals'
import { contactJobIn } from '../../src/sendgrid/answers.js'
import {
  contactsSentence,
  jobCounts,
  jobsNotLanded,
  notLandedMessage,
  notRefreshedForContacts,
  waitForContactJobs,
  type ContactJob
} from '../../src/stages/contact-jobs.js'
import { SendGridClient, type ApiResult } from '../../src/sendgrid/client.js'
import { captureStdout } from '../support/capture-stdout.js'
import { annotationsIn } from '../../tools/run-action.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'
import { answer } from '../support/answers.js'

const stdout = captureStdout()
const jobA = 'job-a'
const jobB = 'job-b'
type Simulator = Awaited<ReturnType<typeof startSimulator>>
let simulator: Simulator | undefined
let client: SendGridClient | undefined
afterEach(async () => {
  client?.dispose()
  await simulator?.close()
  simulator = undefined
})

const settings = (overrides: Record<string, unknown> = {}) => ({
  contactJobIds: [jobA],
  waitTimeoutMs: 5000,
  waitIntervalMs: 100,
  contactsSettleMs: 0,
  timeZone: 'UTC',
  ...overrides
})

/** A client of the simulator that does not retry. */
const clientOf = (server: Simulator) =>
  new SendGridClient({
    apiKey: demoApiKey,
    baseUrl: server.url,
    onBehalfOf: null,
    timeoutMs: 2000,
    maxRetries: 0
  })

async function wait(
  jobs: NonNullable<Parameters<typeof startSimulator>[0]>['contactJobs'],
  overrides: Record<string, unknown> = {},
  meanwhile: (server: Simulator) => Promise<void> = async () => {}
) {
  simulator = await startSimulator({ contactJobs: jobs })
  client = clientOf(simulator)
  const started = Date.now()
  const worldChanges = meanwhile(simulator)
  const outcome = await waitForContactJobs(client, settings(overrides))
  await worldChanges
  return {
    ...outcome,
    startedAt: started,
    tookMs: Date.now() - started,
    annotations: annotationsIn(stdout.text)
  }
}

/**
 * Lets job `id` finish once the action has read it pending `reads` times, however slow the machine:
 * its finish is set to that moment, which `finished` is told.
 */
const finishAfterReads =
  (id: string, reads: number, finished: (at: number) => void) => async (server: Simulator) => {
    for (let read = 0; read < reads; read++) await server.nextRequest('contact-job', id)
    const at = Date.now()
    server.contactJobs.get(id)!.finishesAt = at
    finished(at)
  }

const job = (fields: Partial<ContactJob>): ContactJob => ({
  id: jobA,
  status: 'completed',
  jobType: 'upsert',
  requestedCount: null,
  createdCount: null,
  updatedCount: null,
  deletedCount: null,
  erroredCount: null,
  finishedAt: null,
  problem: null,
  ...fields
})

describe('waitForContactJobs', () => {
  it('sends nothing without jobs', async () => {
    const outcome = await wait([], { contactJobIds: [] })
    expect(outcome).toMatchObject({ jobs: [], landedAt: null })
    expect(simulator?.requests).toHaveLength(0)
    expect(stdout.text).toBe('')
  })

  it('reads a pending job every interval until it has finished, then lands at its finish', async () => {
    let finishesAt = NaN
    const outcome = await wait(
      [{ id: jobA, finishesAt: Date.now() + 60_000, requestedCount: 3 }],
      { timeZone: 'Europe/Berlin' },
      finishAfterReads(jobA, 3, (at) => (finishesAt = at))
    )
    // SendGrid gives finished_at to the second.
    expect(outcome.landedAt).toBe(finishesAt - (finishesAt % 1000))
    const reads = simulator!.requestsFor('contact-job', jobA)
    // Three reads saw it pending; the next, at 100 ms (+ up to 10 %) after the last, saw it finished.
    expect(reads).toHaveLength(4)
    for (let i = 1; i < reads.length; i++)
      expect(reads[i].at - reads[i - 1].at).toBeGreaterThanOrEqual(95)
    const lines = stdout.text
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('::debug::'))
    expect(lines[0]).toBe(
      `Contacts first: waiting up to 5 s for 1 contact job(s) to finish before any segment is read or refreshed: ${jobA}.`
    )
    expect(
      lines
        .slice(1, -1)
        .every((l) => /^Still waiting for 1 of 1 contact job\(s\) after \d\.\d s: job-a$/.test(l))
    ).toBe(true)
    expect(lines.slice(1, -1)).toHaveLength(reads.length - 1)
    expect(lines.at(-1)).toMatch(
      /^Contact job job-a finished at \d\d:\d\d Europe\/Berlin, (just now|in less than a minute): completed \(upsert: 3 requested, 3 created, 0 updated, 0 rejected\)\.$/
    )
    expect(outcome.jobs).toEqual([
      job({
        requestedCount: 3,
        createdCount: 3,
        updatedCount: 0,
        erroredCount: 0,
        finishedAt: new Date(finishesAt - (finishesAt % 1000)).toISOString().replace('.000Z', 'Z')
      })
    ])
  })

  it('reads two jobs together and stops reading the one that finished', async () => {
    let finishesAt = NaN
    const outcome = await wait(
      [
        { id: jobA, finishesAt: Date.now() - 60_000 },
        { id: jobB, finishesAt: Date.now() + 60_000 }
      ],
      { contactJobIds: [jobA, jobB] },
      finishAfterReads(jobB, 2, (at) => (finishesAt = at))
    )
    expect(simulator!.requestsFor('contact-job', jobA)).toHaveLength(1)
    expect(simulator!.requestsFor('contact-job', jobB)).toHaveLength(3)
    expect(stdout.text).toMatch(
      /Still waiting for 1 of 2 contact job\(s\) after \d+\.\d s: job-b\n/
    )
    expect(outcome.landedAt).toBe(finishesAt - (finishesAt % 1000))
  })

  it('waits out the settle time after the last finish, and says until when', async () => {
    const finishesAt = Math.floor(Date.now() / 1000) * 1000 - 1000
    const outcome = await wait([{ id: jobA, finishesAt }], { contactsSettleMs: 2500 })
    expect(outcome.landedAt).toBe(finishesAt + 2500)
    expect(Date.now()).toBeGreaterThanOrEqual(finishesAt + 2500)
    expect(stdout.text).toMatch(
      /The contacts count as landed at \d\d:\d\d UTC, in less than a minute \(contacts-settle-seconds: 2\.5\); waiting until then\.\n$/
    )
  })

  it('does not wait for a settle time that has passed', async () => {
    const finishesAt = Date.now() - 60_000
    const outcome = await wait([{ id: jobA, finishesAt }], { contactsSettleMs: 50_000 })
    // Finished a minute ago: waiting out 50 s from now would take 50 s.
    expect(outcome.tookMs).toBeLessThan(10_000)
    expect(stdout.text).not.toContain('count as landed')
  })

  it('goes on after an errored job with one warning that gives the counts', async () => {
    const outcome = await wait([
      { id: jobA, status: 'errored', requestedCount: 1200, erroredCount: 37 }
    ])
    expect(outcome.landedAt).not.toBeNull()
    // Finished: read once, not until the deadline (5 s).
    expect(simulator!.requestsFor('contact-job', jobA)).toHaveLength(1)
    expect(outcome.tookMs).toBeLessThan(4000)
    expect(outcome.annotations).toEqual([
      {
        level: 'warning',
        properties: `title=Contact job ${jobA}%3A contacts rejected`,
        message: `Contact job ${jobA} finished with errors: 37 of 1,200 contacts were rejected. Those contacts are in no segment.`
      }
    ])
  })

  it.each([
    [
      'a failed job',
      [{ id: jobA, status: 'failed' as const, requestedCount: 4 }],
      'failed',
      `Contact job ${jobA} failed: SendGrid wrote none of its contacts (upsert: 4 requested, 0 created, 0 updated, 4 rejected).`
    ],
    [
      'an unknown job',
      [],
      'not found',
      `Contact job ${jobA} is unknown to SendGrid (HTTP 404): check the job ID, data-residency and on-behalf-of.`
    ]
  ])('stops at %s, with one error annotation', async (_, jobs, title, words) => {
    const outcome = await wait(jobs)
    expect(outcome.landedAt).toBeNull()
    expect(simulator!.requestsFor('contact-job', jobA)).toHaveLength(1)
    expect(stdout.text).toContain(
      title === 'failed'
        ? `Contact job ${jobA} finished at `
        : `\nContact job ${jobA} is unknown to SendGrid (HTTP 404).\n`
    )
    expect(outcome.annotations).toEqual([
      {
        level: 'error',
        properties: `title=Contact job ${jobA}%3A ${title}`,
        message: `${words} No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
      }
    ])
  })

  it('stops at a job it cannot read, after one read without retries', async () => {
    simulator = await startSimulator()
    simulator.inject('contact-job', jobA, { status: 500 })
    client = clientOf(simulator)
    const outcome = await waitForContactJobs(client, settings({ contactJobIds: [jobA, jobB] }))
    expect(simulator.requestsFor('contact-job', jobA)).toHaveLength(1)
    expect(outcome.jobs.map((j) => j.status)).toEqual(['unreadable', 'not_found'])
    expect(stdout.text).toContain(
      `Contacts first: waiting up to 5 s for 2 contact job(s) to finish before any segment is read or refreshed: ${jobA}, ${jobB}.\n`
    )
    expect(stdout.text).toContain(`\nContact job ${jobA} could not be read: HTTP 500.\n`)
  })

  it('gives up at the deadline on a job that never finishes, reading it once more then', async () => {
    const outcome = await wait([{ id: jobA, finishesAt: Date.now() + 60_000 }], {
      waitTimeoutMs: 600,
      waitIntervalMs: 250
    })
    expect(outcome.landedAt).toBeNull()
    expect(outcome.tookMs).toBeGreaterThanOrEqual(600)
    // Gives up, rather than waiting for the job's finish a minute away.
    expect(outcome.tookMs).toBeLessThan(10_000)
    const reads = simulator!.requestsFor('contact-job', jobA)
    // The last read comes at the deadline, counted from the start (the first read may arrive late).
    expect(reads.at(-1)!.at - outcome.startedAt).toBeGreaterThanOrEqual(595)
    expect(outcome.jobs[0].status).toBe('pending')
    expect(outcome.annotations[0].message).toBe(
      `Contact job ${jobA} had not finished after 1 s (wait-timeout-seconds; status pending, upsert: 100 requested). No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
    )
  })

  it('stops reading when the run is cancelled, keeping the jobs as last read, without annotations', async () => {
    const cancel = new AbortController()
    const reads: string[] = []
    const scripted = {
      signal: cancel.signal,
      getContactJob: async (id: string) => {
        reads.push(id)
        setTimeout(() => cancel.abort(), 20)
        return answer(200, { status: 'pending', results: { requested_count: 4 } })
      }
    } as unknown as SendGridClient
    const seen: ContactJob[][] = []
    const outcome = await waitForContactJobs(scripted, settings({ waitIntervalMs: 5000 }), (jobs) =>
      seen.push(jobs)
    )
    expect(outcome).toEqual({
      jobs: [job({ status: 'pending', requestedCount: 4, jobType: null })],
      landedAt: null
    })
    expect(reads).toEqual([jobA])
    expect(seen).toEqual([outcome.jobs])
    expect(annotationsIn(stdout.text)).toEqual([])
  })

  it('counts a job without finished_at as finished when it was seen finished', async () => {
    simulator = await startSimulator()
    const scripted = {
      signal: new AbortController().signal,
      getContactJob: async () => answer(200, { status: 'completed', job_type: 'delete' })
    } as unknown as SendGridClient
    const before = Date.now()
    const outcome = await waitForContactJobs(scripted, settings())
    expect(stdout.text).toContain(`\nContact job ${jobA} finished: completed (delete).\n`)
    expect(outcome.landedAt).toBeGreaterThanOrEqual(before)
    expect(outcome.landedAt).toBeLessThanOrEqual(Date.now())
  })
})

describe('contactJobIn', () => {
  it('reads every field, defensively', () => {
    expect(
      contactJobIn(
        jobA,
        answer(200, {
          id: 'other',
          status: 'completed',
          job_type: 'upsert',
          results: {
            requested_count: 5,
            created_count: 2,
            updated_count: 2.5,
            deleted_count: -1,
            errored_count: 'many'
          },
          finished_at: '2026-11-28T10:00:00Z'
        })
      )
    ).toEqual(
      job({
        requestedCount: 5,
        createdCount: 2,
        updatedCount: 2.5,
        finishedAt: '2026-11-28T10:00:00Z'
      })
    )
  })

  it('keeps a finished_at only when it is a time, and a status only when it is text', () => {
    expect(
      contactJobIn(jobA, answer(200, { status: 'completed', finished_at: 'soon' })).finishedAt
    ).toBeNull()
    expect(
      contactJobIn(jobA, answer(200, { status: 'completed', finished_at: 5 })).finishedAt
    ).toBeNull()
    expect(
      contactJobIn(jobA, answer(200, { status: 'x'.repeat(99), job_type: 'y'.repeat(99) }))
    ).toMatchObject({
      status: 'x'.repeat(40),
      jobType: 'y'.repeat(40)
    })
    expect(
      contactJobIn(jobA, answer(200, { status: 'pending', results: [] })).requestedCount
    ).toBeNull()
  })

  it.each([
    [answer(200, { status: '' }), 'SendGrid answered with a body that is not a contact job'],
    [answer(200, { status: 3 }), 'SendGrid answered with a body that is not a contact job'],
    [answer(200, '[1]'), 'SendGrid answered with a body that is not a contact job'],
    [answer(401, { errors: [{ message: 'bad key' }] }), 'HTTP 401: bad key'],
    [
      {
        kind: 'no-response',
        reason: 'timeout',
        detail: 'no answer within 2 s',
        attempts: 3,
        lostEarlierAttempt: true
      } as ApiResult,
      'timeout: no answer within 2 s'
    ]
  ])('calls an answer without a job unreadable, saying why (%#)', (given, problem) => {
    expect(contactJobIn(jobA, given)).toEqual(job({ status: 'unreadable', jobType: null, problem }))
  })

  it('reads the deleted count, and counts only numbers', () => {
    expect(
      contactJobIn(
        jobA,
        answer(200, { status: 'completed', results: { deleted_count: 7, requested_count: '7' } })
      )
    ).toMatchObject({ deletedCount: 7, requestedCount: null })
  })

  it('reads no job out of an answer that is not a 200', () => {
    expect(contactJobIn(jobA, answer(500, { status: 'completed' }))).toMatchObject({
      status: 'unreadable',
      problem: 'HTTP 500'
    })
  })

  it('calls a 404 not_found', () => {
    expect(contactJobIn(jobA, answer(404, {})).status).toBe('not_found')
  })
})

describe('the words', () => {
  it('gives the rejected contacts without a requested count', async () => {
    const scripted = {
      signal: new AbortController().signal,
      getContactJob: async () => answer(200, { status: 'errored', results: { errored_count: 3 } })
    } as unknown as SendGridClient
    await waitForContactJobs(scripted, settings())
    expect(annotationsIn(stdout.text)[0].message).toBe(
      `Contact job ${jobA} finished with errors: 3 contacts were rejected. Those contacts are in no segment.`
    )
  })

  it('gives what is known of the counts', () => {
    expect(jobCounts(job({ jobType: null }))).toBe('job type not given')
    expect(jobCounts(job({ deletedCount: 1500, requestedCount: 1500 }))).toBe(
      'upsert: 1,500 requested, 1,500 deleted'
    )
  })

  it('says why an unreadable job and one still pending keep segments from a refresh', () => {
    expect(notLandedMessage(job({ status: 'unreadable', problem: 'HTTP 500' }), 10_000)).toBe(
      `Contact job ${jobA} could not be read (HTTP 500). No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
    )
    expect(notLandedMessage(job({ status: 'queued' }), 90_000)).toContain(
      'had not finished after 90 s (wait-timeout-seconds; status queued, upsert)'
    )
  })

  it('tells which jobs did not land', () => {
    const jobs = ['completed', 'errored', 'failed', 'pending', 'not_found', 'unreadable'].map(
      (status) => job({ id: status, status })
    )
    expect(jobsNotLanded(jobs).map((j) => j.id)).toEqual([
      'failed',
      'pending',
      'not_found',
      'unreadable'
    ])
  })

  it('sums every job for the summary, in the user zone', () => {
    const now = Date.parse('2026-11-28T13:10:00Z')
    const jobs = [
      job({
        requestedCount: 1000,
        createdCount: 900,
        updatedCount: 63,
        erroredCount: 37,
        finishedAt: '2026-11-28T13:00:00Z'
      }),
      job({
        id: jobB,
        requestedCount: 200,
        deletedCount: 200,
        erroredCount: 0,
        finishedAt: '2026-11-28T13:02:00Z'
      })
    ]
    expect(
      contactsSentence(jobs, Date.parse('2026-11-28T13:02:00Z'), 0, 'Europe/Berlin', now)
    ).toBe(
      'Contacts first: 2 jobs finished at 14:02 Europe/Berlin, 8 minutes ago; 1,163 of 1,200 contacts written, 37 rejected.'
    )
    expect(
      contactsSentence(
        [job({ createdCount: 5 })],
        Date.parse('2026-11-28T13:03:00Z'),
        60_000,
        'UTC',
        now
      )
    ).toBe(
      'Contacts first: 1 job finished at 13:02 UTC, 8 minutes ago (counted as landed 60 s later); 5 contacts written.'
    )
    expect(contactsSentence([], null, 0, 'UTC', now)).toBeNull()
  })

  it('puts the jobs that did not land first', () => {
    const jobs = [
      job({}),
      job({ id: jobB, status: 'not_found' }),
      job({ id: 'c', status: 'failed' })
    ]
    expect(contactsSentence(jobs, null, 0, 'UTC', 0)).toBe(
      `The contacts did not land: contact job ${jobB} not found, c failed. No segment was refreshed and no refresh budget was spent.`
    )
  })

  it('leaves every segment unrefreshed, without an annotation of its own', () => {
    const result = notRefreshedForContacts(
      { segmentId: 'seg-1', segmentName: 'VIP', singleSendIds: [], sendAt: null },
      [job({}), job({ id: jobB, status: 'not_found' }), job({ id: 'c', status: 'pending' })]
    )
    expect(result).toMatchObject({
      segmentId: 'seg-1',
      outcome: 'failed',
      annotation: null,
      httpStatus: null,
      jobId: null,
      reason: 'not refreshed: the contacts did not land first; no budget spent',
      message: `Segment "VIP" (seg-1) was not refreshed: contact job ${jobB} (not found), c (pending) did not finish writing its contacts, and a refresh now would miss them. No refresh request was sent, so no budget was spent.`
    })
  })
})

describe('a contact job read under the rate limit', () => {
  it('is read again after the reset, and is unreadable only once the stage deadline passes', async () => {
    const busy = {
      status: 429,
      headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '0' }
    }
    const slow = { ...busy, headers: { ...busy.headers, 'X-RateLimit-Reset': '30' } }
    simulator = await startSimulator({
      contactJobs: [
        { id: jobA, status: 'completed', finishesAt: Date.now() - 60_000 },
        { id: jobB, status: 'completed', finishesAt: Date.now() - 60_000 }
      ]
    })
    simulator.inject('contact-job', jobA, busy, busy)
    // Its reset is past wait-timeout-seconds: no read waits beyond the stage's deadline.
    simulator.inject('contact-job', jobB, slow, slow, slow)
    client = clientOf(simulator)
    const { jobs } = await waitForContactJobs(
      client,
      settings({ contactJobIds: [jobA, jobB], waitTimeoutMs: 1000 })
    )
    expect(jobs.map((job) => job.status)).toEqual(['completed', 'unreadable'])
    expect(jobs[1].problem).toBe(
      "SendGrid's rate limit for requests still refused it (HTTP 429); the account is busy, try again later"
    )
    expect(simulator.requestsFor('contact-job', jobA)).toHaveLength(3)
    expect(simulator.requestsFor('contact-job', jobB)).toHaveLength(1)
  })
})
