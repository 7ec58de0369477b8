// Exponential back-off with jitter, so retries from many workflows do not arrive in step.

export const firstRetryDelayMs = 1000
export const maxRetryDelayMs = 30_000

/** Delay before retry number `retry` (1 for the first retry): 1 s, 2 s, 4 s... each scaled by 50-100%. */
export function backoffDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxRetryDelayMs, firstRetryDelayMs * 2 ** (retry - 1))
  return Math.round(ceiling * (0.5 + random() / 2))
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
