// A refresh long before a send cannot make it fresher: SendGrid recomputes every segment on its own
// at least once a day, so by the send time the audience has been recomputed again anyway.
import { describeInstant } from '../time/human-time.js'
import { log } from '../report/log.js'
import { scheduledSendTime, type SingleSend } from './single-sends.js'

const dayMs = 24 * 60 * 60_000

/**
 * Warns of each scheduled Single Send that goes out more than 24 hours after the run started and
 * has at least one segment among `refreshing`. The refreshes are still sent as asked.
 */
export function warnOfCampaignsDaysAway(
  singleSends: SingleSend[],
  refreshing: string[],
  timeZone: string,
  runStartedAt: number
): void {
  for (const singleSend of singleSends) {
    const sendAt = scheduledSendTime(singleSend)
    if (sendAt === null || sendAt - runStartedAt <= dayMs) continue
    if (!singleSend.segmentIds.some((id) => refreshing.includes(id))) continue
    log.warning(
      `Single Send "${singleSend.name}" goes out ${describeInstant(sendAt, timeZone, runStartedAt)}, more than 24 hours from now. SendGrid recomputes its segments on its own at least once a day before then, so a run within the hour before the send (single-sends-within-minutes on a schedule) gives a fresher audience. Its segments are refreshed now as asked.`,
      { title: 'Single Send more than a day away' }
    )
  }
}
