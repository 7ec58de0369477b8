// A refresh more than a day before a send cannot make the send fresher: the action says so.
import { describe, expect, it } from '@jest/globals'
import { warnOfCampaignsDaysAway } from '../../src/stages/campaigns-days-away.js'
import type { SingleSend } from '../../src/stages/single-sends.js'
import { captureStdout } from '../support/capture-stdout.js'

const stdout = captureStdout()
const started = Date.parse('2026-11-27T12:00:00Z')
const dayMs = 24 * 60 * 60_000
const campaign = (fields: Partial<SingleSend>): SingleSend => ({
  id: 'c-1',
  name: 'Winter sale',
  status: 'scheduled',
  sendAt: new Date(started + 6 * dayMs).toISOString(),
  segmentIds: ['s-1', 's-2'],
  listIds: [],
  all: false,
  ...fields
})
const warned = () => stdout.text.split('\n').filter(Boolean)

describe('warnOfCampaignsDaysAway', () => {
  it('warns of a campaign more than 24 hours away with a segment the run refreshes', () => {
    warnOfCampaignsDaysAway([campaign({})], ['s-2'], 'Europe/Berlin', started)
    expect(warned()).toEqual([
      '::warning title=Single Send more than a day away::Single Send "Winter sale" goes out on 2026-12-03 at 13:00 Europe/Berlin, in 6 days, more than 24 hours from now. SendGrid recomputes its segments on its own at least once a day before then, so a run within the hour before the send (single-sends-within-minutes on a schedule) gives a fresher audience. Its segments are refreshed now as asked.'
    ])
  })

  it('says nothing at 24 hours or less, for drafts, or when none of its segments is refreshed', () => {
    warnOfCampaignsDaysAway(
      [
        campaign({ sendAt: new Date(started + dayMs).toISOString() }),
        campaign({ status: 'draft', sendAt: null }),
        campaign({ status: 'draft' }),
        campaign({ segmentIds: ['s-9'] })
      ],
      ['s-1'],
      'UTC',
      started
    )
    expect(warned()).toEqual([])
    warnOfCampaignsDaysAway(
      [campaign({ sendAt: new Date(started + dayMs + 1000).toISOString() })],
      ['s-1'],
      'UTC',
      started
    )
    expect(warned()).toHaveLength(1)
  })
})
