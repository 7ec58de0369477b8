// Refreshes every planned segment at once. One segment's failure never stops or hides another's,
// and each answer reaches the run's record as it arrives.
import type { Settings } from './inputs.js'
import { classifyRefresh, withSnapshot, type RefreshLog, type SegmentResult } from './outcomes.js'
import type { PlannedRefresh } from './preflight.js'
import type { ApiResult, SendGridClient } from './sendgrid-client.js'
import type { SegmentSnapshot } from './sendgrid-answers.js'

export interface SentRefresh {
  result: SegmentResult
  /** When the first attempt was sent (the runner's clock). */
  sentAt: number
  /** When SendGrid accepted it, by the Date header of its answer (SendGrid's clock, whole seconds). */
  acceptedAt: number | null
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
      const known = counted(withSnapshot(result, before))
      record.answered(known)
      const acceptedAt = result.outcome === 'refreshed' ? dateHeader(answer) : null
      return { result: known, sentAt, acceptedAt, before }
    })
  )
}

/** An accepted refresh counts against today's refreshes, until SendGrid is read again. */
function counted(result: SegmentResult): SegmentResult {
  if (result.outcome !== 'refreshed' || result.refreshesUsed === null) return result
  return { ...result, refreshesUsed: result.refreshesUsed + 1 }
}

function dateHeader(answer: ApiResult): number | null {
  if (answer.kind !== 'response') return null
  const date = answer.headers.date
  const ms = typeof date === 'string' ? Date.parse(date) : NaN
  return Number.isNaN(ms) ? null : ms
}
