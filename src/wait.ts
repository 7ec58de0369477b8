// Holds the run until SendGrid has actually recomputed each refreshed segment. SendGrid exposes no
// job status, so a segment is done when its last_refreshed_at or sample_updated_at moves past the
// value read before the refresh: SendGrid's clock against SendGrid's clock.
import { log } from './log.js'
import { segmentLabel, withSnapshot, type RefreshLog, type SegmentResult } from './outcomes.js'
import type { Settings } from './inputs.js'
import type { SentRefresh } from './refresh.js'
import {
  describeInstant,
  elapsed,
  formatCount,
  parseTime,
  timeOfDay,
  wholeSeconds
} from './human-time.js'
import { sleep } from './retry.js'
import type { SendGridClient } from './sendgrid-client.js'
import { segmentIn, type SegmentSnapshot } from './sendgrid-answers.js'
import { scheduledSendTime, type SingleSend } from './single-sends.js'

/**
 * Polls until every accepted refresh has landed or `wait-timeout-seconds` runs out. A Single Send's
 * send time is a deadline too: when one falls due while its segments are still recomputing, that is
 * said at that moment.
 */
export async function waitForRefreshes(
  client: SendGridClient,
  settings: Settings,
  sent: SentRefresh[],
  singleSends: SingleSend[] = [],
  record?: RefreshLog
): Promise<SegmentResult[]> {
  const results = sent.map(({ result }) => result)
  const pending = new Map(
    sent.map((s, index) => [index, s] as const).filter(([, s]) => s.result.outcome === 'refreshed')
  )
  if (pending.size === 0) return results

  const started = Date.now()
  const deadline = started + settings.waitTimeoutMs
  log.info(
    `Waiting up to ${wholeSeconds(settings.waitTimeoutMs)} for ${pending.size} segment(s) to finish refreshing...`
  )

  const pendingIds = (): string[] => [...pending.values()].map((s) => s.result.segmentId)
  const settle = (index: number, result: SegmentResult): void => {
    results[index] = result
    record?.answered(result)
  }
  const campaigns = dueCampaigns(singleSends, settings.timeZone)

  while (pending.size > 0 && Date.now() < deadline) {
    // A little jitter keeps many waiting workflows from polling in step.
    const pause = settings.waitIntervalMs * (1 + Math.random() * 0.1)
    const wakeAt = Math.min(Date.now() + pause, deadline, campaigns.nextDue(pendingIds()))
    await sleep(Math.max(0, wakeAt - Date.now()), client.signal)
    // A cancelled run sends no more polls; what was learnt so far is in the record.
    if (client.signal.aborted) return results
    const polled = [...pending]
    const reads = await Promise.all(polled.map(([, s]) => client.getSegment(s.result.segmentId)))
    polled.forEach(([index, refresh], i) => {
      const answer = reads[i]
      const { result } = refresh
      const label = segmentLabel(result.segmentId, result.segmentName)
      if (answer.kind === 'response' && answer.status === 404) {
        pending.delete(index)
        // SendGrid accepted the refresh: it stays refreshed (and spent), never recomputed.
        settle(index, {
          ...result,
          annotation: 'error',
          reason: 'deleted while waiting for its refresh to finish',
          message: `${label} was deleted while waiting for its refresh to finish (reading it answered HTTP 404).`
        })
        return
      }
      const now = segmentIn(answer)
      if (!now) {
        const why = answer.kind === 'response' ? `HTTP ${answer.status}` : answer.reason
        log.info(`Could not read ${label} (${why}); still waiting.`)
        return
      }
      const shownBy = recomputeShownBy(now, refresh)
      if (shownBy) {
        pending.delete(index)
        const done = finished(withSnapshot(result, now), refresh, shownBy, settings.timeZone)
        settle(index, done)
        // Said once, here, as it happens (with the contacts): the final report does not repeat it.
        log.info(done.message)
      }
    })
    campaigns.warnIfDue(pendingIds(), (id) => labelOf(sent, id), Date.now())
    if (pending.size > 0) {
      log.info(
        `Still waiting for ${pending.size} segment(s) after ${elapsed(Date.now() - started)}: ${[...pending.values()].map((s) => s.result.segmentName ?? s.result.segmentId).join(', ')}`
      )
    }
  }

  for (const [index, { result }] of pending) {
    settle(index, {
      ...result,
      annotation: 'error',
      reason: `refresh accepted, but not recomputed within ${wholeSeconds(settings.waitTimeoutMs)}; do not send to it yet`,
      message: `${segmentLabel(result.segmentId, result.segmentName)}: SendGrid accepted the refresh${result.jobId ? ` (refresh job ${result.jobId})` : ''}, but it had not finished after ${wholeSeconds(settings.waitTimeoutMs)} (wait-timeout-seconds). The segment may still be recomputing; do not send to it yet.`
    })
  }
  return results
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

function labelOf(sent: SentRefresh[], segmentId: string): string {
  const result = sent.find((s) => s.result.segmentId === segmentId)?.result
  return segmentLabel(segmentId, result?.segmentName ?? null)
}

type RecomputeField = 'last_refreshed_at' | 'sample_updated_at'

/**
 * Which of SendGrid's fields shows a recompute after the refresh, or null while neither does. A field
 * shows it when it is later than the value read before the refresh, or set where none was: SendGrid's
 * clock against SendGrid's own, so a runner whose clock is off cannot end the wait early or never.
 * Only where no read before the refresh succeeded is the runner's clock used: the moment the refresh
 * was sent, to SendGrid's whole seconds.
 * Rests on last_refreshed_at being written when the recompute finishes, not when the refresh is
 * accepted: `npm run live-check` measures that (its finding `last_refreshed_at_written`).
 */
export function recomputeShownBy(
  now: SegmentSnapshot,
  refresh: Pick<SentRefresh, 'sentAt' | 'before'>
): RecomputeField | null {
  const fields = [
    ['last_refreshed_at', 'lastRefreshedAt'],
    ['sample_updated_at', 'sampleUpdatedAt']
  ] as const
  for (const [field, key] of fields) {
    const after = parseTime(now[key])
    if (after === null) continue
    if (refresh.before) {
      const before = parseTime(refresh.before[key])
      if (before === null || after > before) return field
    } else if (after >= Math.floor(refresh.sentAt / 1000) * 1000) return field
  }
  return null
}

function finished(
  result: SegmentResult,
  refresh: Pick<SentRefresh, 'before' | 'acceptedAt'>,
  shownBy: RecomputeField,
  timeZone: string
): SegmentResult {
  const label = segmentLabel(result.segmentId, result.segmentName)
  const contactsBefore = refresh.before?.contactsCount ?? null
  const count =
    result.contactsCount === null
      ? ''
      : contactsBefore === null
        ? ` It now has ${formatCount(result.contactsCount)} contacts.`
        : ` It now has ${formatCount(result.contactsCount)} contacts (${formatCount(contactsBefore)} before).`
  const at = parseTime(
    shownBy === 'last_refreshed_at' ? result.lastRefreshedAt : result.sampleUpdatedAt
  )!
  const after =
    refresh.acceptedAt === null
      ? ''
      : `, about ${Math.max(0, Math.round((at - refresh.acceptedAt) / 1000))} s after SendGrid accepted the refresh`
  const when = `at ${timeOfDay(at, timeZone)} by SendGrid's ${shownBy}${after}`
  return {
    ...result,
    contactsCountBefore: contactsBefore,
    recomputed: true,
    reason: `refreshed and recomputed ${when}`,
    message: `${label} refreshed${result.jobId ? ` (refresh job ${result.jobId})` : ''} and recomputed ${when.replace(' by', ` ${timeZone} by`)}.${count}`
  }
}
