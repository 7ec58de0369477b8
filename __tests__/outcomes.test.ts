import { describe, expect, it } from '@jest/globals'
import { classifyRefresh, rateLimitResetTime, type ClassifyContext } from '../src/outcomes.js'
import type { ApiResult } from '../src/sendgrid-client.js'

const segmentId = '1588e03b-50aa-454a-97d1-e1530345a5ec'
const context: ClassifyContext = {
  segmentId,
  segmentName: null,
  onRateLimit: 'warn',
  host: 'api.sendgrid.com',
  timeZone: 'UTC',
  now: Date.parse('2026-11-26T12:00:00Z')
}

const answer = (
  status: number,
  body = '',
  headers: Record<string, string> = {},
  extra = {}
): ApiResult => ({
  kind: 'response',
  status,
  body,
  headers,
  attempts: 1,
  lostEarlierAttempt: false,
  ...extra
})

describe('classifyRefresh', () => {
  it('counts a 202 with a job ID as refreshed, without an annotation', () => {
    expect(classifyRefresh(answer(202, '{"job_id":"j-1"}'), context)).toMatchObject({
      outcome: 'refreshed',
      httpStatus: 202,
      jobId: 'j-1',
      annotation: null
    })
  })

  it.each(['{}', '{"job_id":42}', '{"job_id":""}', 'not json', ''])(
    'counts a 202 with body %j as refreshed with a warning',
    (body) => {
      const result = classifyRefresh(answer(202, body), context)
      expect(result).toMatchObject({ outcome: 'refreshed', jobId: null, annotation: 'warning' })
      expect(result.message).toContain('no job ID')
    }
  )

  it.each([
    [400, /rejected the request as invalid \(HTTP 400\)/],
    [401, /rejected the API key.*\(HTTP 401\)/],
    [403, /Marketing Campaigns Basic or Advanced plan.*Marketing access \(HTTP 403\)/],
    [404, /does not exist in this SendGrid account.*\(HTTP 404\)/],
    [409, /SendGrid refused the request \(HTTP 409\)/],
    [502, /server error and still failed after 1 attempt.*\(HTTP 502\)/]
  ])('explains HTTP %i as a failure', (status, expected) => {
    const result = classifyRefresh(answer(status, '{"error":"their words"}'), context)
    expect(result).toMatchObject({
      outcome: 'failed',
      httpStatus: status,
      annotation: 'error',
      jobId: null
    })
    expect(result.message).toMatch(expected)
    expect(result.message).toContain('SendGrid said: their words')
  })

  it('names the segment by name when it has one', () => {
    const result = classifyRefresh(answer(404), { ...context, segmentName: 'VIP' })
    expect(result.message).toMatch(/^Segment "VIP" \(1588e03b-/)
  })

  it('makes a 429 a warning, or an error under on-rate-limit: fail', () => {
    const warned = classifyRefresh(answer(429), context)
    expect(warned).toMatchObject({
      outcome: 'rate_limited',
      annotation: 'warning',
      httpStatus: 429
    })
    expect(warned.message).toContain(
      '1 manual refresh per segment per hour, 2 per segment per day and 10 per account per day'
    )
    expect(classifyRefresh(answer(429), { ...context, onRateLimit: 'fail' }).annotation).toBe(
      'error'
    )
  })

  it('gives the reset time of a 429 and says an earlier lost attempt may have landed', () => {
    const result = classifyRefresh(
      answer(
        429,
        '',
        { 'x-ratelimit-reset': '1798761600' },
        { lostEarlierAttempt: true, attempts: 2 }
      ),
      context
    )
    expect(result.message).toContain(
      'The limit resets on 2027-01-01 at 00:00 UTC, in 35 days (X-RateLimit-Reset).'
    )
    expect(result.nextRefreshAt).toBe('2027-01-01T00:00:00Z')
    expect(result.message).toContain('may already have accepted that refresh')
  })

  it.each([
    ['timeout', /did not answer in time \(no answer within 1 s\) after 3 attempts/],
    ['network', /could not reach SendGrid at api.sendgrid.com \(ECONNREFUSED\) after 3 attempts/]
  ] as const)('explains a %s', (reason, expected) => {
    const result = classifyRefresh(
      {
        kind: 'no-response',
        reason,
        detail: reason === 'timeout' ? 'no answer within 1 s' : 'ECONNREFUSED',
        attempts: 3,
        lostEarlierAttempt: true
      },
      context
    )
    expect(result).toMatchObject({ outcome: 'failed', httpStatus: null, annotation: 'error' })
    expect(result.message).toMatch(expected)
  })
})

describe('rateLimitResetTime', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0)
  it('reads Unix epoch seconds', () => {
    expect(rateLimitResetTime('1798761600', now)).toBe('2027-01-01T00:00:00Z')
  })
  it('reads a small number as seconds until the reset', () => {
    expect(rateLimitResetTime('90', now)).toBe('2026-11-26T12:01:30Z')
  })
  it.each([undefined, '', 'soon', '-5'])('ignores %j', (value) => {
    expect(rateLimitResetTime(value, now)).toBeNull()
  })
  it('reads the first of repeated headers', () => {
    expect(rateLimitResetTime(['60', '120'], now)).toBe('2026-11-26T12:01:00Z')
  })
})
