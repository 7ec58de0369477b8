import { describe, expect, it } from '@jest/globals'
import { newResult, type SegmentResult } from '../../src/run/results.js'
import { countsLine, headline } from '../../src/report/sentences.js'

const now = Date.parse('2026-11-27T23:41:00Z') // 00:41 in Berlin
const result = (
  name: string,
  outcome: SegmentResult['outcome'],
  extra: Partial<SegmentResult> = {}
): SegmentResult =>
  newResult(`id-${name}`, name, {
    outcome,
    httpStatus: null,
    annotation: null,
    message: '',
    reason: '',
    ...extra
  })

describe('headline', () => {
  it('says every audience is ready when all are fresh or recomputed', () => {
    const results = [result('Spring', 'fresh'), result('VIP', 'refreshed', { recomputed: true })]
    expect(headline(results, 'Europe/Berlin', now)).toBe('All 2 audiences are ready to send to.')
    expect(headline([result('VIP', 'fresh')], 'UTC', now)).toBe('"VIP" is ready to send to.')
  })

  it('names what is not ready, and until when, in the time zone', () => {
    const results = [
      result('Spring', 'fresh'),
      result('VIP customers', 'rate_limited', { nextRefreshAt: '2026-11-28T00:23:00Z' }),
      result('Churn', 'refreshed'),
      result('Win-back', 'refreshed'),
      result('Lapsed', 'failed'),
      result('Unknown limit', 'rate_limited')
    ]
    expect(headline(results, 'Europe/Berlin', now)).toBe(
      '1 of 6 audiences is ready to send to: "Spring". SendGrid accepted the refresh of "Churn" and "Win-back" and is recomputing them; with wait: true the job waits until that is done. "VIP customers" can be refreshed again at 01:23 Europe/Berlin, in 42 minutes. "Unknown limit" hit SendGrid\'s refresh limit. "Lapsed" failed; see why below.'
    )
  })

  it('says so when no segment was to be refreshed', () => {
    expect(headline([], 'UTC', now)).toBe('No segment was to be refreshed in this run.')
  })

  it('speaks of the one audience when there is one', () => {
    expect(headline([result('VIP', 'refreshed')], 'UTC', now)).toBe(
      '"VIP" is not ready to send to yet. SendGrid accepted its refresh and is recomputing it; with wait: true the job waits until that is done.'
    )
  })

  it('after a wait that ended first, says the wait ended, not that the job waits', () => {
    expect(
      headline([result('VIP', 'refreshed'), result('Spring', 'refreshed')], 'UTC', now, true)
    ).toBe(
      '0 of 2 audiences are ready to send to. SendGrid accepted the refresh of "VIP" and "Spring", but the wait ended before it showed them recomputed; see why below.'
    )
    expect(headline([result('VIP', 'refreshed')], 'UTC', now, true)).toBe(
      '"VIP" is not ready to send to yet. SendGrid accepted its refresh, but the wait ended before it showed it recomputed; see why below.'
    )
  })

  it('names one audience once: the other sentences say it', () => {
    const limited = {
      ...result('VIP', 'rate_limited'),
      nextRefreshAt: new Date(now + 42 * 60_000).toISOString()
    }
    expect(headline([limited], 'UTC', now)).toBe(
      '"VIP" is not ready to send to yet. It can be refreshed again tomorrow at 00:23 UTC, in 42 minutes.'
    )
    expect(headline([{ ...limited, nextRefreshAt: null }], 'UTC', now)).toBe(
      '"VIP" is not ready to send to yet. It hit SendGrid\'s refresh limit.'
    )
    expect(headline([result('VIP', 'failed')], 'UTC', now)).toBe(
      '"VIP" is not ready to send to yet. It failed; see why below.'
    )
  })

  it('quotes names, since they may hold commas, and uses the segment ID where there is no name', () => {
    const commas = [result('Spring sale, EU customers', 'fresh'), result('VIP', 'fresh')]
    expect(headline([...commas, result('Newsletter', 'failed')], 'UTC', now)).toBe(
      '2 of 3 audiences are ready to send to: "Spring sale, EU customers" and "VIP". "Newsletter" failed; see why below.'
    )
    const unnamed = { ...result('x', 'failed'), segmentName: null }
    expect(headline([unnamed, result('A', 'fresh')], 'UTC', now)).toBe(
      '1 of 2 audiences is ready to send to: "A". id-x failed; see why below.'
    )
  })
})

describe('countsLine', () => {
  it('counts every outcome', () => {
    expect(countsLine([result('a', 'fresh'), result('b', 'fresh'), result('c', 'failed')])).toBe(
      '0 refreshed, 2 fresh, 0 rate-limited, 1 failed'
    )
  })
})
