// End to end, the built bundle cut short by real signals, as the runner cuts short a cancelled or
// timed-out job: no request after the signal, and every refresh spent is in the outputs and the
// summary before the runner's SIGTERM, 7.5 s after its SIGINT. How soon (3 s promised) is measured by
// `npm run bench` on an idle machine; a test under load would only measure the load.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { annotationsIn, runAction } from '../../tools/run-action.js'
import { runtimes } from '../../tools/runtimes.js'
import { demoApiKey, startSimulator } from '../../tools/simulator/index.js'

const seg = {
  spring: '1588e03b-50aa-454a-97d1-e1530345a5ec',
  vip: '2688e03b-50aa-454a-97d1-e1530345a5ed'
}
type Simulator = Awaited<ReturnType<typeof startSimulator>>
type Entry = Record<string, unknown>
const refreshPath = (id: string) => `/v3/marketing/segments/2.0/refresh/${id}`
/** The runner sends SIGTERM 7.5 s after SIGINT: the record must be written before then. */
const beforeTheRunnersSigtermMs = 7000

// Windows has no signals a test can send: child.kill() there ends the process outright, where the
// runner sends a console Ctrl-C. These run on Linux and macOS, in CI on both.
const describeWithSignals = process.platform === 'win32' ? describe.skip : describe

