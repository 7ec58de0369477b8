// Refreshes every planned segment at once. One segment's failure never stops or hides another's.
import type { Settings } from './inputs.js'
import { classifyRefresh, withSnapshot, type SegmentResult } from './outcomes.js'
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
  planned: PlannedRefresh[]
): Promise<SentRefresh[]> {
  const host = new URL(settings.baseUrl).host
  return Promise.all(
    planned.map(async ({ target, before }) => {
      const sentAt = Date.now()
      const answer = await client.refreshSegment(target.segmentId, settings.timeZone)
      const result = classifyRefresh(answer, {
        ...target,
        onRateLimit: settings.onRateLimit,
        timeZone: settings.timeZone,
        host,
        now: Date.now()
      })
      return { result: withSnapshot(result, before), sentAt, before }
    })
  )
}
