// Refreshes every requested segment at once and keeps the results in input order.
// One segment's failure never stops or hides another's result.
import type { Settings } from './inputs.js'
import { classifyRefresh, type SegmentResult } from './outcomes.js'
import type { SendGridClient } from './sendgrid-client.js'

export interface Target {
  segmentId: string
  segmentName: string | null
}

export async function refreshSegments(
  client: SendGridClient,
  settings: Settings,
  targets: Target[]
): Promise<SegmentResult[]> {
  return Promise.all(
    targets.map(async ({ segmentId, segmentName }) => {
      const answer = await client.refreshSegment(segmentId, settings.timeZone)
      return classifyRefresh(answer, {
        segmentId,
        segmentName,
        onRateLimit: settings.onRateLimit,
        host: new URL(settings.baseUrl).host
      })
    })
  )
}
