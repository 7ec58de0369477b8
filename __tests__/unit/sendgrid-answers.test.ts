// Reading SendGrid's answers about segments, and turning segment-names into IDs.
import { describe, expect, it } from '@jest/globals'
import { LookupError } from '../../src/stages/name-match.js'
import { findSegmentsByName } from '../../src/stages/segment-names.js'
import {
  describeFailure,
  parseSegmentList,
  segmentIn,
  segmentListIn
} from '../../src/sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import { answer } from '../support/answers.js'

const noAnswer: ApiResult = {
  kind: 'no-response',
  reason: 'network',
  detail: 'ECONNRESET',
  attempts: 3,
  lostEarlierAttempt: false
}
const list = JSON.stringify({
  results: [
    { id: 'AAAA-1', name: 'VIP customers' },
    { id: 'bbbb-2', name: 'Spring sale' },
    { id: 'cccc-3' },
    { name: 'No ID' },
    { id: 7, name: 'Numeric ID' },
    'not a segment'
  ]
})

describe('segmentIn', () => {
  const body = JSON.stringify({ name: 'VIP', contacts_count: 3 })
  it('reads only a 200 answer', () => {
    expect(segmentIn(answer(200, body))).toMatchObject({ name: 'VIP', contactsCount: 3 })
    expect(segmentIn(answer(404, body))).toBeNull()
    expect(segmentIn(answer(500, body))).toBeNull()
    expect(segmentIn(noAnswer)).toBeNull()
  })

  it('counts an empty string or a non-integer as absent', () => {
    const read = segmentIn(
      answer(
        200,
        JSON.stringify({
          name: '',
          contacts_count: 1.5,
          refreshes_used: '1',
          max_refreshes: 2,
          sample_updated_at: 0,
          created_at: '',
          updated_at: 7
        })
      )
    )
    expect(read).toEqual({
      name: null,
      contactsCount: null,
      sampleUpdatedAt: null,
      refreshesUsed: null,
      maxRefreshes: 2,
      lastRefreshedAt: null,
      createdAt: null,
      updatedAt: null,
      queryValidation: null,
      queryError: null
    })
  })
})

describe('parseSegmentList', () => {
  it('keeps the entries with a string ID and name, IDs in lower case, in order', () => {
    expect(parseSegmentList(list)).toEqual([
      { id: 'aaaa-1', name: 'VIP customers' },
      { id: 'bbbb-2', name: 'Spring sale' }
    ])
  })
})

describe('describeFailure', () => {
  it('gives the status, and what SendGrid said when it said something', () => {
    expect(describeFailure(answer(500, ''))).toBe('HTTP 500')
    expect(describeFailure(answer(403, '{"errors":[{"message":"no access"}]}'))).toBe(
      'HTTP 403: no access'
    )
    expect(describeFailure(noAnswer)).toBe('network: ECONNRESET')
  })
})

describe('findSegmentsByName', () => {
  const clientListing = (listed: ApiResult) =>
    ({ listSegments: async () => listed }) as unknown as SendGridClient
  const lookupError = async (promise: Promise<unknown>) => {
    const error = await promise.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LookupError)
    return error as LookupError
  }

  it('finds every name, exactly, in the order given', async () => {
    expect(
      await findSegmentsByName(clientListing(answer(200, list)), ['Spring sale', 'VIP customers'])
    ).toEqual([
      { id: 'bbbb-2', name: 'Spring sale' },
      { id: 'aaaa-1', name: 'VIP customers' }
    ])
  })

  it('reports every unknown name at once, with suggestions', async () => {
    const error = await lookupError(
      findSegmentsByName(clientListing(answer(200, list)), ['VIP customer', 'Spring sale', 'Zzz'])
    )
    expect(error.title).toBe('Unknown segment name')
    expect(error.summary).toBe(
      'Some segment names could not be resolved; no segment was refreshed.'
    )
    expect(error.problems).toEqual([
      `Input 'segment-names': no segment is named "VIP customer" (names must match exactly). Did you mean "VIP customers"?`,
      `Input 'segment-names': no segment is named "Zzz" (names must match exactly). The account has 2 segment(s), none with a similar name.`
    ])
  })

  it('stops when the list cannot be read, even if the body looks like a list', async () => {
    for (const [listed, why] of [
      [answer(500, list), 'HTTP 500'],
      [answer(200, '{"result":[]}'), 'HTTP 200'],
      [noAnswer, 'network: ECONNRESET']
    ] as const) {
      const error = await lookupError(findSegmentsByName(clientListing(listed), ['VIP customers']))
      expect(error.problems).toEqual([
        `Could not list the account's segments to resolve segment-names (${why}).`
      ])
    }
  })
})

describe('segmentListIn', () => {
  it("reads each listed segment's recompute and count, by lower-case ID", () => {
    const listed = segmentListIn(
      answer(200, {
        results: [
          { id: 'AB-1', name: 'A', contacts_count: 7, sample_updated_at: '2026-12-06T10:00:00Z' },
          { id: 42, name: 'no id' },
          'not a segment'
        ]
      })
    )
    expect([...listed!.keys()]).toEqual(['ab-1'])
    expect(listed!.get('ab-1')).toMatchObject({
      name: 'A',
      contactsCount: 7,
      sampleUpdatedAt: '2026-12-06T10:00:00Z',
      refreshesUsed: null,
      lastRefreshedAt: null
    })
  })

  it('is null for anything but a 200 with a results list', () => {
    expect(segmentListIn(answer(200, { results: {} }))).toBeNull()
    expect(segmentListIn(answer(200, 'nope'))).toBeNull()
    expect(segmentListIn(answer(500, { results: [] }))).toBeNull()
    expect(segmentListIn(noAnswer)).toBeNull()
  })
})

describe('describeFailure of a 429', () => {
  it("names SendGrid's rate limit and, when the client waited for it, how long", () => {
    expect(describeFailure(answer(429, '{"errors":[{"message":"too many requests"}]}'))).toBe(
      "SendGrid's rate limit for requests still refused it (HTTP 429); the account is busy, try again later"
    )
    expect(
      describeFailure(Object.assign(answer(429), { rateLimited: { times: 1, waitedMs: 60_000 } }))
    ).toBe(
      "SendGrid's rate limit for requests still refused it (HTTP 429, after waiting 60.0 s for it once); the account is busy, try again later"
    )
  })
})
