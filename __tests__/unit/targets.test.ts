// What a run refreshes: each segment once, from IDs, names and campaigns, with the soonest send time
// of the scheduled campaigns that go to it.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Settings } from '../../src/inputs/settings.js'
import { SendGridClient } from '../../src/sendgrid/client.js'
import type { ServedSingleSend } from '../../src/stages/single-sends.js'
import { resolveTargets } from '../../src/stages/targets.js'
import { captureStdout } from '../support/capture-stdout.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const seg = (n: number) => `5e600000-0000-4000-8000-00000000000${n}`
const at = (iso: string) => Date.parse(iso)
const stdout = captureStdout()
let simulator: Awaited<ReturnType<typeof startSimulator>>
let client: SendGridClient
afterEach(async () => {
  client.dispose()
  await simulator.close()
})

async function resolve(given: Partial<Settings>, singleSends: ServedSingleSend[] = []) {
  simulator = await startSimulator({
    segments: [1, 2, 3].map((n) => ({ id: seg(n), name: `Segment ${n}` }))
  })
  client = new SendGridClient({
    apiKey: demoApiKey,
    baseUrl: simulator.url,
    onBehalfOf: null,
    timeoutMs: 5000,
    maxRetries: 0
  })
  const settings = { segmentIds: [], segmentNames: [], ...given } as unknown as Settings
  return resolveTargets(client, settings, singleSends)
}

const campaign = (
  id: string,
  status: string,
  sendAt: string | null,
  segmentIds: string[]
): ServedSingleSend => ({
  id,
  name: id,
  status,
  sendAt,
  segmentIds,
  listIds: [],
  all: false,
  nothingToRefresh: null
})

describe('resolveTargets', () => {
  it('lists the segments only when names are given', async () => {
    const targets = await resolve({ segmentIds: [seg(1)] })
    expect(targets.map((t) => t.segmentId)).toEqual([seg(1)])
    expect(simulator.requests).toEqual([])
  })

  it('keeps a segment given by ID and by name once, named, and says so once', async () => {
    const targets = await resolve({
      segmentIds: [seg(2)],
      segmentNames: ['Segment 2', 'Segment 1']
    })
    expect(targets).toEqual([
      { segmentId: seg(2), segmentName: 'Segment 2', singleSendIds: [], sendAt: null },
      { segmentId: seg(1), segmentName: 'Segment 1', singleSendIds: [], sendAt: null }
    ])
    expect(stdout.text.match(/given both by ID and by name/g)).toHaveLength(1)
  })

  it('adds the segments of campaigns once each, with the soonest scheduled send time', async () => {
    const targets = await resolve({ segmentIds: [seg(3)] }, [
      campaign('later', 'scheduled', '2026-12-01T12:00:00Z', [seg(1), seg(3)]),
      campaign('draft', 'draft', '2026-11-28T08:00:00Z', [seg(2)]),
      campaign('sooner', 'scheduled', '2026-11-30T12:00:00Z', [seg(1)]),
      campaign('latest', 'scheduled', '2026-12-24T12:00:00Z', [seg(1)]),
      campaign('unscheduled', 'draft', null, [seg(1)]),
      { ...campaign('lists', 'scheduled', '2026-11-28T00:00:00Z', [seg(2)]), nothingToRefresh: 'x' }
    ])
    expect(targets).toEqual([
      {
        segmentId: seg(3),
        segmentName: null,
        singleSendIds: ['later'],
        sendAt: at('2026-12-01T12:00:00Z')
      },
      {
        segmentId: seg(1),
        segmentName: null,
        singleSendIds: ['later', 'sooner', 'latest', 'unscheduled'],
        sendAt: at('2026-11-30T12:00:00Z')
      },
      // A draft's send_at has no effect until it is scheduled.
      { segmentId: seg(2), segmentName: null, singleSendIds: ['draft'], sendAt: null }
    ])
  })
})