describeWithSignals.each(runtimes)('A cut-short run, built action on $name', ({ node }) => {
  let simulator: Simulator
  afterEach(async () => simulator?.close())

  const start = async (refreshDelayMs = 0) => {
    simulator = await startSimulator({
      refreshDelayMs,
      segments: [
        { id: seg.spring, name: 'Spring sale' },
        { id: seg.vip, name: 'VIP customers' }
      ]
    })
  }

  /** Resolves once `count` requests matching `match` have reached the simulator. */
  const arrived = async (match: (path: string) => boolean, count = 1) => {
    while (simulator.requests.filter((r) => match(r.path)).length < count)
      await new Promise((resolve) => setTimeout(resolve, 10))
  }

  /**
   * Runs the action, sending `signals` (`gapMs` apart) once `when` resolves, then calling
   * `afterSignals`; returns the run and the signal times.
   */
  async function cutShort(
    inputs: Record<string, string>,
    when: () => Promise<unknown>,
    { signals = ['SIGINT'] as NodeJS.Signals[], gapMs = 0, afterSignals = () => {} } = {}
  ) {
    let signalledAt = NaN
    let lastSignalAt = NaN
    let requestsAtSignal = 0
    const run = await runAction(
      {
        'api-key': demoApiKey,
        'api-url': simulator.url,
        'segment-ids': `${seg.spring} ${seg.vip}`,
        ...inputs
      },
      {
        node,
        async whileRunning(child: ChildProcess) {
          await when()
          signalledAt = performance.now()
          requestsAtSignal = simulator.requests.length
          for (const [i, signal] of signals.entries()) {
            if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
            lastSignalAt = performance.now()
            child.kill(signal)
          }
          afterSignals()
        }
      }
    )
    return {
      ...run,
      exitAfterSignalMs: run.endedAt - signalledAt,
      exitAfterLastSignalMs: run.endedAt - lastSignalAt,
      requestsAfterSignal: simulator.requests.slice(requestsAtSignal),
      results: JSON.parse(run.outputs.results ?? '[]') as Entry[],
      firstLine: run.summary.split('\n')[1] ?? ''
    }
  }

  it('sends no refresh when cut short during the pre-flight reads: every segment cancelled', async () => {
    await start()
    // Reads that would answer after the runner's SIGTERM: the run does not wait for them.
    simulator.inject('get', seg.spring, { delayMs: 20_000 })
    simulator.inject('get', seg.vip, { delayMs: 20_000 })
    const run = await cutShort({}, () => arrived((p) => p.includes('/segments/2.0/'), 2))
    expect(run.exitCode).not.toBe(0)
    expect(run.exitAfterSignalMs).toBeLessThan(beforeTheRunnersSigtermMs)
    expect(simulator.requests.filter((r) => r.path.includes('/refresh/'))).toHaveLength(0)
    expect(run.results.map((r) => [r.segment_id, r.outcome])).toEqual([
      [seg.spring, 'cancelled'],
      [seg.vip, 'cancelled']
    ])
    expect(run.results[0].message).toContain('No refresh request was sent, so no budget was spent.')
    expect(run.firstLine).toBe(
      '<p><strong>Cancelled before SendGrid accepted any refresh. 2 segments were not refreshed.</strong></p>'
    )
    expect(JSON.parse(run.outputs['job-ids'])).toEqual({})
  })

  it('keeps the job IDs of refreshes that were on the wire when the signal came', async () => {
    await start()
    // SendGrid answers both refreshes only once the signal has been sent, however slow the machine.
    let answerNow = () => {}
    const signalled = new Promise<void>((resolve) => (answerNow = resolve))
    simulator.inject('refresh', seg.spring, { until: signalled })
    simulator.inject('refresh', seg.vip, { until: signalled })
    const run = await cutShort(
      { 'check-quota': 'false' },
      () => arrived((p) => p.startsWith('/v3/marketing/segments/2.0/refresh/'), 2),
      { afterSignals: answerNow }
    )
    expect(run.exitCode).not.toBe(0)
    expect(run.exitAfterSignalMs).toBeLessThan(beforeTheRunnersSigtermMs)
    expect(run.results.map((r) => [r.outcome, typeof r.job_id])).toEqual([
      ['refreshed', 'string'],
      ['refreshed', 'string']
    ])
    expect(Object.keys(JSON.parse(run.outputs['job-ids']))).toEqual([seg.spring, seg.vip])
    // Without check-quota the segments are not read, so only their IDs are known.
    expect(run.firstLine).toBe(
      `<p><strong>Cancelled after 2 refreshes: ${seg.spring} and ${seg.vip} were refreshed; SendGrid may still be recomputing them.</strong></p>`
    )
  })

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s during wait, reports both refreshes, sends nothing more and exits before SIGTERM',
    async (signal) => {
      await start(60_000)
      const run = await cutShort(
        { wait: 'true', 'wait-interval-seconds': '0.3' },
        async () => {
          await arrived((p) => p.includes('/refresh/'), 2)
          // Into the wait: at least one round, which reads the segment list once.
          await arrived((p) => p === '/v3/marketing/segments/2.0', 1)
        },
        { signals: [signal] }
      )
      expect(run.exitCode).not.toBe(0)
      expect(run.exitAfterSignalMs).toBeLessThan(beforeTheRunnersSigtermMs)
      // A poll already on its way may still arrive; nothing is sent after the signal.
      expect(run.requestsAfterSignal.length).toBeLessThanOrEqual(2)
      expect(run.requestsAfterSignal.every((r) => r.method === 'GET')).toBe(true)
      const jobIds = JSON.parse(run.outputs['job-ids'])
      expect(Object.keys(jobIds)).toEqual([seg.spring, seg.vip])
      expect(run.results.map((r) => [r.outcome, r.job_id])).toEqual([
        ['refreshed', jobIds[seg.spring]],
        ['refreshed', jobIds[seg.vip]]
      ])
      expect(run.results[0].message).toContain(
        'The run was cancelled before SendGrid had finished recomputing it'
      )
      expect(run.firstLine).toBe(
        '<p><strong>Cancelled after 2 refreshes: &quot;Spring sale&quot; and &quot;VIP customers&quot; were refreshed; SendGrid may still be recomputing them.</strong></p>'
      )
      expect(run.summary).toContain(`<code>${jobIds[seg.vip]}</code>`)
      const errors = annotationsIn(run.stdout).filter((a) => a.level === 'error')
      expect(errors.map((a) => a.message)).toEqual([
        'Cancelled after 2 refreshes: "Spring sale" and "VIP customers" were refreshed; SendGrid may still be recomputing them.'
      ])
    }
  )

  it('writes the record at once on a second signal while a refresh is on the wire', async () => {
    await start()
    simulator.inject('refresh', seg.spring, { delayMs: 10_000 })
    const run = await cutShort(
      { 'check-quota': 'false' },
      () => arrived((p) => p === refreshPath(seg.spring)),
      { signals: ['SIGINT', 'SIGINT'], gapMs: 200 }
    )
    expect(run.exitCode).not.toBe(0)
    // Without the second signal it would wait out the 2.5 s grace for the refresh on the wire.
    expect(run.exitAfterLastSignalMs).toBeLessThan(2000)
    const [spring, vip] = run.results
    expect(spring).toMatchObject({ segment_id: seg.spring, outcome: 'failed', job_id: null })
    expect(spring.message).toContain('SendGrid may already have accepted that refresh')
    expect(vip).toMatchObject({ segment_id: seg.vip, outcome: 'refreshed' })
    expect(run.firstLine).toBe(
      `<p><strong>Cancelled after 1 refresh: ${seg.vip} was refreshed; SendGrid may still be recomputing it. The refresh of ${seg.spring} had no answer yet; SendGrid may already have accepted it.</strong></p>`
    )
  })
})
