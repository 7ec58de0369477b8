// Outside text never becomes a workflow command: hostile names, SendGrid messages and job IDs, run
// through the built bundle, leave only the `::` lines the action itself means to write.
import { afterEach, describe, expect, it } from '@jest/globals'
import { runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const ids = {
  vip: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  spring: '2688e03b-50aa-454a-97d1-e1530345a5ed',
  churn: '3788e03b-50aa-454a-97d1-e1530345a5ee',
  campaign: 'ca000000-0000-4000-8000-000000000001'
}
const ownCommands = /^::(add-mask|debug|error|warning|notice)( [^:]*)?::/

describe.each(runtimes)('outside text in the log, built action on $name', ({ node }) => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>
  afterEach(async () => simulator?.close())

  it('never starts a workflow command, at any log level', async () => {
    simulator = await startSimulator({
      segments: [
        { id: ids.vip, name: 'VIP\n::error::pwned by a segment name' },
        { id: ids.spring, name: 'Spring\r\n::add-mask::Spring' },
        { id: ids.churn, name: 'Churn\u2028::stop-commands::pwnedtoken' }
      ],
      singleSends: [
        {
          id: ids.campaign,
          name: 'Promo\n::warning::pwned by a campaign name',
          status: 'draft',
          segmentIds: [ids.vip, ids.spring, ids.churn]
        }
      ]
    })
    simulator.inject('refresh', ids.vip, {
      status: 400,
      body: JSON.stringify({
        errors: [{ field: 'x\n::notice::pwned', message: 'bad\r::error::pwned by a message' }]
      })
    })
    simulator.inject('refresh', ids.spring, {
      status: 202,
      body: JSON.stringify({ job_id: 'job\n::error::pwned by a job ID' })
    })
    const { stdout, outputs } = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'single-send-ids': ids.campaign,
        'segment-names': 'Churn\u2028::stop-commands::pwnedtoken'
      },
      { node, env: { RUNNER_DEBUG: '1' } }
    )
    const lines = stdout.split('\n')
    const commands = lines.filter((line) => line.startsWith('::'))
    expect(commands.filter((line) => !ownCommands.test(line))).toEqual([])
    expect(lines.filter((line) => /^::[a-z-]+( [^:]*)?::pwned/.test(line))).toEqual([])
    expect(commands.filter((line) => line.startsWith('::add-mask::'))).toEqual([
      `::add-mask::${demoApiKey}`
    ])
    expect(stdout).not.toMatch(/^::stop-commands::/m)
    // The text stays readable, on one line.
    expect(stdout).toContain('Segment "VIP ⏎ ::error::pwned by a segment name"')
    expect(stdout).toContain('job ⏎ ::error::pwned by a job ID')
    // The outputs keep SendGrid's own values.
    const vip = JSON.parse(outputs.results).find(
      (r: { segment_id: string }) => r.segment_id === ids.vip
    )
    expect(vip.segment_name).toBe('VIP\n::error::pwned by a segment name')
  })

  it('cuts off an answer over 1 MiB without waiting for the rest, and goes on with the others', async () => {
    simulator = await startSimulator({
      segments: [
        { id: ids.vip, name: 'VIP' },
        { id: ids.spring, name: 'Spring' }
      ]
    })
    // Bad gateways that send HTML and never finish.
    simulator.inject('refresh', ids.vip, { status: 502, oversized: 3 * 1024 * 1024, endless: true })
    simulator.inject('get', ids.spring, { status: 200, oversized: 2 * 1024 * 1024, endless: true })
    const { exitCode, outputs, stdout } = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': `${ids.vip} ${ids.spring}`,
        'timeout-seconds': '20',
        'max-retries': '0'
      },
      { node, timeoutMs: 30_000 }
    )
    expect(exitCode).toBe(1)
    const [vip, spring] = JSON.parse(outputs.results)
    expect(vip).toMatchObject({ outcome: 'failed', http_status: 502 })
    expect(vip.message).toContain('The answer was larger than 1 MiB and was cut off there')
    expect(vip.message).not.toContain('did not answer in time')
    expect(spring).toMatchObject({ outcome: 'refreshed' })
    expect(stdout).toContain(
      'the answer to reading the segment was larger than 1 MiB and was cut off there'
    )
  }, 40_000)
})
