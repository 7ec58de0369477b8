import { describe, expect, it } from '@jest/globals'
import { getEventListeners } from 'node:events'
import { backoffDelayMs, pollPauseMs, sleep } from '../../src/sendgrid/retry.js'
import { settlesThisTurn } from '../support/event-loop.js'

describe('backoffDelayMs', () => {
  it('doubles from one second, scaled by 50-100% jitter', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, () => 1))).toEqual([
      1000, 2000, 4000, 8000
    ])
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, () => 0))).toEqual([
      500, 1000, 2000, 4000
    ])
  })

  it('never waits more than 30 seconds', () => {
    expect(backoffDelayMs(20, () => 1)).toBe(30_000)
  })

  it('spreads retries out', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(1)))
    expect(delays.size).toBeGreaterThan(1)
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(500)
  })
})

describe('pollPauseMs', () => {
  it('adds up to a tenth of the interval', () => {
    expect(pollPauseMs(2000, () => 0)).toBe(2000)
    expect(pollPauseMs(2000, () => 0.5)).toBe(2100)
    expect(pollPauseMs(2000, () => 1)).toBe(2200)
  })

  it('spreads polls out', () => {
    const pauses = new Set(Array.from({ length: 20 }, () => pollPauseMs(1000)))
    expect(pauses.size).toBeGreaterThan(1)
    for (const pause of pauses) expect(pause).toBeGreaterThanOrEqual(1000)
    for (const pause of pauses) expect(pause).toBeLessThanOrEqual(1100)
  })
})

describe('sleep', () => {
  it('stops listening for the cancel once it has waited', async () => {
    const cancel = new AbortController()
    await sleep(5, cancel.signal)
    expect(getEventListeners(cancel.signal, 'abort')).toHaveLength(0)
  })

  it('waits, or stops at once when the run is cancelled', async () => {
    const started = Date.now()
    await sleep(60)
    expect(Date.now() - started).toBeGreaterThanOrEqual(55)
    const cancel = new AbortController()
    const sleeping = sleep(5000, cancel.signal)
    await new Promise((resolve) => setTimeout(resolve, 30))
    cancel.abort()
    expect(await settlesThisTurn(sleeping)).toBe(true)
    // Already cancelled: it does not start to wait.
    expect(await settlesThisTurn(sleep(5000, cancel.signal))).toBe(true)
  })
})
