// Holds the run until SendGrid has actually recomputed each refreshed segment. SendGrid exposes no
// job status, so a segment is done when the field that shows a finished recompute moves past the
// value read before the refresh (recompute.ts): SendGrid's clock against SendGrid's clock. A refresh
// accepted before this run and still recomputing is waited for the same way, with no budget spent.
import { checkAudience } from '../run/audience-guards.js'
import { log } from '../report/log.js'
import { segmentLabel, withSnapshot, type RefreshLog, type SegmentResult } from '../run/results.js'
import type { Settings } from '../inputs/settings.js'
import type { EarlierRefresh } from './preflight.js'
import { recomputeSeen, type RecomputeBaseline, type RecomputedBy } from '../run/recompute.js'
import type { SentRefresh } from './refresh.js'
import {
  describeInstant,
  elapsed,
  formatCount,
  timeOfDay,
  wholeSeconds
} from '../time/human-time.js'
import { pollPauseMs, sleep } from '../sendgrid/retry.js'
import type { SendGridClient } from '../sendgrid/client.js'
import {
  describeFailure,
  segmentIn,
  segmentListIn,
  type SegmentSnapshot
} from '../sendgrid/answers.js'
import { scheduledSendTime, type SingleSend } from './single-sends.js'

/** One recompute the wait watches for: of this run's refresh, or of an earlier one. */
interface Watched {
  result: SegmentResult
  baseline: RecomputeBaseline & { before: SegmentSnapshot | null }
  earlier: boolean
}

/**
 * Polls until every accepted refresh (this run's, and `earlier` ones still recomputing) has been
 * recomputed or `wait-timeout-seconds` runs out. A Single Send's send time is a deadline too: when
 * one falls due while its segments are still recomputing, that is said at that moment. Returns the
 * results of `sent`, then of `earlier`.
 */
export async function waitForRefreshes(
  client: SendGridClient,
  settings: WaitSettings,
  sent: SentRefresh[],
  singleSends: SingleSend[] = [],
  record?: RefreshLog,
  earlier: EarlierRefresh[] = []
): Promise<SegmentResult[]> {
  const watched: Watched[] = [
    ...sent.map(({ result, before, acceptedAt, sentAt }) => ({
      result,
      baseline: { before, acceptedAt, sentAt },
      earlier: false
    })),
    ...earlier.map(({ result, before, acceptedAt }) => ({
      result,
      baseline: { before, acceptedAt, sentAt: null },
      earlier: true
    }))
  ]
  const results = watched.map(({ result }) => result)
  const pending = new Map(
    watched
      .map((w, index) => [index, w] as const)
      .filter(([, w]) => w.earlier || w.result.outcome === 'refreshed')
  )
  if (pending.size === 0) return results

  const started = Date.now()
  const deadline = started + settings.waitTimeoutMs
  log.info(
    `Waiting up to ${wholeSeconds(settings.waitTimeoutMs)} for ${pending.size} segment(s) to finish ${earlier.length > 0 ? 'recomputing' : 'refreshing'}...`
  )

  const pendingIds = (): string[] => [...pending.values()].map((w) => w.result.segmentId)
  const known = (index: number, result: SegmentResult): void => {
    results[index] = result
    record?.answered(result)
  }
  const campaigns = dueCampaigns(singleSends, settings.timeZone)

  while (pending.size > 0 && Date.now() < deadline) {
    const pause = pollPauseMs(settings.waitIntervalMs)
    const wakeAt = Math.min(Date.now() + pause, deadline, campaigns.nextDue(pendingIds()))
    await sleep(Math.max(0, wakeAt - Date.now()), client.signal)
    // A cancelled run sends no more polls; what was learnt so far is in the record.
    if (client.signal.aborted) return results
    const polled = [...pending]
    const readings = await readRound(
      client,
      polled.map(([, w]) => w.result.segmentId),
      settings.recomputedBy,
      deadline
    )
    polled.forEach(([index, w]) => {
      const reading = readings.get(w.result.segmentId)!
      const label = segmentLabel(w.result.segmentId, w.result.segmentName)
      if ('deleted' in reading) {
        pending.delete(index)
        known(index, deleted(w, label))
        return
      }
      if ('unread' in reading) {
        log.info(`Could not read ${label} (${reading.unread}); still waiting.`)
        return
      }
      // The list carries no refresh fields: what was known of them stands.
      const { refreshesUsed, maxRefreshes, lastRefreshedAt } = w.result
      const now = reading.listed
        ? { ...reading.snapshot, refreshesUsed, maxRefreshes, lastRefreshedAt }
        : reading.snapshot
      const at = recomputeSeen(now, w.baseline, settings.recomputedBy)
      if (at !== null) {
        pending.delete(index)
        const done = checkAudience(
          finished(withSnapshot(w.result, now), w, at, settings),
          settings,
          { countBefore: w.baseline.before?.contactsCount ?? null }
        )
        known(index, done)
        // Said once, here, as it happens (with the contacts): the final report does not repeat it.
        log.info(done.message)
      }
    })
    campaigns.warnIfDue(pendingIds(), (id) => labelOf(watched, id), Date.now())
    if (pending.size > 0) {
      log.info(
        `Still waiting for ${pending.size} segment(s) after ${elapsed(Date.now() - started)}: ${[...pending.values()].map((w) => (w.result.segmentName === null ? w.result.segmentId : JSON.stringify(w.result.segmentName))).join(', ')}`
      )
    }
  }

  for (const [index, w] of pending) known(index, timedOut(w, settings))
  return results
}

