// The client's paging against the simulator: every page, only the configured host, and an end even
// when SendGrid's next link loops or never stops.
import { afterEach, describe, expect, it } from '@jest/globals'
import { maxPages, SendGridClient } from '../../src/sendgrid/client.js'
import { captureStdout } from '../support/capture-stdout.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

let simulator: Awaited<ReturnType<typeof startSimulator>>
const stdout = captureStdout()
afterEach(async () => {
  await simulator.close()
})

const campaigns = (count: number) =>
  Array.from({ length: count }, (_, n) => ({
    id: `cafe0000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    name: `Campaign ${n}`
  }))
const clientFor = (url: string) =>
  new SendGridClient({
    apiKey: demoApiKey,
    baseUrl: url,
    onBehalfOf: null,
    timeoutMs: 5000,
    maxRetries: 0
  })

describe('SendGridClient paging', () => {
  it('reads every page from the configured host', async () => {
    simulator = await startSimulator({ singleSends: campaigns(5), maxPageSize: 2 })
    const pages = await clientFor(simulator.url).listSingleSends()
    expect(pages).toMatchObject({ kind: 'items', pages: 3, truncated: false })
    expect(pages.kind === 'items' && pages.items.length).toBe(5)
    expect(simulator.requestsFor('singlesends').map((r) => r.query)).toEqual([
      '?page_size=100',
      '?page_size=100&page_token=offset-2',
      '?page_size=100&page_token=offset-4'
    ])
  })

  it('stops when a next link points back to a page it read', async () => {
    simulator = await startSimulator({
      singleSends: campaigns(5),
      maxPageSize: 2,
      loopingNext: true
    })
    const pages = await clientFor(simulator.url).searchSingleSends({ status: ['scheduled'] })
    expect(pages).toMatchObject({ kind: 'items', pages: 2, truncated: true })
    expect(stdout.text).toContain(
      'pointed back to a page already read; paging stopped after 2 page(s)'
    )
  })

  it(`reads at most ${maxPages} pages`, async () => {
    simulator = await startSimulator({ singleSends: campaigns(maxPages + 5), maxPageSize: 1 })
    const pages = await clientFor(simulator.url).listSingleSends()
    expect(pages).toMatchObject({ kind: 'items', pages: maxPages, truncated: true })
    expect(simulator.requestsFor('singlesends')).toHaveLength(maxPages)
    expect(stdout.text).toContain(`had more than ${maxPages} pages of 100; only those were read`)
  })

  it('gives back the answer that stopped it', async () => {
    simulator = await startSimulator({ singleSends: campaigns(3), maxPageSize: 2 })
    simulator.inject('singlesends', '', { status: 200, body: '{"errors":[]}' })
    const pages = await clientFor(simulator.url).listSingleSends()
    expect(pages).toMatchObject({ kind: 'failed', answer: { kind: 'response', status: 200 } })
  })
})
