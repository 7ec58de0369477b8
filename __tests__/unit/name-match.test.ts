import { describe, expect, it } from '@jest/globals'
import {
  accessRefused,
  closestNames,
  editDistance,
  unknownNameMessage
} from '../../src/stages/name-match.js'
import { answer } from '../support/answers.js'

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['vip customers', 'vip customer', 1],
    ['spring sale', 'sprnig sale', 2]
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance)
    expect(editDistance(b, a)).toBe(distance)
  })
})

describe('closestNames', () => {
  const names = [
    'VIP customers',
    'VIP prospects',
    'Spring sale, EU customers',
    'Churn risk',
    'vip customers (old)'
  ]

  it('ignores case', () => {
    expect(closestNames('vip customer', names)).toEqual(['VIP customers'])
  })

  it('puts the closest first, ties in alphabetical order', () => {
    expect(
      closestNames('spring sal', ['Spring sales', 'Spring sale', 'Spring sail', 'Autumn'])
    ).toEqual(['Spring sail', 'Spring sale', 'Spring sales'])
  })

  it('finds a name that differs only in case', () => {
    expect(closestNames('CHURN RISK', names)).toEqual(['Churn risk'])
  })

  it('keeps at most three suggestions', () => {
    expect(closestNames('a', ['b', 'c', 'd', 'e'])).toHaveLength(3)
  })

  it('suggests nothing far away', () => {
    expect(closestNames('Newsletter subscribers', names)).toEqual([])
  })
})

describe('unknownNameMessage', () => {
  it('suggests the closest names, joined with "or"', () => {
    expect(unknownNameMessage('segment-names', 'segment', 'VIP', ['VIPs', 'VIP!', 'Other'])).toBe(
      `Input 'segment-names': no segment is named "VIP" (names must match exactly). Did you mean "VIP!" or "VIPs"?`
    )
  })

  it('says how many there are when none is close', () => {
    expect(unknownNameMessage('single-send-names', 'Single Send', 'Spring', ['Black Friday'])).toBe(
      `Input 'single-send-names': no Single Send is named "Spring" (names must match exactly). The account has 1 Single Send(s), none with a similar name.`
    )
  })
})

describe('names given on one line', () => {
  const existing = ['Spring sale', 'VIP customers', 'Spring sale, EU customers']

  it('says to give one name per line when every comma-separated part is a name of its own', () => {
    expect(
      unknownNameMessage('segment-names', 'segment', 'Spring sale, VIP customers', existing)
    ).toBe(
      `Input 'segment-names': no segment is named "Spring sale, VIP customers", but "Spring sale" and "VIP customers" are segments of their own. Names may contain commas, so give one name per line (segment-names: | and then each name on its own line).`
    )
  })

  it('suggests as before when a part is no name, or there is no comma', () => {
    expect(
      unknownNameMessage('segment-names', 'segment', 'Spring sale, VIPs only', existing)
    ).toMatch(/names must match exactly/)
    expect(unknownNameMessage('segment-names', 'segment', 'VIP customer', existing)).toContain(
      'Did you mean "VIP customers"?'
    )
  })
})

describe('accessRefused', () => {
  it('says a 401 is the key and a 403 the plan or access, in the words of a refresh', () => {
    const key = accessRefused(answer(401), 'list the segments')
    expect([key?.title, key?.problems, key?.summary]).toEqual([
      'API key rejected',
      [
        'Could not list the segments: SendGrid rejected the API key; it is wrong, expired or revoked. Check the api-key secret (HTTP 401).'
      ],
      'SendGrid rejected the API key; no segment was refreshed.'
    ])
    const plan = accessRefused(answer(403), 'read Single Send x')
    expect([plan?.title, plan?.summary]).toEqual([
      'Access refused',
      'SendGrid refused access; no segment was refreshed.'
    ])
    expect(plan?.problems[0]).toContain('Marketing Campaigns Basic or Advanced plan')
  })

  it('leaves every other answer to the caller', () => {
    expect(accessRefused(answer(404), 'x')).toBeNull()
    expect(accessRefused(answer(500), 'x')).toBeNull()
    expect(
      accessRefused(
        {
          kind: 'no-response',
          reason: 'timeout',
          detail: 'd',
          attempts: 1,
          lostEarlierAttempt: false
        },
        'x'
      )
    ).toBeNull()
  })
})

describe('accessRefused for the rate limit', () => {
  it("names SendGrid's rate limit, never a name that was not found", () => {
    const limited = Object.assign(answer(429), { rateLimited: { times: 2, waitedMs: 1500 } })
    const error = accessRefused(limited, "list the account's segments to resolve segment-names")
    expect(error).toMatchObject({
      title: "SendGrid's rate limit",
      problems: [
        "Could not list the account's segments to resolve segment-names: SendGrid's rate limit for requests still refused it (HTTP 429, after waiting 1.5 s for it 2 times); the account is busy, try again later."
      ],
      summary:
        "SendGrid's rate limit for requests kept refusing a lookup; no segment was refreshed."
    })
    expect(accessRefused(answer(429), 'x')?.problems[0]).toBe(
      "Could not x: SendGrid's rate limit for requests still refused it (HTTP 429); the account is busy, try again later."
    )
  })
})
