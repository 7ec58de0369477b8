import { describe, expect, it } from '@jest/globals'
import { newResult } from '../../src/run/results.js'
import { campaignHeading } from '../../src/report/sentences.js'
import type { ServedSingleSend } from '../../src/stages/single-sends.js'
import { dueCampaigns } from '../../src/stages/wait.js'
import { captureStdout } from '../support/capture-stdout.js'

const now = Date.parse('2026-11-27T12:58:00Z')
const campaign = (fields: Partial<ServedSingleSend>): ServedSingleSend => ({
  id: 'c-1',
  name: 'Black Friday',
  status: 'scheduled',
  sendAt: '2026-11-27T13:00:00Z',
  segmentIds: ['s-1', 's-2'],
  listIds: [],
  all: false,
  nothingToRefresh: null,
  ...fields
})

const stdout = captureStdout()

describe('dueCampaigns', () => {
  const label = (id: string) => `Segment ${id}`

  it('wakes the wait at the next send time of a campaign whose segments are pending', () => {
    const due = dueCampaigns(
      [
        campaign({}),
        campaign({ id: 'c-2', sendAt: '2026-11-27T12:59:00Z', segmentIds: ['s-9'] }),
        campaign({ id: 'c-3', status: 'draft', sendAt: '2026-11-27T12:58:30Z' })
      ],
      'UTC'
    )
    expect(due.nextDue(['s-2'])).toBe(Date.parse('2026-11-27T13:00:00Z'))
    expect(due.nextDue(['s-9', 's-1'])).toBe(Date.parse('2026-11-27T12:59:00Z'))
    expect(due.nextDue(['s-7'])).toBe(Infinity)
  })

  it('warns once, when the send time comes, naming the campaign, its time and what is recomputing', () => {
    const due = dueCampaigns([campaign({})], 'Europe/Berlin')
    due.warnIfDue(['s-1', 's-2'], label, now)
    expect(stdout.text).toBe('')
    due.warnIfDue(['s-1', 's-2'], label, Date.parse('2026-11-27T13:00:00Z'))
    expect(stdout.text).toBe(
      '::warning title=Single Send due before its audience is fresh::Single Send "Black Friday" was due at 14:00 Europe/Berlin, in less than a minute, and Segment s-1, Segment s-2 are still recomputing: it may go out to the audience as it was before the refresh.\n'
    )
    due.warnIfDue(['s-1'], label, Date.parse('2026-11-27T13:01:00Z'))
    expect(stdout.text.split('\n').filter(Boolean)).toHaveLength(1)
    expect(due.nextDue(['s-1'])).toBe(Infinity)
  })

  it('says nothing when the audience finished in time', () => {
    const due = dueCampaigns([campaign({})], 'UTC')
    due.warnIfDue([], label, Date.parse('2026-11-27T13:05:00Z'))
    expect(stdout.text).toBe('')
  })
})

describe('campaignHeading', () => {
  const result = (outcome: 'fresh' | 'refreshed', recomputed = false) => ({
    ...newResult('s', null, {
      outcome,
      httpStatus: null,
      annotation: null,
      message: '',
      reason: ''
    }),
    recomputed
  })

  it('says when the campaign sends and whether its audience is ready', () => {
    expect(
      campaignHeading(
        campaign({}),
        [result('fresh'), result('refreshed', true)],
        'Europe/Berlin',
        now
      )
    ).toBe('"Black Friday" sends at 14:00 Europe/Berlin, in 2 minutes: audience ready')
    expect(campaignHeading(campaign({}), [result('fresh'), result('refreshed')], 'UTC', now)).toBe(
      '"Black Friday" sends at 13:00 UTC, in 2 minutes: 1 of 2 segment(s) ready'
    )
    expect(campaignHeading(campaign({ status: 'draft' }), [], 'UTC', now)).toBe(
      '"Black Friday" is a draft, not scheduled: audience ready'
    )
  })
})
