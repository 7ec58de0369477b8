// SendGrid's general rate limit: its headers read on SendGrid's clock, how long to stay away, and
// which 429 on a refresh is the busy account rather than the refresh quota.
import { describe, expect, it } from '@jest/globals'
import {
  answerTime,
  isGeneralLimit,
  rateLimitPauseMs,
  remainingOf,
  resetAtMs
} from '../../src/sendgrid/rate-limit.js'
import { InFlightLimit } from '../../src/sendgrid/in-flight.js'

const runnerNow = Date.parse('2026-12-06T10:00:00.000Z')
// SendGrid's clock runs 30 s behind the runner's here: its Date header is what counts.
const date = 'Sun, 06 Dec 2026 09:59:30 GMT'
const sendGridNow = Date.parse(date)

describe('answerTime', () => {
  it("takes SendGrid's Date header, and the fallback without one that parses", () => {
    expect(answerTime({ date }, runnerNow)).toBe(sendGridNow)
    expect(answerTime({}, runnerNow)).toBe(runnerNow)
    expect(answerTime({ date: 'soon' }, runnerNow)).toBe(runnerNow)
  })
})

describe('resetAtMs', () => {
  it('reads seconds from now against the Date header', () => {
    expect(resetAtMs({ date, 'x-ratelimit-reset': '25' }, runnerNow)).toBe(sendGridNow + 25_000)
    expect(resetAtMs({ 'x-ratelimit-reset': ' 3 ' }, runnerNow)).toBe(runnerNow + 3000)
  })

  it('reads Unix epoch seconds as they are', () => {
    expect(resetAtMs({ 'x-ratelimit-reset': '1796551200' }, runnerNow)).toBe(1_796_551_200_000)
    // The smallest epoch still read as one, and the largest count of seconds.
    expect(resetAtMs({ 'x-ratelimit-reset': '1000000001' }, 0)).toBe(1_000_000_001_000)
    expect(resetAtMs({ 'x-ratelimit-reset': '1000000000' }, 0)).toBe(1_000_000_000_000)
  })

  it('is null without a whole number', () => {
    for (const reset of [undefined, '', 'soon', '1.5', '-1'])
      expect(resetAtMs({ 'x-ratelimit-reset': reset }, runnerNow)).toBeNull()
    expect(resetAtMs({ 'x-ratelimit-reset': ['7', '9'] }, runnerNow)).toBe(runnerNow + 7000)
  })
})

describe('rateLimitPauseMs', () => {
  it('waits until the reset, plus up to a quarter second', () => {
    const headers = { date, 'x-ratelimit-reset': '25' }
    expect(rateLimitPauseMs(headers, runnerNow, () => 0)).toBe(25_000)
    expect(rateLimitPauseMs(headers, runnerNow, () => 1)).toBe(25_250)
    const epoch = { date, 'x-ratelimit-reset': String(sendGridNow / 1000 + 4) }
    expect(rateLimitPauseMs(epoch, runnerNow, () => 0)).toBe(4000)
  })

  it('waits at most a minute, and no less than nothing', () => {
    expect(rateLimitPauseMs({ date, 'x-ratelimit-reset': '3600' }, runnerNow, () => 0)).toBe(60_000)
    const past = { date, 'x-ratelimit-reset': String(sendGridNow / 1000 - 10) }
    expect(rateLimitPauseMs(past, runnerNow, () => 0)).toBe(0)
  })

  it('waits about a second when SendGrid names no reset', () => {
    expect(rateLimitPauseMs({}, runnerNow, () => 0)).toBe(750)
    expect(rateLimitPauseMs({}, runnerNow, () => 0.5)).toBe(1000)
    expect(rateLimitPauseMs({}, runnerNow, () => 1)).toBe(1250)
  })
})

describe('isGeneralLimit', () => {
  it('is nothing left in a window that resets within a minute', () => {
    const general = { date, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' }
    expect(isGeneralLimit(general, runnerNow)).toBe(true)
    expect(isGeneralLimit({ ...general, 'x-ratelimit-reset': '1' }, runnerNow)).toBe(true)
    expect(isGeneralLimit({ ...general, 'x-ratelimit-remaining': ' 0 ' }, runnerNow)).toBe(true)
  })

  it('is the refresh quota otherwise: a reset an hour or a day away, something left, or no headers', () => {
    const general = { date, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '61' }
    expect(isGeneralLimit(general, runnerNow)).toBe(false)
    const hourly = String(Math.ceil((sendGridNow + 3_600_000) / 1000))
    expect(isGeneralLimit({ ...general, 'x-ratelimit-reset': hourly }, runnerNow)).toBe(false)
    expect(
      isGeneralLimit(
        { ...general, 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '1' },
        runnerNow
      )
    ).toBe(false)
    expect(isGeneralLimit({ 'x-ratelimit-remaining': '0' }, runnerNow)).toBe(false)
    expect(isGeneralLimit({}, runnerNow)).toBe(false)
  })
})

describe('remainingOf', () => {
  it('says what is left of the limit, with the limit when SendGrid gave it, for the log', () => {
    expect(remainingOf({ 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '600' })).toBe(
      ', 0 of 600 left'
    )
    expect(remainingOf({ 'x-ratelimit-remaining': '3', 'x-ratelimit-limit': 'many' })).toBe(
      ', 3 left'
    )
    expect(remainingOf({ 'x-ratelimit-remaining': 'none', 'x-ratelimit-limit': '600' })).toBe('')
    expect(remainingOf({})).toBe('')
  })
})

describe('InFlightLimit', () => {
  it('runs at most so many at once, the rest in arrival order as places free', async () => {
    const limit = new InFlightLimit(2)
    const started: number[] = []
    const finish: Array<() => void> = []
    let running = 0
    let most = 0
    const work = (n: number) =>
      limit.run(async () => {
        started.push(n)
        most = Math.max(most, ++running)
        await new Promise<void>((resolve) => finish.push(resolve))
        running--
        return n
      })
    const all = Promise.all([1, 2, 3, 4].map(work))
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([1, 2])
    finish.shift()!()
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([1, 2, 3])
    while (finish.length > 0) {
      finish.shift()!()
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await all).toEqual([1, 2, 3, 4])
    expect(most).toBe(2)
    expect(started).toEqual([1, 2, 3, 4])
  })

  it('frees its place when the work fails, and holds ten by default', async () => {
    const limit = new InFlightLimit()
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    let running = 0
    let most = 0
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limit.run(async () => {
          most = Math.max(most, ++running)
          await new Promise((resolve) => setTimeout(resolve, 5))
          running--
        })
      )
    )
    expect(most).toBe(10)
  })
})