/** What one round learnt of a segment waited for. */
type Reading =
  { snapshot: SegmentSnapshot; listed: boolean } | { deleted: true } | { unread: string }

/**
 * One round of reads. Under `recomputed-by: sample_updated_at` one list answer carries every
 * segment's last recompute and count, so a round costs one request; a segment missing from it is
 * read by ID (404: deleted). A list that cannot be read loses the round, not a segment. The refresh
 * fields are only on a segment's own read: `recomputed-by: last_refreshed_at` reads each.
 */
async function readRound(
  client: SendGridClient,
  segmentIds: string[],
  recomputedBy: RecomputedBy,
  deadline: number
): Promise<Map<string, Reading>> {
  const readings = new Map<string, Reading>()
  let byId = segmentIds
  if (recomputedBy === 'sample_updated_at') {
    const answer = await client.listSegments(deadline)
    const listed = segmentListIn(answer)
    if (!listed) {
      const why = `reading the segment list failed: ${describeFailure(answer)}`
      for (const id of segmentIds) readings.set(id, { unread: why })
      return readings
    }
    byId = segmentIds.filter((id) => !listed.has(id.toLowerCase()))
    for (const id of segmentIds) {
      const snapshot = listed.get(id.toLowerCase())
      if (snapshot) readings.set(id, { snapshot, listed: true })
    }
  }
  const answers = await Promise.all(byId.map((id) => client.getSegment(id, deadline)))
  byId.forEach((id, i) => {
    const answer = answers[i]
    const snapshot = segmentIn(answer)
    if (answer.kind === 'response' && answer.status === 404) readings.set(id, { deleted: true })
    else if (snapshot) readings.set(id, { snapshot, listed: false })
    else
      readings.set(id, {
        unread: answer.kind === 'response' ? `HTTP ${answer.status}` : answer.reason
      })
  })
  return readings
}

type WaitSettings = Pick<
  Settings,
  | 'waitTimeoutMs'
  | 'waitIntervalMs'
  | 'timeZone'
  | 'recomputedBy'
  | 'onRateLimit'
  | 'minContacts'
  | 'maxContactsChangePercent'
  | 'failUnlessReady'
>

/** Deleted while waiting: an accepted refresh stays refreshed (and spent), never recomputed. */
function deleted({ result, earlier }: Watched, label: string): SegmentResult {
  if (earlier) {
    return {
      ...result,
      outcome: 'failed',
      annotation: 'error',
      reason: 'deleted while waiting for its recompute',
      message: `${label} was deleted while waiting for SendGrid to recompute it (reading it answered HTTP 404). No refresh was sent.`
    }
  }
  return {
    ...result,
    annotation: 'error',
    reason: 'deleted while waiting for its refresh to finish',
    message: `${label} was deleted while waiting for its refresh to finish (reading it answered HTTP 404).`
  }
}

function timedOut({ result, earlier }: Watched, settings: WaitSettings): SegmentResult {
  const label = segmentLabel(result.segmentId, result.segmentName)
  const within = wholeSeconds(settings.waitTimeoutMs)
  if (earlier) {
    return {
      ...result,
      annotation: settings.onRateLimit === 'fail' ? 'error' : 'warning',
      reason: `${result.reason}, not recomputed within ${within}; do not send to it yet`,
      message: `${label}: a refresh SendGrid accepted before this run had not finished recomputing after ${within} (wait-timeout-seconds). No refresh was sent, since SendGrid allows one an hour; do not send to it yet.`
    }
  }
  return {
    ...result,
    annotation: 'error',
    reason: `refresh accepted, but not recomputed within ${within}; do not send to it yet`,
    message: `${label}: SendGrid accepted the refresh${result.jobId ? ` (refresh job ${result.jobId})` : ''}, but it had not finished after ${within} (wait-timeout-seconds). The segment may still be recomputing; do not send to it yet.`
  }
}

