// Finding the Single Sends a run serves, against a client whose answers each test scripts.
import { describe, expect, it } from '@jest/globals'
import { LookupError } from '../../src/stages/name-match.js'
import type { ApiResult, Pages, SendGridClient } from '../../src/sendgrid/client.js'
import { findSingleSends } from '../../src/stages/single-sends.js'
import { captureStdout } from '../support/capture-stdout.js'
import { answer } from '../support/answers.js'

const stdout = captureStdout()
const now = Date.parse('2026-11-27T12:00:00Z')
const minute = 60_000
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString()

const full = (id: string, name: string, fields: Record<string, unknown> = {}) => ({
  id,
  name,
  status: 'scheduled',
  send_at: iso(30 * minute),
  send_to: { segment_ids: [`seg-${id}`], list_ids: [], all: false },
  ...fields
})
const items = (...list: unknown[]): Pages => ({
  kind: 'items',
  items: list,
  pages: 1,
  truncated: false
})

function clientWith({
  listed = items(),
  scheduled = items(),
  reads = {}
}: {
  listed?: Pages
  scheduled?: Pages
  reads?: Record<string, ApiResult>
}) {
  const calls: string[] = []
  const client = {
    listSingleSends: async () => (calls.push('list'), listed),
    searchSingleSends: async (filters: unknown) => (
      calls.push(`search ${JSON.stringify(filters)}`),
      scheduled
    ),
    getSingleSend: async (id: string) => (calls.push(`get ${id}`), reads[id] ?? answer(404, '{}'))
  } as unknown as SendGridClient
  return { client, calls }
}
const settings = (fields: Partial<Parameters<typeof findSingleSends>[1]>) => ({
  singleSendIds: [] as string[],
  singleSendNames: [] as string[],
  singleSendsWithinMs: 0,
  timeZone: 'UTC',
  ...fields
})

describe('findSingleSends', () => {
  it('reads each campaign once, whether given by ID, by name or found by its send time', async () => {
    const { client, calls } = clientWith({
      listed: items({ id: 'C-1', name: 'Promo' }, { id: 7, name: 'Numeric' }, { id: 'c-2' }),
      scheduled: items(
        { id: 'c-1', name: 'Promo', status: 'scheduled', send_at: iso(30 * minute) },
        { id: 'c-3', name: 'Soon', status: 'scheduled', send_at: iso(10 * minute) },
        { id: 'c-4', name: 'Blank', status: 'scheduled', send_at: '' }
      ),
      reads: {
        'c-1': answer(200, full('c-1', 'Promo')),
        'c-3': answer(200, full('c-3', 'Soon', { send_at: iso(10 * minute) }))
      }
    })
    const found = await findSingleSends(
      client,
      settings({
        singleSendIds: ['c-1'],
        singleSendNames: ['Promo'],
        singleSendsWithinMs: 60 * minute
      }),
      now
    )
    expect(calls).toEqual(['list', 'search {"status":["scheduled"]}', 'get c-1', 'get c-3'])
    expect(found.map((s) => [s.id, s.nothingToRefresh])).toEqual([
      ['c-1', null],
      ['c-3', null]
    ])
    expect(stdout.text.split('\n')).toEqual([
      'Single Send "Promo" goes out at 12:30 UTC, in 30 minutes, to 1 segment(s).',
      'Single Send "Soon" goes out at 12:10 UTC, in 10 minutes, to 1 segment(s).',
      ''
    ])
  })

  it('says why a campaign refreshes nothing, and notes a draft and one going out already', async () => {
    const { client } = clientWith({
      scheduled: items(
        { id: 'c-9', name: 'Gone', status: 'scheduled', send_at: iso(-60 * minute) },
        { id: 'c-8', name: 'Older', status: 'scheduled', send_at: iso(-61 * minute) }
      ),
      reads: {
        't-1': answer(200, full('t-1', 'Sent', { status: 'triggered' })),
        'a-1': answer(200, full('a-1', 'Everyone', { send_to: { all: true } })),
        'l-1': answer(200, full('l-1', 'Lists', { send_to: { list_ids: ['l'] } })),
        'd-1': answer(200, full('d-1', 'Draft', { status: 'draft', send_at: null }))
      }
    })
    const found = await findSingleSends(
      client,
      settings({ singleSendIds: ['t-1', 'a-1', 'l-1', 'd-1'], singleSendsWithinMs: 60 * minute }),
      now
    )
    expect(found.map((s) => s.nothingToRefresh)).toEqual([
      'it has gone out already (triggered)',
      'it goes to all contacts; only segments can be refreshed',
      'it goes to lists only, which SendGrid does not recompute',
      null
    ])
    expect(stdout.text.split('\n')).toEqual([
      '::notice title=Single Send going out already::Single Send "Gone" was due at 11:00 UTC, 1 h ago and is going out already; its segments are left alone.',
      '::notice title=Nothing scheduled::No Single Send is scheduled to go out in the next 60 minutes (single-sends-within-minutes).',
      '::notice title=Nothing to refresh::Single Send "Sent" has nothing to refresh: it has gone out already (triggered).',
      '::notice title=Nothing to refresh::Single Send "Everyone" has nothing to refresh: it goes to all contacts; only segments can be refreshed.',
      '::notice title=Nothing to refresh::Single Send "Lists" has nothing to refresh: it goes to lists only, which SendGrid does not recompute.',
      'Single Send "Draft" is a draft, not scheduled; its segments are refreshed because it was asked for.',
      ''
    ])
  })

  it('stops before any refresh on every campaign it cannot find or read', async () => {
    const { client } = clientWith({
      reads: {
        'c-404': answer(404, full('c-404', 'Ghost')),
        'c-500': answer(500, full('c-500', 'Broken')),
        'c-bad': answer(200, '{"id": 5}'),
        'c-net': {
          kind: 'no-response',
          reason: 'network',
          detail: 'ECONNRESET',
          attempts: 3,
          lostEarlierAttempt: false
        }
      }
    })
    const error = await findSingleSends(
      client,
      settings({ singleSendIds: ['c-404', 'c-500', 'c-bad', 'c-net'] }),
      now
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LookupError)
    expect(error).toMatchObject({
      title: 'Single Send not found',
      summary: 'Some Single Sends could not be found or read; no segment was refreshed.',
      problems: [
        "Input 'single-send-ids': no Single Send has the ID c-404 in this account (reading it answered HTTP 404). Check the ID, the data-residency region and on-behalf-of.",
        'Could not read Single Send c-500 (HTTP 500).',
        'Could not read Single Send c-bad (HTTP 200).',
        'Could not read Single Send c-net (network: ECONNRESET).'
      ]
    })
  })

  it('stops when the scheduled campaigns cannot be listed', async () => {
    const { client } = clientWith({ scheduled: { kind: 'failed', answer: answer(503, '') } })
    const error = await findSingleSends(
      client,
      settings({ singleSendsWithinMs: minute }),
      now
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({
      problems: [
        "Could not list the account's Single Sends to find the Single Sends scheduled soon (HTTP 503)."
      ]
    })
  })
})
