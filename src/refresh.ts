// Refreshes every planned segment at once. One segment's failure never stops or hides another's,
// and each answer reaches the run's record as it arrives.
import type { Settings } from './inputs.js'
import { classifyRefresh, withSnapshot, type RefreshLog, type SegmentResult } from './outcomes.js'
import type { PlannedRefresh } from './preflight.js'
import type { SendGridClient } from './sendgrid-client.js'
import type { SegmentSnapshot } from './sendgrid-answers.js'

export interface SentRefresh {
  result: SegmentResult
  /** When the first attempt was sent; SendGrid's last_refreshed_at reaches it once the refresh lands. */
  sentAt: number
  before: SegmentSnapshot | null
}

export async function refreshSegments(
  client: SendGridClient,
  settings: Settings,
  planned: PlannedRefresh[],
  record: RefreshLog
): Promise<SentRefresh[]> {
  const host = new URL(settings.baseUrl).host
  return Promise.all(
    planned.map(async ({ target, before }) => {
      const sentAt = Date.now()
      record.sending(target.segmentId)
      const answer = await client.refreshSegment(target.segmentId, settings.timeZone)
      const result = classifyRefresh(answer, {
        ...target,
        onRateLimit: settings.onRateLimit,
        timeZone: settings.timeZone,
        host,
        now: Date.now()
      })
      const known = withSnapshot(result, before)
      record.answered(known)
      return { result: known, sentAt, before }
    })
  )
}
