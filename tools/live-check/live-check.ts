// `npm run live-check -- --spend-one-refresh`: measures, on a real SendGrid account, what the action's
// `wait` and `contacts-settle-seconds` assume. It creates a segment that matches one new address,
// writes that contact, refreshes the segment once (one of the account's 10 refreshes a day) and reads
// it every 2 s, then deletes both, whatever ends the run. It prints the timeline and the findings, and
// writes them to a JSON file. Run it only with a key you mean to spend a refresh of.
// It sends through the action's own client (redaction, timeouts, size cap, no redirects), to a host
// the action's own rules allow, and reads SendGrid's answers with the action's decoders. Bundled
// into dist/live-check/ like dist/ itself, so `npm run live-check` needs nothing but Node.
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { baseUrlFor, dataResidencies, type DataResidency } from '../../src/inputs/api-url.js'
import { InputProblem } from '../../src/inputs/problems.js'
import {
  bodyOf200,
  contactJobIn,
  describeFailure,
  jobIdIn,
  segmentIn,
  type SegmentSnapshot
} from '../../src/sendgrid/answers.js'
import { SendGridClient, type ApiResult, type HttpMethod } from '../../src/sendgrid/client.js'
import { isRecord, parseJson } from '../../src/sendgrid/json.js'
import { sleep } from '../../src/sendgrid/retry.js'
import { clockOffsetSeconds, findings, recomputeShown, type Reading } from './findings.js'

const usage = `Usage: SENDGRID_API_KEY=... npm run live-check -- --spend-one-refresh [options]

Measures how SendGrid shows a manual refresh, on your account: creates a segment matching one new
contact, writes that contact, refreshes the segment once and reads it every 2 s, then deletes both.
It spends 1 of the account's 10 refreshes a day, so it runs only with --spend-one-refresh.

Options:
  --spend-one-refresh       agree to spend one refresh (required)
  --api-url URL             another API host (https; http only on loopback)
  --data-residency REGION   global (default) or eu
  --on-behalf-of SUBUSER    act for a subuser, with the parent account's key
  --settle-seconds N        wait N s after the contact job finished before refreshing (default 0,
                            as contacts-settle-seconds)
  --email-domain DOMAIN     domain of the test address (default example.com)
  --out FILE                where the findings go as JSON (default live-check.json)
  --help                    this text`

// The project's tests run the check against the simulator with shorter waits.
const scale =
  Number(process.env.LIVE_CHECK_TIME_SCALE) > 0 ? Number(process.env.LIVE_CHECK_TIME_SCALE) : 1
const seconds = (n: number): number => n * 1000 * scale

let args
try {
  args = parseArgs({
    options: {
      'spend-one-refresh': { type: 'boolean', default: false },
      'api-url': { type: 'string' },
      'data-residency': { type: 'string', default: 'global' },
      'on-behalf-of': { type: 'string' },
      'settle-seconds': { type: 'string', default: '0' },
      'email-domain': { type: 'string', default: 'example.com' },
      out: { type: 'string', default: 'live-check.json' },
      help: { type: 'boolean', default: false }
    }
  }).values
} catch (error) {
  console.error(`live-check: ${(error as Error).message}\n\n${usage}`)
  process.exit(2)
}
if (args.help) {
  console.log(usage)
  process.exit(0)
}

const problems = []
const apiKey = process.env.SENDGRID_API_KEY?.trim() ?? ''
if (!apiKey) problems.push('SENDGRID_API_KEY is not set: give the key of the account to measure.')
const settleSeconds = Number(args['settle-seconds'])
if (!/^\d+$/.test(args['settle-seconds']) || settleSeconds > 3600)
  problems.push(
    `--settle-seconds must be a whole number from 0 to 3600, not "${args['settle-seconds']}".`
  )
if (!/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(args['email-domain']))
  problems.push(
    `--email-domain must be a domain name such as example.com, not "${args['email-domain']}".`
  )
