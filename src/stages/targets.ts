// What a run is to refresh: every segment once, from wherever it was named, in the order in which
// the scarce refresh budget is spent on them.
import type { Settings } from '../inputs/settings.js'
import { log } from '../report/log.js'
import { findSegmentsByName } from './segment-names.js'
import type { SendGridClient } from '../sendgrid/client.js'
import { scheduledSendTime, type ServedSingleSend } from './single-sends.js'

export interface Target {
  segmentId: string
  segmentName: string | null
  /** The Single Sends of this run that go to the segment. */
  singleSendIds: string[]
  /** When the soonest scheduled one of them goes out (ms), or null. */
  sendAt: number | null
}

export const newTarget = (segmentId: string, segmentName: string | null = null): Target => ({
  segmentId,
  segmentName,
  singleSendIds: [],
  sendAt: null
})

/**
 * Segment IDs, then segment names, then the segments of the Single Sends, in that order; a segment
 * reached more than once appears once.
 */
export async function resolveTargets(
  client: SendGridClient,
  settings: Settings,
  singleSends: ServedSingleSend[]
): Promise<Target[]> {
  const targets: Target[] = settings.segmentIds.map((segmentId) => newTarget(segmentId))
  if (settings.segmentNames.length > 0) {
    for (const { id, name } of await findSegmentsByName(client, settings.segmentNames)) {
      const existing = targets.find((t) => t.segmentId === id)
      if (!existing) {
        targets.push(newTarget(id, name))
        continue
      }
      if (existing.segmentName === null) {
        log.info(
          `Segment "${name}" (${id}) was given both by ID and by name; it is refreshed once.`
        )
      }
      existing.segmentName = name
    }
  }
  for (const singleSend of singleSends.filter((s) => s.nothingToRefresh === null)) {
    const sendAt = scheduledSendTime(singleSend)
    for (const id of singleSend.segmentIds) {
      let existing = targets.find((t) => t.segmentId === id)
      if (!existing) targets.push((existing = newTarget(id)))
      existing.singleSendIds.push(singleSend.id)
      if (sendAt !== null && (existing.sendAt === null || sendAt < existing.sendAt))
        existing.sendAt = sendAt
    }
  }
  return targets
}

/**
 * The order in which segments get the refresh budget when it cannot cover them all: the segments of
 * the Single Send that goes out soonest first, then the rest in the order they were given in.
 */
export function inRefreshOrder<T extends { target: Target }>(planned: T[], targets: Target[]): T[] {
  const rank = (entry: T): number => targets.indexOf(entry.target)
  const sendAt = (entry: T): number => entry.target.sendAt ?? Infinity
  return [...planned].sort((a, b) => sendAt(a) - sendAt(b) || rank(a) - rank(b))
}
