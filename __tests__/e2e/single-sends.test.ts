// End to end, the built bundle against the simulator: Single Sends by ID, by name, and every one
// scheduled soon; their segments refreshed once each, soonest campaign first, and reported by campaign.
import { afterEach, describe, expect, it } from '@jest/globals'
import { randomUUID } from 'node:crypto'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const minuteMs = 60_000
const seg = {
  vip: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  spring: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  churn: '3788e03b-50aa-454a-97d1-e1530345a5ee'
}
const campaign = {
  blackFriday: 'bf000000-0000-4000-8000-000000000001',
  newsletter: 'bf000000-0000-4000-8000-000000000002',
  listsOnly: 'bf000000-0000-4000-8000-000000000003',
  sent: 'bf000000-0000-4000-8000-000000000004',
  draft: 'bf000000-0000-4000-8000-000000000005',
  unknown: 'bf000000-0000-4000-8000-00000000dead'
}
type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Entry = Record<string, unknown>

describe.each(runtimes)('Single Sends, built action on $name', ({ node }) => {
  let simulator: Simulator
  afterEach(async () => simulator?.close())

  const start = async (options: Parameters<typeof startSimulator>[0] = {}) => {
    const now = Date.now()
    simulator = await startSimulator({
      segments: [
        { id: seg.vip, name: 'VIP customers' },
        { id: seg.spring, name: 'Spring sale' },
        { id: seg.churn, name: 'Churn risk' }
      ],
      singleSends: [
        {
          id: campaign.blackFriday,
          name: 'Black Friday',
          status: 'scheduled',
          sendAt: now + 80 * minuteMs,
          segmentIds: [seg.vip, seg.spring]
        },
        {
          id: campaign.newsletter,
          name: 'Weekly newsletter',
          status: 'scheduled',
          sendAt: now + 20 * minuteMs,
          segmentIds: [seg.spring, seg.churn]
        },
        {
          id: campaign.listsOnly,
          name: 'Press list',
          status: 'scheduled',
          sendAt: now + 30 * minuteMs,
          listIds: ['11111111-0000-4000-8000-000000000001']
        },
        {
          id: campaign.sent,
          name: 'Cyber Monday',
          status: 'triggered',
          sendAt: now - 60 * minuteMs,
          segmentIds: [seg.churn]
        },
        { id: campaign.draft, name: 'Winter teaser', status: 'draft', segmentIds: [seg.churn] }
      ],
      ...options
    })
  }
  const run = (inputs: Record<string, string>) =>
    runAction({ 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs }, { node })
  const parse = (text: string) => JSON.parse(text) as Entry[]
  const refreshed = () =>
    simulator.requests.filter((r) => r.method === 'POST' && r.path.includes('/refresh/'))

  it('refreshes the segments of a Single Send given by ID, and reports them under it', async () => {
    await start()
    const { exitCode, outputs, summary } = await run({
      'single-send-ids': campaign.blackFriday,
      'time-zone': 'Europe/Berlin'
    })
    expect(exitCode).toBe(0)
    expect(refreshed().map((r) => r.path.split('/').at(-1))).toEqual([seg.vip, seg.spring])
    expect(parse(outputs['single-sends'])).toEqual([
      {
        id: campaign.blackFriday,
        name: 'Black Friday',
        status: 'scheduled',
        send_at: expect.stringMatching(/Z$/),
        segment_ids: [seg.vip, seg.spring],
        nothing_to_refresh: null
      }
    ])
    expect(parse(outputs.results).map((r) => [r.segment_name, r.single_send_ids])).toEqual([
      ['VIP customers', [campaign.blackFriday]],
      ['Spring sale', [campaign.blackFriday]]
    ])
    expect(summary).toMatch(
      /<h3>&quot;Black Friday&quot; sends (tomorrow )?at \d\d:\d\d Europe\/Berlin, in 1 h 19 min: 0 of 2 segment\(s\) ready<\/h3>/
    )
  })

  it('finds a Single Send by its exact name, and refreshes a draft with a note', async () => {
    await start()
    const { exitCode, outputs, stdout } = await run({
      'single-send-names': 'Winter teaser'
    })
    expect(exitCode).toBe(0)
    expect(refreshed().map((r) => r.path.split('/').at(-1))).toEqual([seg.churn])
    expect(parse(outputs['single-sends'])[0]).toMatchObject({ status: 'draft', send_at: null })
    expect(stdout).toContain(
      'Single Send "Winter teaser" is a draft, not scheduled; its segments are refreshed because it was asked for.'
    )
  })

  it('fails before any refresh on an unknown name, suggesting the closest', async () => {
    await start()
    const { exitCode, stdout, outputs } = await run({
      'segment-ids': seg.vip,
      'single-send-names': 'Black Fridy'
    })
    expect(exitCode).toBe(1)
    expect(refreshed()).toHaveLength(0)
    expect(annotationsIn(stdout)[0]).toMatchObject({
      level: 'error',
      message: `Input 'single-send-names': no Single Send is named "Black Fridy" (names must match exactly). Did you mean "Black Friday"?`
    })
    expect(parse(outputs.results)).toEqual([])
  })

  it('fails before any refresh on an unknown ID, naming it', async () => {
    await start()
    const { exitCode, stdout } = await run({
      'single-send-ids': `${campaign.blackFriday} ${campaign.unknown}`
    })
    expect(exitCode).toBe(1)
    expect(refreshed()).toHaveLength(0)
    expect(annotationsIn(stdout)[0].message).toContain(
      `Input 'single-send-ids': no Single Send has the ID ${campaign.unknown} in this account`
    )
  })

  it('discovers every Single Send due in the window across several pages, asking only the configured host', async () => {
    await start({ maxPageSize: 2 })
    const { exitCode, outputs, stdout } = await run({ 'single-sends-within-minutes': '60' })
    expect(exitCode).toBe(0)
    const searches = simulator.requestsFor('singlesends-search')
    expect(searches.map((r) => new URLSearchParams(r.query).get('page_token'))).toEqual([
      null,
      'offset-2'
    ])
    expect(JSON.parse(searches[0].body)).toEqual({ status: ['scheduled'] })
    for (const search of searches) expect(search.headers.authorization).toBe(`Bearer ${demoApiKey}`)
    // Weekly newsletter (in 20 min) and Press list (30 min) are due; Black Friday (80 min) is not.
    expect(parse(outputs['single-sends']).map((s) => [s.name, s.nothing_to_refresh])).toEqual([
      ['Weekly newsletter', null],
      ['Press list', 'it goes to lists only, which SendGrid does not recompute']
    ])
    expect(refreshed().map((r) => r.path.split('/').at(-1))).toEqual([seg.spring, seg.churn])
    expect(annotationsIn(stdout)).toEqual([
      expect.objectContaining({
        level: 'notice',
        message:
          'Single Send "Press list" has nothing to refresh: it goes to lists only, which SendGrid does not recompute.'
      })
    ])
  })

  it('stops following a next link that loops, and still serves what it read', async () => {
    await start({ maxPageSize: 2, loopingNext: true })
    const { exitCode, stdout } = await run({ 'single-sends-within-minutes': '60' })
    expect(exitCode).toBe(0)
    expect(simulator.requestsFor('singlesends-search').length).toBeLessThanOrEqual(3)
    expect(stdout).toContain('pointed back to a page already read')
  })

  it('sends nothing in a dry run, and lists the campaigns it would serve', async () => {
    await start()
    const { exitCode, summary } = await run({
      'dry-run': 'true',
      'single-send-ids': campaign.blackFriday,
      'single-send-names': 'Winter <teaser>',
      'single-sends-within-minutes': '45'
    })
    expect(exitCode).toBe(0)
    expect(simulator.requests).toEqual([])
    expect(summary).toContain(`<td><code>${campaign.blackFriday}</code></td><td>Single Send, by ID`)
    expect(summary).toContain('<td>Winter &lt;teaser&gt;</td><td>Single Send, by name')
    expect(summary).toContain('every Single Send due in the next 45 minutes')
  })

  it('succeeds with a notice when nothing is scheduled in the window', async () => {
    await start()
    const { exitCode, outputs, stdout, summary } = await run({
      'single-sends-within-minutes': '5'
    })
    expect(exitCode).toBe(0)
    expect(refreshed()).toHaveLength(0)
    expect(summary).toContain('<strong>No segment was to be refreshed in this run.</strong>')
    expect(summary).not.toContain('<th>Audience</th>')
    expect(parse(outputs['single-sends'])).toEqual([])
    expect(annotationsIn(stdout)).toEqual([
      expect.objectContaining({
        level: 'notice',
        message:
          'No Single Send is scheduled to go out in the next 5 minutes (single-sends-within-minutes).'
      })
    ])
  })

  it('refreshes a segment reached by two campaigns and by ID once', async () => {
    await start()
    const { exitCode, outputs } = await run({
      'segment-ids': seg.spring,
      'single-send-ids': `${campaign.blackFriday}\n${campaign.newsletter}`
    })
    expect(exitCode).toBe(0)
    expect(refreshed().filter((r) => r.path.endsWith(seg.spring))).toHaveLength(1)
    expect(refreshed()).toHaveLength(3)
    const spring = parse(outputs.results).find((r) => r.segment_id === seg.spring)
    expect(spring?.single_send_ids).toEqual([campaign.blackFriday, campaign.newsletter])
  })

  it('leaves alone a campaign that went out already and one to lists only, with notices', async () => {
    await start()
    const { exitCode, outputs, stdout, summary } = await run({
      'single-send-ids': `${campaign.sent} ${campaign.listsOnly}`
    })
    expect(exitCode).toBe(0)
    expect(refreshed()).toHaveLength(0)
    expect(parse(outputs['single-sends']).map((s) => s.nothing_to_refresh)).toEqual([
      'it has gone out already (triggered)',
      'it goes to lists only, which SendGrid does not recompute'
    ])
    expect(annotationsIn(stdout).map((a) => a.level)).toEqual(['notice', 'notice'])
    expect(summary).toContain(
      'Nothing to refresh for &quot;Cyber Monday&quot;: it has gone out already'
    )
  })

  it("spends the budget on the soonest campaign's segments first", async () => {
    const soonSegments = Array.from({ length: 6 }, () => randomUUID())
    const laterSegments = Array.from({ length: 6 }, () => randomUUID())
    simulator = await startSimulator({
      segments: [...soonSegments, ...laterSegments].map((id) => ({ id })),
      singleSends: [
        {
          id: campaign.blackFriday,
          name: 'Later',
          status: 'scheduled',
          sendAt: Date.now() + 90 * minuteMs,
          segmentIds: laterSegments
        },
        {
          id: campaign.newsletter,
          name: 'Sooner',
          status: 'scheduled',
          sendAt: Date.now() + 10 * minuteMs,
          segmentIds: soonSegments
        }
      ]
    })
    const { exitCode, outputs } = await run({
      'single-send-ids': `${campaign.blackFriday} ${campaign.newsletter}`
    })
    expect(exitCode).toBe(0)
    expect(refreshed()).toHaveLength(10)
    expect(parse(outputs.refreshed)).toEqual(expect.arrayContaining(soonSegments))
    expect(parse(outputs['rate-limited'])).toEqual(laterSegments.slice(4))
  })

  it('warns, when it happens, that a campaign falls due while its segment is still recomputing', async () => {
    // The recompute takes 6 s, so a machine that stalls for seconds still finds the segments
    // recomputing when the campaign falls due; the 6 s between polls hides the cost.
    await start({ refreshDelayMs: 6000 })
    // Due 1.5 s after the action reads it, however late it starts: the read is held 1 ms so the
    // time can be set first.
    simulator.inject('singlesend', campaign.blackFriday, { delayMs: 1 })
    const read = simulator.nextRequest('singlesend', campaign.blackFriday)
    const running = run({
      'single-send-ids': campaign.blackFriday,
      wait: 'true',
      'wait-interval-seconds': '6'
    })
    await read
    Object.assign(simulator.singleSends.get(campaign.blackFriday)!, { sendAt: Date.now() + 1500 })
    const { exitCode, stdout } = await running
    expect(exitCode).toBe(0)
    const lines = stdout.split('\n')
    const warned = lines.findIndex((l) =>
      l.startsWith('::warning title=Single Send due before its audience is fresh::')
    )
    const landed = lines.findIndex((l) => l.includes('and recomputed at '))
    expect(warned).toBeGreaterThan(-1)
    expect(warned).toBeLessThan(landed)
    expect(lines[warned]).toMatch(
      /Single Send "Black Friday" was due at \d\d:\d\d UTC, (just now|in less than a minute), and Segment "VIP customers" .*, Segment "Spring sale" .* are still recomputing/
    )
  }, 30_000)
})
