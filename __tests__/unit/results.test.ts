import { describe, expect, it } from '@jest/globals'
import {
  accessProblem,
  isReady,
  newResult,
  notReadyReason,
  notReadyReasons,
  refreshLimitsSentence,
  segmentLabel,
  withSnapshot,
  type SegmentResult
} from '../../src/run/results.js'
import {
  classifyRefresh,
  rateLimitResetTime,
  type ClassifyContext
} from '../../src/stages/refresh.js'
import { tooLargeWords, type SegmentSnapshot } from '../../src/sendgrid/answers.js'
import type { ApiResult } from '../../src/sendgrid/client.js'

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

  it('tells the general limit, refused again after its reset, from the refresh quota', () => {
    const busy = answer(429, '', {
      date: 'Thu, 26 Nov 2026 12:00:00 GMT',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1'
    })
    const result = classifyRefresh(busy, context)
    expect(result).toMatchObject({
      outcome: 'rate_limited',
      httpStatus: 429,
      annotation: 'warning',
      nextRefreshAt: '2026-11-26T12:00:01Z',
      reason:
        "SendGrid's rate limit for requests refused it again after its reset (HTTP 429); no refresh was spent"
    })
    expect(result.message).toBe(
      `Segment ${segmentId} was not refreshed: SendGrid's rate limit for requests (shared by every integration on the account) refused the refresh, and again once it had reset (HTTP 429, X-RateLimit-Remaining: 0). That is not the refresh quota, and no refresh was spent; try again in a minute. The limit resets at 12:00 UTC, in less than a minute (X-RateLimit-Reset).`
    )
    expect(classifyRefresh(busy, { ...context, onRateLimit: 'fail' }).annotation).toBe('error')
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

// The exact words a user reads, in the log and in the summary's table, for each kind of answer.
describe('the words of each result', () => {
  const named = { ...context, segmentName: 'VIP' }
  const label = `Segment "VIP" (${segmentId})`

  it('says which host has an untrusted certificate, without retry counts', () => {
    const result = classifyRefresh(
      {
        kind: 'no-response',
        reason: 'certificate',
        detail:
          'the TLS certificate of api.sendgrid.com is not trusted (SELF_SIGNED_CERT_IN_CHAIN)',
        attempts: 1,
        lostEarlierAttempt: false
      },
      named
    )
    expect(result).toEqual(
      newResult(segmentId, 'VIP', {
        outcome: 'failed',
        httpStatus: null,
        annotation: 'error',
        reason: 'the TLS certificate of api.sendgrid.com is not trusted',
        message: `${label} was not refreshed: the TLS certificate of api.sendgrid.com is not trusted (SELF_SIGNED_CERT_IN_CHAIN).`
      })
    )
  })

  it.each([
    [
      'timeout',
      'SendGrid did not answer in time',
      'SendGrid did not answer in time (no answer within 30 s) after 1 attempt'
    ],
    [
      'network',
      'SendGrid could not be reached',
      'could not reach SendGrid at api.sendgrid.com (no answer within 30 s) after 1 attempt'
    ]
  ] as const)('words a %s on the only attempt', (reason, shortReason, cause) => {
    const result = classifyRefresh(
      {
        kind: 'no-response',
        reason,
        detail: 'no answer within 30 s',
        attempts: 1,
        lostEarlierAttempt: false
      },
      named
    )
    expect(result.reason).toBe(shortReason)
    expect(result.message).toBe(
      `${label} was not refreshed: ${cause}. It may be a network problem or a SendGrid outage; try again later.`
    )
  })

  it('words an accepted refresh, with and without a job ID', () => {
    expect(classifyRefresh(answer(202, '{"job_id":"j-1"}'), named)).toEqual(
      newResult(segmentId, 'VIP', {
        outcome: 'refreshed',
        httpStatus: 202,
        jobId: 'j-1',
        annotation: null,
        reason: 'refresh accepted; SendGrid is recomputing it',
        message: `${label} refresh accepted (refresh job j-1).`
      })
    )
    expect(classifyRefresh(answer(200, '{}'), named).message).toBe(
      `${label} refresh accepted (HTTP 200), but SendGrid's answer had no job ID.`
    )
  })

  it.each([200, 201, 204, 299])('counts any 2xx (%i) as accepted', (status) => {
    expect(classifyRefresh(answer(status, '{"job_id":"j"}'), context).outcome).toBe('refreshed')
  })

  it.each([199, 300, 304])('does not count %i as accepted', (status) => {
    expect(classifyRefresh(answer(status, '{"job_id":"j"}'), context)).toMatchObject({
      outcome: 'failed',
      jobId: null,
      reason: `SendGrid refused the request (HTTP ${status})`
    })
  })

  it.each([
    [400, 'SendGrid rejected the request as invalid', ''],
    [
      401,
      'SendGrid rejected the API key',
      '; it is wrong, expired or revoked. Check the api-key secret'
    ],
    [
      403,
      'SendGrid refused access',
      '. Refreshing segments needs a Marketing Campaigns Basic or Advanced plan (not the free plan) and an API key with Marketing access'
    ],
    [
      404,
      'the segment does not exist in this SendGrid account',
      '. Check the ID, the data-residency region and on-behalf-of'
    ],
    [418, 'SendGrid refused the request', ''],
    [499, 'SendGrid refused the request', ''],
    [500, 'SendGrid had a server error', ' and still failed after 3 attempts; try again later'],
    [503, 'SendGrid had a server error', ' and still failed after 3 attempts; try again later']
  ])('words HTTP %i, with what SendGrid said', (status, reason, advice) => {
    const result = classifyRefresh(
      answer(status, '{"errors":[{"message":"their words"}]}', {}, { attempts: 3 }),
      named
    )
    expect(result).toEqual(
      newResult(segmentId, 'VIP', {
        outcome: 'failed',
        httpStatus: status,
        annotation: 'error',
        reason: `${reason} (HTTP ${status})`,
        message: `${label} was not refreshed: ${reason}${advice} (HTTP ${status}). SendGrid said: their words`
      })
    )
  })

  it('adds nothing when SendGrid said nothing, and says when an earlier attempt may have landed', () => {
    expect(classifyRefresh(answer(400), named).message).toBe(
      `${label} was not refreshed: SendGrid rejected the request as invalid (HTTP 400).`
    )
    expect(
      classifyRefresh(answer(400, '', {}, { lostEarlierAttempt: true, attempts: 2 }), named).message
    ).toBe(
      `${label} was not refreshed: SendGrid rejected the request as invalid (HTTP 400). An earlier attempt timed out or lost its connection, so SendGrid may already have accepted that refresh.`
    )
  })

  it('says the answer was too large instead of quoting it', () => {
    const result = classifyRefresh(answer(502, '', {}, { tooLarge: true }), named)
    expect(result.message).toBe(
      `${label} was not refreshed: SendGrid had a server error and still failed after 1 attempt; try again later (HTTP 502). The answer was ${tooLargeWords}.`
    )
  })

  it('words a 429 with its reset time, in the user time zone', () => {
    const result = classifyRefresh(
      answer(429, '{"errors":[{"message":"too many"}]}', { 'x-ratelimit-reset': '3600' }),
      { ...named, timeZone: 'Europe/Berlin' }
    )
    expect(result).toEqual(
      newResult(segmentId, 'VIP', {
        outcome: 'rate_limited',
        httpStatus: 429,
        annotation: 'warning',
        nextRefreshAt: '2026-11-26T13:00:00Z',
        reason:
          "SendGrid's refresh limit was reached (HTTP 429); it resets at 14:00 Europe/Berlin, in 1 h",
        message: `${label} was not refreshed: SendGrid's refresh limit was reached (HTTP 429). ${refreshLimitsSentence}. The limit resets at 14:00 Europe/Berlin, in 1 h (X-RateLimit-Reset). SendGrid said: too many`
      })
    )
  })

  it('words a 429 without a reset time', () => {
    const result = classifyRefresh(answer(429), named)
    expect(result.reason).toBe("SendGrid's refresh limit was reached (HTTP 429)")
    expect(result.nextRefreshAt).toBeNull()
    expect(result.message).toBe(
      `${label} was not refreshed: SendGrid's refresh limit was reached (HTTP 429). ${refreshLimitsSentence}.`
    )
  })
})

describe('segmentLabel', () => {
  it('quotes the name and gives the ID, or gives the ID alone', () => {
    expect(segmentLabel('s-1', 'VIP')).toBe('Segment "VIP" (s-1)')
    expect(segmentLabel('s-1', null)).toBe('Segment s-1')
    expect(segmentLabel('s-1', '')).toBe('Segment s-1')
  })
})

describe('withSnapshot', () => {
  const base = newResult(segmentId, null, {
    outcome: 'refreshed',
    httpStatus: 202,
    annotation: null,
    reason: 'r',
    message: 'm'
  })
  const snapshot: SegmentSnapshot = {
    name: 'Read name',
    contactsCount: 12,
    sampleUpdatedAt: '2026-11-26T09:00:00Z',
    refreshesUsed: 1,
    maxRefreshes: 2,
    lastRefreshedAt: '2026-11-26T08:00:00Z',
    createdAt: '2026-01-05T10:00:00Z',
    updatedAt: '2026-01-06T10:00:00Z',
    queryValidation: 'VALID',
    queryError: null
  }

  it('adds what was read, and takes the read name only when none was known', () => {
    expect(withSnapshot(base, snapshot)).toEqual({
      ...base,
      segmentName: 'Read name',
      contactsCount: 12,
      createdAt: '2026-01-05T10:00:00Z',
      sampleUpdatedAt: '2026-11-26T09:00:00Z',
      refreshesUsed: 1,
      maxRefreshes: 2,
      lastRefreshedAt: '2026-11-26T08:00:00Z'
    })
    expect(withSnapshot({ ...base, segmentName: 'Given' }, snapshot).segmentName).toBe('Given')
  })

  it('leaves the result alone when nothing was read', () => {
    expect(withSnapshot(base, null)).toBe(base)
  })
})

describe('rateLimitResetTime at its edges', () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0)
  it('reads exactly 1,000,000,000 as seconds until the reset, and one more as an epoch', () => {
    expect(rateLimitResetTime('1000000000', now)).toBe(
      new Date(now + 1_000_000_000_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    )
    expect(rateLimitResetTime('1000000001', now)).toBe('2001-09-09T01:46:41Z')
  })
  it('reads a value with spaces around it, and nothing with other text', () => {
    expect(rateLimitResetTime(' 60 ', now)).toBe('2026-11-26T12:01:00Z')
    expect(rateLimitResetTime('60s', now)).toBeNull()
    expect(rateLimitResetTime('x60', now)).toBeNull()
    expect(rateLimitResetTime([], now)).toBeNull()
  })
})

describe('readiness', () => {
  const result = (outcome: SegmentResult['outcome'], recomputed = false) =>
    newResult('s-1', null, {
      outcome,
      httpStatus: null,
      annotation: null,
      reason: 'r',
      message: 'm',
      recomputed
    })

  it('is ready when fresh, or refreshed and seen recomputed; nothing else is', () => {
    expect(isReady(result('fresh'))).toBe(true)
    expect(isReady(result('refreshed', true))).toBe(true)
    expect(isReady(result('refreshed'))).toBe(false)
    for (const outcome of ['rate_limited', 'failed', 'cancelled'] as const) {
      expect(isReady(result(outcome, true))).toBe(false)
    }
  })

  it('says a 401 is the key and a 403 the plan or access, and nothing else is', () => {
    expect(accessProblem(401)?.reason).toBe('SendGrid rejected the API key')
    expect(accessProblem(403)?.advice).toContain('Marketing Campaigns Basic or Advanced plan')
    expect(accessProblem(404)).toBeNull()
    expect(accessProblem(400)).toBeNull()
  })
})

describe('notReadyReason', () => {
  const result = (outcome: SegmentResult['outcome'], extra: Partial<SegmentResult> = {}) =>
    newResult('s', 'S', {
      outcome,
      httpStatus: null,
      message: '',
      reason: '',
      annotation: null,
      ...extra
    })
  const guard = (kind: 'too_few_contacts' | 'contacts_changed') => ({
    audienceProblem: { kind, sentence: '' }
  })

  it('gives each value the outputs document, and null only for a ready segment', () => {
    const reasons = [
      result('refreshed'),
      result('rate_limited'),
      result('failed'),
      result('cancelled'),
      result('fresh', guard('too_few_contacts')),
      result('refreshed', { recomputed: true, ...guard('contacts_changed') })
    ].map(notReadyReason)
    expect(reasons).toEqual([...notReadyReasons])
    expect(notReadyReason(result('fresh'))).toBeNull()
    expect(notReadyReason(result('refreshed', { recomputed: true }))).toBeNull()
  })
})
