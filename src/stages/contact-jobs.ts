// Contacts first. A pipeline that writes contacts and then refreshes segments must wait for SendGrid
// to finish writing them: the write only queues a job, and a segment recomputed before the job has
// finished cannot contain its contacts. This reads every job until it has finished, and says when
// the contacts landed (the last job's finish plus `contacts-settle-seconds`).
import {
  describeInstant,
  elapsed,
  formatCount,
  parseTime,
  wholeSeconds
} from '../time/human-time.js'
import type { Settings } from '../inputs/settings.js'
import { log } from '../report/log.js'
import { newResult, segmentLabel, type SegmentResult } from '../run/results.js'
import { pollPauseMs, sleep } from '../sendgrid/retry.js'
import type { SendGridClient } from '../sendgrid/client.js'
import { contactJobIn, unreadJob, type ContactJob } from '../sendgrid/answers.js'
import type { Target } from './targets.js'

export type { ContactJob } from '../sendgrid/answers.js'

export interface ContactsFirst {
  jobs: ContactJob[]
  /** When the contacts count as landed (ms); null without jobs, or when they did not land. */
  landedAt: number | null
}

/** Statuses of jobs whose contacts are written; the rest stop the run. */
const landedStatuses = ['completed', 'errored']
/** Statuses of jobs that are still being worked on; anything else SendGrid says is final. */
const finalStatuses = ['completed', 'errored', 'failed', 'not_found', 'unreadable']

export const wroteContacts = (job: ContactJob): boolean => landedStatuses.includes(job.status)
const isFinal = (job: ContactJob): boolean => finalStatuses.includes(job.status)

/** The jobs whose contacts did not land: failed, unknown, unreadable or still pending. */
export const jobsNotLanded = (jobs: ContactJob[]): ContactJob[] =>
  jobs.filter((job) => !wroteContacts(job))

/**
 * Reads every job, concurrently, every `wait-interval-seconds` until each has finished or
 * `wait-timeout-seconds` has passed; then waits out `contacts-settle-seconds` after the last finish.
 * Errored jobs are a warning each; jobs that did not land are an error each, and `landedAt` is null.
 */
export async function waitForContactJobs(
  client: SendGridClient,
  settings: Pick<
    Settings,
    'contactJobIds' | 'waitTimeoutMs' | 'waitIntervalMs' | 'contactsSettleMs' | 'timeZone'
  >,
  /** Told the jobs after every round of reads, so a cut-short run still knows them. */
  onRead: (jobs: ContactJob[]) => void = () => {}
): Promise<ContactsFirst> {
  if (settings.contactJobIds.length === 0) return { jobs: [], landedAt: null }
  const total = settings.contactJobIds.length
  const jobs = settings.contactJobIds.map(unreadJob)
  /** When each job was first seen finished: the landing time of a job without finished_at. */
  const seenFinished = new Map<string, number>()
  const started = Date.now()
  const deadline = started + settings.waitTimeoutMs
  log.info(
    `Contacts first: waiting up to ${wholeSeconds(settings.waitTimeoutMs)} for ${total} contact job(s) to finish before any segment is read or refreshed: ${settings.contactJobIds.join(', ')}.`
  )

  for (;;) {
    const toRead = jobs.flatMap((job, index) => (isFinal(job) ? [] : [index]))
    // A read the rate limit holds back stops at the stage's deadline too.
    const answers = await Promise.all(toRead.map((i) => client.getContactJob(jobs[i].id, deadline)))
    toRead.forEach((i, n) => {
      jobs[i] = contactJobIn(jobs[i].id, answers[n])
      if (!isFinal(jobs[i])) return
      seenFinished.set(jobs[i].id, Date.now())
      log.info(finishedLine(jobs[i], settings.timeZone, Date.now()))
    })
    onRead([...jobs])
    const pending = jobs.filter((job) => !isFinal(job))
    if (pending.length === 0 || Date.now() >= deadline) break
    log.info(
      `Still waiting for ${pending.length} of ${total} contact job(s) after ${elapsed(Date.now() - started)}: ${pending.map((job) => job.id).join(', ')}`
    )
    const pause = pollPauseMs(settings.waitIntervalMs)
    await sleep(Math.max(0, Math.min(Date.now() + pause, deadline) - Date.now()), client.signal)
    // A cancelled run reads no more; the jobs stay as last read.
    if (client.signal.aborted) return { jobs, landedAt: null }
  }

  const notLanded = jobsNotLanded(jobs)
  for (const job of notLanded) {
    log.error(notLandedMessage(job, settings.waitTimeoutMs), {
      title: `Contact job ${job.id}: ${job.status.replace('_', ' ')}`
    })
  }
  for (const job of jobs.filter((j) => j.status === 'errored')) {
    log.warning(
      `Contact job ${job.id} finished with errors: ${rejected(job)} Those contacts are in no segment.`,
      { title: `Contact job ${job.id}: contacts rejected` }
    )
  }
  if (notLanded.length > 0) return { jobs, landedAt: null }

  const finishedAt = Math.max(
    ...jobs.map((job) => parseTime(job.finishedAt) ?? (seenFinished.get(job.id) as number))
  )
  const landedAt = finishedAt + settings.contactsSettleMs
  if (landedAt > Date.now()) {
    log.info(
      `The contacts count as landed ${describeInstant(landedAt, settings.timeZone, Date.now())} (contacts-settle-seconds: ${settings.contactsSettleMs / 1000}); waiting until then.`
    )
    await sleep(landedAt - Date.now(), client.signal)
  }
  return { jobs, landedAt: client.signal.aborted ? null : landedAt }
}

