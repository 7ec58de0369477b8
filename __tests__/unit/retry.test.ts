import { describe, expect, it } from '@jest/globals'
import { backoffDelayMs, sleep } from '../../src/sendgrid/retry.js'
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

describe('sleep', () => {
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
