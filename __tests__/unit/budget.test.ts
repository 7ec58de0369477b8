import { describe, expect, it } from '@jest/globals'
import { accountDailyRefreshLimit, withinRunBudget } from '../../src/stages/budget.js'
import type { Target } from '../../src/stages/targets.js'

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`
const targets: Target[] = Array.from({ length: 12 }, (_, n) => ({
  segmentId: id(n),
  segmentName: null,
  singleSendIds: [],
  sendAt: null
}))
const planned = (indexes: number[]) => indexes.map((n) => ({ target: targets[n], before: null }))
const now = Date.parse('2026-11-27T13:17:00Z')
const settings = { timeZone: 'Europe/Berlin', onRateLimit: 'warn' as const }

describe('withinRunBudget', () => {
  it("sends at most the account's daily maximum, in the order the segments were given", () => {
    // The pre-flight hands them over in any order; the given order decides.
    const { send, overBudget } = withinRunBudget(
      planned([11, 3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 10]),
      targets,
      settings,
      now
    )
    expect(accountDailyRefreshLimit).toBe(10)
    expect(send.map((p) => p.target.segmentId)).toEqual(
      targets.slice(0, 10).map((t) => t.segmentId)
    )
    expect(overBudget.map((r) => r.segmentId)).toEqual([id(10), id(11)])
  })

  it('rate-limits the rest without a request, naming the account limit and its reset', () => {
    const { overBudget } = withinRunBudget(planned([...Array(11).keys()]), targets, settings, now)
    expect(overBudget).toHaveLength(1)
    expect(overBudget[0]).toMatchObject({
      outcome: 'rate_limited',
      httpStatus: null,
      jobId: null,
      annotation: 'warning',
      nextRefreshAt: '2026-11-28T00:00:00Z',
      reason:
        "over the account's limit of 10 refreshes a day; resets tomorrow at 01:00 Europe/Berlin, in 10 h 43 min"
    })
    expect(overBudget[0].message).toContain('10 per account per day')
    expect(overBudget[0].message).toContain('No refresh request was sent.')
  })

  it('makes them errors under on-rate-limit: fail', () => {
    const { overBudget } = withinRunBudget(
      planned([...Array(12).keys()]),
      targets,
      { ...settings, onRateLimit: 'fail' },
      now
    )
    expect(overBudget.map((r) => r.annotation)).toEqual(['error', 'error'])
  })

  it('sends everything when ten or fewer need a refresh', () => {
    const { send, overBudget } = withinRunBudget(planned([2, 5]), targets, settings, now)
    expect(send).toHaveLength(2)
    expect(overBudget).toEqual([])
  })
})