/** The scheduled Single Sends among `singleSends`, each warned about once when it falls due too early. */
export function dueCampaigns(singleSends: SingleSend[], timeZone: string) {
  const scheduled = singleSends.flatMap((s) => {
    const sendAt = scheduledSendTime(s)
    return sendAt === null ? [] : [{ singleSend: s, sendAt }]
  })
  const warned = new Set<string>()
  const waitingFor = (c: (typeof scheduled)[number], pendingIds: string[]) =>
    c.singleSend.segmentIds.filter((id) => pendingIds.includes(id))
  return {
    /** The next send time still to come of a campaign whose segments are pending (ms), or Infinity. */
    nextDue(pendingIds: string[]): number {
      return Math.min(
        ...scheduled
          .filter((c) => !warned.has(c.singleSend.id) && waitingFor(c, pendingIds).length > 0)
          .map((c) => c.sendAt)
      )
    },
    warnIfDue(pendingIds: string[], label: (segmentId: string) => string, now: number): void {
      for (const c of scheduled) {
        const recomputing = waitingFor(c, pendingIds)
        if (c.sendAt > now || warned.has(c.singleSend.id) || recomputing.length === 0) continue
        warned.add(c.singleSend.id)
        log.warning(
          `Single Send "${c.singleSend.name}" was due ${describeInstant(c.sendAt, timeZone, now)}, and ${recomputing.map(label).join(', ')} ${recomputing.length > 1 ? 'are' : 'is'} still recomputing: it may go out to the audience as it was before the refresh.`,
          { title: 'Single Send due before its audience is fresh' }
        )
      }
    }
  }
}

function labelOf(watched: Watched[], segmentId: string): string {
  const result = watched.find((w) => w.result.segmentId === segmentId)?.result
  return segmentLabel(segmentId, result?.segmentName ?? null)
}

/** The result once the wait saw the recompute at `at` (SendGrid's clock, ms). */
function finished(
  result: SegmentResult,
  { baseline, earlier }: Watched,
  at: number,
  settings: Pick<Settings, 'timeZone' | 'recomputedBy'>
): SegmentResult {
  const { timeZone, recomputedBy } = settings
  const label = segmentLabel(result.segmentId, result.segmentName)
  const contactsBefore = baseline.before?.contactsCount ?? null
  const count =
    result.contactsCount === null
      ? ''
      : contactsBefore === null
        ? ` It now has ${formatCount(result.contactsCount)} contacts.`
        : ` It now has ${formatCount(result.contactsCount)} contacts (${formatCount(contactsBefore)} before).`
  if (earlier) {
    const accepted = `after a refresh accepted at ${timeOfDay(baseline.acceptedAt!, timeZone)} ${timeZone}, before this run`
    return {
      ...result,
      outcome: 'fresh',
      recomputed: true,
      annotation: null,
      nextRefreshAt: null,
      contactsCountBefore: contactsBefore,
      reason: `recomputed at ${timeOfDay(at, timeZone)} ${timeZone}, ${accepted}`,
      message: `${label} is fresh: recomputed at ${timeOfDay(at, timeZone)} ${timeZone} by SendGrid's ${recomputedBy}, ${accepted}. No refresh was sent, so no budget was spent.${count}`
    }
  }
  const seconds =
    baseline.acceptedAt === null ? null : Math.round((at - baseline.acceptedAt) / 1000)
  const time = timeOfDay(at, timeZone)
  // The summary says when and how; the log also says which of SendGrid's fields showed it.
  const after = seconds === null ? '' : `, ${seconds} s after the refresh`
  const accepted =
    seconds === null ? '' : `, about ${seconds} s after SendGrid accepted the refresh`
  return {
    ...result,
    contactsCountBefore: contactsBefore,
    recomputed: true,
    reason: `recomputed at ${time} ${timeZone}${after}`,
    message: `${label} refreshed${result.jobId ? ` (refresh job ${result.jobId})` : ''} and recomputed at ${time} ${timeZone} by SendGrid's ${recomputedBy}${accepted}.${count}`
  }
}