/** "37 of 1,200 contacts were rejected." */
function rejected(job: ContactJob): string {
  const of = job.requestedCount === null ? '' : ` of ${formatCount(job.requestedCount)}`
  return `${formatCount(job.erroredCount ?? 0)}${of} contacts were rejected.`
}

/** "upsert: 1,200 requested, 1,163 created, 0 updated, 37 rejected", from what is known. */
export function jobCounts(job: ContactJob): string {
  const parts = [
    [job.requestedCount, 'requested'],
    [job.createdCount, 'created'],
    [job.updatedCount, 'updated'],
    [job.deletedCount, 'deleted'],
    [job.erroredCount, 'rejected']
  ].flatMap(([n, what]) => (n === null ? [] : [`${formatCount(n as number)} ${what}`]))
  const type = job.jobType ?? 'job type not given'
  return parts.length > 0 ? `${type}: ${parts.join(', ')}` : type
}

function finishedLine(job: ContactJob, timeZone: string, now: number): string {
  const finished = parseTime(job.finishedAt)
  const when = finished === null ? '' : ` ${describeInstant(finished, timeZone, now)}`
  switch (job.status) {
    case 'not_found':
      return `Contact job ${job.id} is unknown to SendGrid (HTTP 404).`
    case 'unreadable':
      return `Contact job ${job.id} could not be read: ${job.problem}.`
    default:
      return `Contact job ${job.id} finished${when}: ${job.status} (${jobCounts(job)}).`
  }
}

/** Why a job keeps every segment from being refreshed. */
export function notLandedMessage(job: ContactJob, waitTimeoutMs: number): string {
  const what =
    job.status === 'not_found'
      ? 'is unknown to SendGrid (HTTP 404): check the job ID, data-residency and on-behalf-of'
      : job.status === 'unreadable'
        ? `could not be read (${job.problem})`
        : job.status === 'failed'
          ? `failed: SendGrid wrote none of its contacts (${jobCounts(job)})`
          : `had not finished after ${wholeSeconds(waitTimeoutMs)} (wait-timeout-seconds; status ${job.status}, ${jobCounts(job)})`
  return `Contact job ${job.id} ${what}. No segment was refreshed, so no refresh budget was spent on an audience without these contacts.`
}

/**
 * For the summary: "Contacts first: 2 jobs finished at 14:02 Europe/Berlin, 3 minutes ago; 1,163 of
 * 1,200 contacts written, 37 rejected."
 */
export function contactsSentence(
  jobs: ContactJob[],
  landedAt: number | null,
  contactsSettleMs: number,
  timeZone: string,
  now: number
): string | null {
  if (jobs.length === 0) return null
  const notLanded = jobsNotLanded(jobs)
  if (notLanded.length > 0) {
    const each = notLanded.map((job) => `${job.id} ${job.status.replace('_', ' ')}`)
    return `The contacts did not land: contact job ${each.join(', ')}. No segment was refreshed and no refresh budget was spent.`
  }
  const total = (pick: (job: ContactJob) => number | null): number =>
    jobs.reduce((sum, job) => sum + (pick(job) ?? 0), 0)
  const written = total(
    (j) => (j.createdCount ?? 0) + (j.updatedCount ?? 0) + (j.deletedCount ?? 0)
  )
  const requested = total((j) => j.requestedCount)
  const errored = total((j) => j.erroredCount)
  const finished = (landedAt as number) - contactsSettleMs
  const settle =
    contactsSettleMs > 0 ? ` (counted as landed ${contactsSettleMs / 1000} s later)` : ''
  const count = jobs.length === 1 ? '1 job' : `${jobs.length} jobs`
  const writes = `${formatCount(written)}${requested > 0 ? ` of ${formatCount(requested)}` : ''} contacts written`
  return `Contacts first: ${count} finished ${describeInstant(finished, timeZone, now)}${settle}; ${writes}${errored > 0 ? `, ${formatCount(errored)} rejected` : ''}.`
}

/** A segment left alone because the contacts did not land. */
export function notRefreshedForContacts(target: Target, jobs: ContactJob[]): SegmentResult {
  const notLanded = jobsNotLanded(jobs).map((job) => `${job.id} (${job.status.replace('_', ' ')})`)
  return newResult(target.segmentId, target.segmentName, {
    outcome: 'failed',
    httpStatus: null,
    // The jobs carry the error annotations; one per segment would repeat them.
    annotation: null,
    reason: 'not refreshed: the contacts did not land first; no budget spent',
    message: `${segmentLabel(target.segmentId, target.segmentName)} was not refreshed: contact job ${notLanded.join(', ')} did not finish writing its contacts, and a refresh now would miss them. No refresh request was sent, so no budget was spent.`
  })
}
