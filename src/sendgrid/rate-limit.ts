// SendGrid's general rate limit, shared by every integration on the account: what its 429 and
// X-RateLimit-* headers say, and how long to stay away. Its clock is read against its own Date
// header, never the runner's.
import type { IncomingHttpHeaders } from 'node:http'

/** The longest one pause for the rate limit lasts: SendGrid's windows reset within a minute. */
export const maxRateLimitPauseMs = 60_000
/** The pause when SendGrid names no reset: about a second. */
export const unknownResetPauseMs = 1000

/** How often SendGrid asked this run to slow down, and how long the run waited for it. */
export interface SlowDowns {
  times: number
  waitedMs: number
}

const headerValue = (header: string | string[] | undefined): string | undefined =>
  Array.isArray(header) ? header[0] : header

/** The answer's own Date header (ms), or `fallback` when it has none that parses. */
export function answerTime(headers: IncomingHttpHeaders, fallback: number): number {
  const date = headerValue(headers.date)
  const ms = date === undefined ? NaN : Date.parse(date)
  return Number.isNaN(ms) ? fallback : ms
}

/**
 * When the limit resets (ms on SendGrid's clock), from X-RateLimit-Reset: seconds from now (what
 * SendGrid's gateway was seen to send) or Unix epoch seconds (what its docs say); a value too small
 * to be a recent epoch is the former. Null without a readable header.
 */
export function resetAtMs(headers: IncomingHttpHeaders, now: number): number | null {
  const raw = headerValue(headers['x-ratelimit-reset'])?.trim()
  if (!raw || !/^\d+$/.test(raw)) return null
  const seconds = Number(raw)
  return seconds > 1_000_000_000 ? seconds * 1000 : answerTime(headers, now) + seconds * 1000
}

/**
 * How long to stay away after a 429 (ms): until the reset it names, at most a minute, plus up to a
 * quarter second of jitter so that many clients do not come back in step; about a second without one.
 */
export function rateLimitPauseMs(
  headers: IncomingHttpHeaders,
  receivedAt: number,
  random: () => number = Math.random
): number {
  const reset = resetAtMs(headers, receivedAt)
  if (reset === null) return Math.round(unknownResetPauseMs * (0.75 + random() / 2))
  const untilReset = reset - answerTime(headers, receivedAt)
  return Math.round(Math.min(maxRateLimitPauseMs, Math.max(0, untilReset)) + random() * 250)
}

/**
 * A 429 on a refresh from the general limit, not the refresh quota: nothing left in a window that
 * resets within a minute. The quota's windows are an hour or a day.
 */
export function isGeneralLimit(headers: IncomingHttpHeaders, receivedAt: number): boolean {
  const remaining = headerValue(headers['x-ratelimit-remaining'])?.trim()
  const reset = resetAtMs(headers, receivedAt)
  return (
    remaining === '0' &&
    reset !== null &&
    reset - answerTime(headers, receivedAt) <= maxRateLimitPauseMs
  )
}

/** ", 0 of 600 left", from X-RateLimit-Remaining and -Limit when SendGrid sent them, for the log. */
export function remainingOf(headers: IncomingHttpHeaders): string {
  const remaining = headerValue(headers['x-ratelimit-remaining'])
  const limit = headerValue(headers['x-ratelimit-limit'])
  if (!remaining || !/^\d+$/.test(remaining)) return ''
  return limit && /^\d+$/.test(limit) ? `, ${remaining} of ${limit} left` : `, ${remaining} left`
}
