// Pauses between requests: exponential back-off for retries and the poll interval, each with jitter
// so many workflows do not arrive in step; and a sleep a cancelled run cuts short.

export const firstRetryDelayMs = 1000
export const maxRetryDelayMs = 30_000

/** Delay before retry number `retry` (1 for the first retry): 1 s, 2 s, 4 s... each scaled by 50-100%. */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxRetryDelayMs, firstRetryDelayMs * 2 ** (retry - 1))
  return Math.round(ceiling * (0.5 + random() / 2))
}

/** The pause between two polls: the interval plus up to 10%, so many waiting workflows do not poll in step. */
export function pollPauseMs(intervalMs: number, random: () => number = Math.random): number {
  return intervalMs * (1 + random() * 0.1)
}

/** Waits `ms`, or less when `signal` aborts first (a cancelled run stops waiting at once). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
