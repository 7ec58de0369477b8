// What a run is to refresh: every segment once, from wherever it was named, in the order in which
// the scarce refresh budget is spent on them.
import * as core from '@actions/core'
import type { Settings } from './inputs.js'
import { findSegmentsByName } from './segment-names.js'
import type { SendGridClient } from './sendgrid-client.js'

export interface Target {
  segmentId: string
  segmentName: string | null
}

/** Segment IDs, then segment names, in input order; a segment given both ways appears once. */
export async function resolveTargets(
  client: SendGridClient,
  settings: Settings
): Promise<Target[]> {
  const targets: Target[] = settings.segmentIds.map((segmentId) => ({
    segmentId,
    segmentName: null
  }))
  if (settings.segmentNames.length === 0) return targets

  for (const { id, name } of await findSegmentsByName(client, settings.segmentNames)) {
    const existing = targets.find((t) => t.segmentId === id)
    if (!existing) {
      targets.push({ segmentId: id, segmentName: name })
      continue
    }
    if (existing.segmentName === null) {
      core.info(`Segment "${name}" (${id}) was given both by ID and by name; it is refreshed once.`)
    }
    existing.segmentName = name
  }
  return targets
}

/**
 * The order in which segments get the refresh budget when it cannot cover them all: the order they
 * were given in.
 */
export function inRefreshOrder<T extends { target: Target }>(planned: T[], targets: Target[]): T[] {
  const rank = (entry: T): number => targets.indexOf(entry.target)
  return [...planned].sort((a, b) => rank(a) - rank(b))
}