let baseUrl = ''
const residency = args['data-residency'] as DataResidency
if (!dataResidencies.includes(residency))
  problems.push(
    `--data-residency must be ${dataResidencies.join(' or ')}, not "${args['data-residency']}".`
  )
else {
  // The action's own rules for api-url: https (http only on loopback), no credentials, no query.
  try {
    baseUrl = baseUrlFor(residency, args['api-url'] ?? '')
  } catch (error) {
    if (!(error instanceof InputProblem)) throw error
    problems.push(`--api-url ${JSON.stringify(error.value)}: ${error.reason}.`)
  }
}
if (!args['spend-one-refresh']) {
  problems.push(
    "The live check spends 1 of the account's 10 manual refreshes a day (and creates, then deletes, one segment and one contact). To run it, add --spend-one-refresh: npm run live-check -- --spend-one-refresh"
  )
}
if (problems.length > 0) {
  console.error(`live-check: nothing was sent.\n- ${problems.join('\n- ')}`)
  process.exit(2)
}

/** The action's client, for the live check's own calls, sent the way every other request is. */
class LiveCheckClient extends SendGridClient {
  request(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult> {
    return this.send(method, path, body === undefined ? undefined : JSON.stringify(body))
  }
}

const stopping = new AbortController()
const client = new LiveCheckClient({
  apiKey,
  baseUrl,
  onBehalfOf: args['on-behalf-of'] ?? null,
  timeoutMs: 30_000,
  // Creating a segment or a contact twice would leave one behind: nothing is sent again. No signal:
  // after a SIGINT the check still deletes what it created.
  maxRetries: 0
})
/** Every answer's Date header with the local moments around it, for the clock offset. */
const exchanges: Array<{ sentAt: number; answeredAt: number; date: string | undefined }> = []
const started = Date.now()

interface Answer {
  status: number
  answer: ApiResult
  date: string | undefined
}

async function call(method: HttpMethod, path: string, body?: unknown): Promise<Answer> {
  const sentAt = Date.now()
  const answer = await client.request(method, path, body)
  const answeredAt = Date.now()
  const header = answer.kind === 'response' ? answer.headers.date : undefined
  const date = typeof header === 'string' ? header : undefined
  exchanges.push({ sentAt, answeredAt, date })
  return { status: answer.kind === 'response' ? answer.status : 0, answer, date }
}

/** The JSON object of an answer's body, or an empty one. */
function objectIn(answer: ApiResult): Record<string, unknown> {
  const value = answer.kind === 'response' ? parseJson(answer.body) : undefined
  return isRecord(value) ? value : {}
}

class Stop extends Error {}
const mustAnswer = (answer: Answer, status: number, doing: string): Answer => {
  if (answer.status !== status)
    throw new Stop(`${doing} failed (${describeFailure(answer.answer)})`)
  return answer
}
const log = (line: string): void =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`)

const unique = `${Date.now().toString(36)}${randomUUID().slice(0, 8)}`
const email = `refresh-segment-live-check-${unique}@${args['email-domain']}`.toLowerCase()
const state: { segmentId: string | null; contactWritten: boolean; refreshSpent: boolean } = {
  segmentId: null,
  contactWritten: false,
  refreshSpent: false
}

interface SegmentRead {
  segment: SegmentSnapshot
  /** The Date header of the answer: SendGrid's clock. */
  date: string | undefined
}

const reading = ({ segment, date }: SegmentRead, acceptedAt: number | null): Reading => ({
  seconds:
    acceptedAt === null ? null : Math.round((Date.parse(date ?? '') - acceptedAt) / 100) / 10,
  last_refreshed_at: segment.lastRefreshedAt,
  sample_updated_at: segment.sampleUpdatedAt,
  updated_at: segment.updatedAt,
  contacts_count: segment.contactsCount,
  refreshes_used: segment.refreshesUsed
})

async function readSegment(): Promise<SegmentRead> {
  const read = mustAnswer(
    await call('GET', `/v3/marketing/segments/2.0/${state.segmentId}?contacts_sample=false`),
    200,
    'Reading the segment'
  )
  const segment = segmentIn(read.answer)
  if (!segment) throw new Stop('SendGrid answered the read with a body that is not a segment')
  return { segment, date: read.date }
}

async function measure() {
  // 1. A segment that matches exactly one new address, computed once by SendGrid.
  const created = mustAnswer(
    await call('POST', '/v3/marketing/segments/2.0', {
      name: `refresh-segment live check ${unique}`,
      query_dsl: `SELECT contact_id, updated_at FROM contact_data WHERE email = '${email}'`
    }),
    201,
    'Creating the segment'
  )
  const id = objectIn(created.answer).id
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id))
    throw new Stop('SendGrid created the segment without an id')
  state.segmentId = id
  log(`Created segment ${state.segmentId} for ${email}; waiting for its first compute.`)
  await pollUntil(
    readSegment,
    (read) => Boolean(read.segment.sampleUpdatedAt),
    seconds(300),
    'its first compute'
  )

  // 2. The contact, and its job until it finished.
  const written = mustAnswer(
    await call('PUT', '/v3/marketing/contacts', { contacts: [{ email }] }),
    202,
    'Writing the contact'
  )
  state.contactWritten = true
  const jobId = written.answer.kind === 'response' ? jobIdIn(written.answer.body) : null
  if (jobId === null || !/^[A-Za-z0-9_-]{1,64}$/.test(jobId))
    throw new Stop('SendGrid answered the contact write without a job ID')
  log(`Wrote the contact (job ${jobId}); waiting for the job to finish.`)
  const job = await pollUntil(
    async () =>
      contactJobIn(
        jobId,
        mustAnswer(
          await call('GET', `/v3/marketing/contacts/imports/${jobId}`),
          200,
          'Reading the contact job'
        ).answer
      ),
    (job) => job.status !== 'pending',
    seconds(300),
    'the contact job'
  )
  log(`The contact job ended ${job.status} at ${job.finishedAt}.`)
  if (job.status === 'failed') throw new Stop('The contact job failed: SendGrid wrote no contact')

  // 3. The settle time, as contacts-settle-seconds would.
  if (settleSeconds > 0) {
    log(`Waiting ${settleSeconds} s (--settle-seconds).`)
    await sleep(seconds(settleSeconds), stopping.signal)
  }
  if (stopping.signal.aborted) throw new Stop('Stopped by a signal before the refresh')

  // 4. One refresh, then a read every 2 s until the recompute has shown, and 10 s more.
  const before = reading(await readSegment(), null)
  const refresh = await call('POST', `/v3/marketing/segments/2.0/refresh/${state.segmentId}`, {
    user_time_zone: 'UTC'
  })
  if (refresh.status === 429)
    throw new Stop('SendGrid refused the refresh: a refresh limit is reached (HTTP 429)')
  mustAnswer(refresh, 202, 'Refreshing the segment')
  state.refreshSpent = true
  const acceptedAt = Date.parse(refresh.date ?? '') || Date.now()
  log(`SendGrid accepted the refresh (Date: ${refresh.date}).`)
  const timeline: Reading[] = []
  const deadline = Date.now() + seconds(900)
  let shownAt: number | null = null
  while (Date.now() < deadline && !stopping.signal.aborted) {
    await sleep(seconds(2), stopping.signal)
    if (stopping.signal.aborted) break
    const now = reading(await readSegment(), acceptedAt)
    timeline.push(now)
    log(
      `+${now.seconds} s: last_refreshed_at ${now.last_refreshed_at}, sample_updated_at ${now.sample_updated_at}, updated_at ${now.updated_at}, contacts_count ${now.contacts_count}, refreshes_used ${now.refreshes_used}`
    )
    if (shownAt === null && recomputeShown(timeline, before)) shownAt = Date.now()
    if (shownAt !== null && Date.now() - shownAt >= seconds(10)) break
  }
  return {
    before,
    timeline,
    ...findings({
      before,
      timeline,
      acceptedAt,
      jobFinishedAt: job.finishedAt ? Date.parse(job.finishedAt) : null
    })
  }
}

async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  limitMs: number,
  what: string
): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    if (stopping.signal.aborted) throw new Stop(`Stopped by a signal while waiting for ${what}`)
    const value = await read()
    if (done(value)) return value
    if (Date.now() >= deadline)
      throw new Stop(`Gave up waiting for ${what} after ${Math.round(limitMs / 1000)} s`)
    await sleep(seconds(2), stopping.signal)
  }
}

/** The ID of the contact a search by address found: `result.<address>.contact.id`. */
function contactIdIn(found: Record<string, unknown>): string | null {
  const result = isRecord(found.result) ? found.result[email] : null
  const contact = isRecord(result) ? result.contact : null
  return isRecord(contact) && typeof contact.id === 'string' ? contact.id : null
}

/** Deletes what the check created, and says what, if anything, is left for a person to delete. */
async function cleanUp() {
  const left: string[] = []
  if (state.segmentId) {
    const deleted = await call('DELETE', `/v3/marketing/segments/2.0/${state.segmentId}`)
    if ([200, 202, 204, 404].includes(deleted.status)) log(`Deleted segment ${state.segmentId}.`)
    else left.push(`segment ${state.segmentId} (deleting it answered ${deleted.status})`)
  }
  if (state.contactWritten) {
    // SendGrid's search can lag behind the job: look the contact up for a while.
    const deadline = Date.now() + (stopping.signal.aborted ? seconds(6) : seconds(60))
    let contactId: string | null = null
    while (contactId === null && Date.now() < deadline) {
      const found = await call('POST', '/v3/marketing/contacts/search/emails', { emails: [email] })
      contactId = bodyOf200(found.answer) === null ? null : contactIdIn(objectIn(found.answer))
      if (contactId === null) await new Promise((resolve) => setTimeout(resolve, seconds(2)))
    }
    const deleted = contactId
      ? await call('DELETE', `/v3/marketing/contacts?ids=${encodeURIComponent(contactId)}`)
      : null
    if (deleted?.status === 202) log(`Deleted contact ${email} (${contactId}).`)
    else
      left.push(
        `contact ${email}${contactId ? ` (${contactId})` : ''}: delete it in SendGrid's Marketing > Contacts`
      )
  }
  return left
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping.signal.aborted) return
    log(`${signal}: stopping, then deleting what the check created.`)
    stopping.abort()
  })
}

