// Sending the refreshes: what each answer adds to the record, and what the wait later needs of it.
import { describe, expect, it } from '@jest/globals'
import type { Settings } from '../../src/inputs/settings.js'
import type { SegmentResult } from '../../src/run/results.js'
import { refreshSegments } from '../../src/stages/refresh.js'
import type { SegmentSnapshot } from '../../src/sendgrid/answers.js'
import type { ApiResult, SendGridClient } from '../../src/sendgrid/client.js'
import { answer } from '../support/answers.js'

const settings = {
  baseUrl: 'https://api.sendgrid.com',
  timeZone: 'UTC',
  onRateLimit: 'warn'
} as Settings
const target = (id: string) => ({ segmentId: id, segmentName: id, singleSendIds: [], sendAt: null })
const before = (refreshesUsed: number | null) =>
  ({ refreshesUsed, maxRefreshes: 2 }) as SegmentSnapshot
const accepted = (status: number, headers: Record<string, string> = {}): ApiResult =>
  Object.assign(answer(status, status === 202 ? { job_id: 'j' } : ''), { headers })

async function send(
  answers: Record<string, ApiResult>,
  planned: Array<[string, SegmentSnapshot | null]>
) {
  const told: string[] = []
  const answered: SegmentResult[] = []
  const client = { refreshSegment: async (id: string) => answers[id] } as unknown as SendGridClient
  const sent = await refreshSegments(
    client,
    settings,
    planned.map(([id, read]) => ({ target: target(id), before: read })),
    { sending: (id) => told.push(id), answered: (result) => answered.push(result) }
  )
  return { sent, told, answered }
}

describe('refreshSegments', () => {
  it('takes the moment SendGrid accepted a refresh from its Date header, and only then', async () => {
    const date = 'Tue, 01 Dec 2026 14:02:19 GMT'
    const { sent, told } = await send(
      {
        a: accepted(202, { date }),
        b: accepted(202),
        c: accepted(429, { date }),
        d: accepted(202, { date: 'yesterday' }),
        e: {
          kind: 'no-response',
          reason: 'timeout',
          detail: 'x',
          attempts: 1,
          lostEarlierAttempt: false
        }
      },
      [
        ['a', null],
        ['b', null],
        ['c', null],
        ['d', null],
        ['e', null]
      ]
    )
    expect(told).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(sent.map((s) => s.acceptedAt)).toEqual([Date.parse(date), null, null, null, null])
  })

  it('counts an accepted refresh in refreshes_used, and nothing else', async () => {
    const { sent, answered } = await send(
      { a: accepted(202), b: accepted(429), c: accepted(202) },
      [
        ['a', before(1)],
        ['b', before(1)],
        ['c', before(null)]
      ]
    )
    expect(sent.map((s) => s.result.refreshesUsed)).toEqual([2, 1, null])
    expect(answered.map((r) => r.refreshesUsed)).toEqual([2, 1, null])
    expect(sent.map((s) => s.before?.refreshesUsed ?? null)).toEqual([1, 1, null])
  })
})
