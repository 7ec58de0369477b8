import { describe, expect, it } from '@jest/globals'
import { pageIn, singleSendIn } from '../../src/sendgrid/answers.js'
import { dueWithin } from '../../src/stages/single-sends.js'
import { inRefreshOrder, type Target } from '../../src/stages/targets.js'

const now = Date.parse('2026-11-27T12:00:00Z')
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString()
const minute = 60_000
const singleSend = (name: string, status: string, sendAt: string | null) => ({
  id: name,
  name,
  status,
  sendAt
})

describe('dueWithin', () => {
  const all = [
    singleSend('later', 'scheduled', iso(61 * minute)),
    singleSend('at the window end', 'scheduled', iso(60 * minute)),
    singleSend('now', 'scheduled', iso(0)),
    singleSend('soon', 'scheduled', iso(5 * minute)),
    singleSend('just passed', 'scheduled', iso(-1000)),
    singleSend('long passed', 'scheduled', iso(-61 * minute)),
    singleSend('draft', 'draft', iso(5 * minute)),
    singleSend('triggered', 'triggered', iso(5 * minute)),
    singleSend('no time', 'scheduled', null),
    singleSend('bad time', 'scheduled', 'next Friday')
  ]

  it('takes scheduled ones from now to the end of the window, both ends included, soonest first', () => {
    expect(dueWithin(all, now, 60 * minute).soon.map((s) => s.name)).toEqual([
      'now',
      'soon',
      'at the window end'
    ])
  })

  it('sets aside the ones whose send time has just passed: they are going out', () => {
    expect(dueWithin(all, now, 60 * minute).goingOut.map((s) => s.name)).toEqual(['just passed'])
  })

  it('reads send times with offsets as the instants they are', () => {
    const berlin = singleSend('berlin', 'scheduled', '2026-11-27T13:30:00+01:00')
    expect(dueWithin([berlin], now, 30 * minute).soon).toEqual([berlin])
    expect(dueWithin([berlin], now, 29 * minute).soon).toEqual([])
  })
})

describe('singleSendIn', () => {
  it('reads the full form, lower-casing and de-duplicating IDs', () => {
    const body = JSON.stringify({
      id: 'ABC',
      name: 'Black Friday',
      status: 'scheduled',
      send_at: '2026-11-28T10:00:00Z',
      send_to: { segment_ids: ['S-1', 's-1', 7, 'S-2'], list_ids: ['L-1'], all: false }
    })
    expect(singleSendIn(body)).toEqual({
      id: 'abc',
      name: 'Black Friday',
      status: 'scheduled',
      sendAt: '2026-11-28T10:00:00Z',
      segmentIds: ['s-1', 's-2'],
      listIds: ['l-1'],
      all: false
    })
  })

  it('treats missing send_to as nothing, and rejects what is not a Single Send', () => {
    expect(singleSendIn('{"id":"a","name":"n"}')).toMatchObject({
      status: 'unknown',
      sendAt: null,
      segmentIds: [],
      listIds: [],
      all: false
    })
    expect(singleSendIn('{"id":"a"}')).toBeNull()
    expect(singleSendIn('[]')).toBeNull()
    expect(singleSendIn('<html>')).toBeNull()
  })
})

describe('pageIn', () => {
  it('takes only the page token from an absolute next link', () => {
    const body = JSON.stringify({
      result: [{ id: 'a' }],
      _metadata: { next: 'https://elsewhere.example/v3/x?page_size=2&page_token=T%2F2' }
    })
    expect(pageIn(body)).toEqual({ items: [{ id: 'a' }], nextToken: 'T/2' })
  })

  it('ends on the last page, and on a next link it cannot read', () => {
    expect(pageIn('{"result":[],"_metadata":{}}')).toEqual({ items: [], nextToken: null })
    expect(pageIn('{"result":[],"_metadata":{"next":"not a url"}}')?.nextToken).toBeNull()
    expect(pageIn('{"result":[],"_metadata":{"next":"https://a/b"}}')?.nextToken).toBeNull()
    expect(pageIn('{"results":[]}')).toBeNull()
  })
})

describe('inRefreshOrder', () => {
  const target = (segmentId: string, sendAt: number | null): Target => ({
    segmentId,
    segmentName: null,
    singleSendIds: [],
    sendAt
  })
  it('puts the segments of the soonest send first, then the rest in the order given', () => {
    const targets = [
      target('a', null),
      target('b', now + 90),
      target('c', null),
      target('d', now + 10)
    ]
    const planned = [...targets].reverse().map((t) => ({ target: t }))
    expect(inRefreshOrder(planned, targets).map((p) => p.target.segmentId)).toEqual([
      'd',
      'b',
      'a',
      'c'
    ])
  })
})