let result: Awaited<ReturnType<typeof measure>> | null = null
let failure: string | null = null
try {
  result = await measure()
  if (stopping.signal.aborted) failure = 'Stopped by a signal before the recompute showed'
} catch (error) {
  failure = error instanceof Stop ? error.message : `Unexpected error: ${(error as Error).message}`
} finally {
  const left = await cleanUp()
  for (const thing of left) console.error(`Left behind, delete it by hand: ${thing}`)
  const report = {
    api_url: baseUrl,
    email,
    refresh_spent: state.refreshSpent,
    clock_offset_seconds: clockOffsetSeconds(exchanges),
    ...(result ?? {}),
    ...(failure ? { stopped: failure } : {}),
    left_behind: left
  }
  writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`)
  console.log('\nFindings:')
  for (const [name, value] of Object.entries(report)) {
    if (name !== 'timeline' && name !== 'before') console.log(`  ${name}: ${JSON.stringify(value)}`)
  }
  console.log(`Written to ${args.out}.`)
  if (failure) {
    console.error(`live-check: ${failure}.`)
    process.exitCode = 1
  } else if (result?.recomputed_by === 'last_refreshed_at') {
    console.error(
      'live-check: on this account a refresh did not move sample_updated_at, and last_refreshed_at was written when the recompute finished: set recomputed-by: last_refreshed_at for wait to be right here.'
    )
    process.exitCode = 1
  } else if (result?.recomputed_by === null) {
    console.error(
      'live-check: no field showed the recompute on this account (sample_updated_at did not move after the refresh was accepted, and last_refreshed_at was not seen written by the recompute), so no value of recomputed-by makes wait right here: do not gate a send on wait on this account.'
    )
    process.exitCode = 1
  }
}
