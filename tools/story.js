// Runs one story (a scenario file's runs) against the local simulator, each run as the Actions
// runner runs the built action: `node dist/index.js` with INPUT_* variables. One simulator serves
// all of a story's runs, so a re-run meets what the run before it left.
import { runAction } from './run-action.js'
import { simulatorOptions } from './simulator/scenario.js'
import { demoApiKey, startSimulator } from './simulator/index.js'
import { summaryAsText } from './summary-text.js'

/**
 * Windows cannot send another process Ctrl-C: there the demo asks the action to cancel by message.
 * A URL, not a path: `--import` takes no Windows drive path.
 */
const cancelByMessage = new URL('./cancel-on-message.js', import.meta.url).href

/**
 * @param {import('./simulator/scenario.js').Scenario} scenario
 * @param {{ leaveOut?: string[], with?: Record<string, string>, firstRunOnly?: boolean, cancelBy?: 'signal' | 'message', onRun?: (run: StoryRun, index: number) => void }} [options]
 *   `leaveOut`: inputs to drop from every run (the summary picture has no contact job); `with`:
 *   inputs to change in the first run; `firstRunOnly`: run no other.
 * @returns {Promise<{ simulatorUrl: string, runs: StoryRun[] }>}
 */
export async function runStory(scenario, options = {}) {
  const simulator = await startSimulator(simulatorOptions(scenario, Date.now()))
  const cancelBy = options.cancelBy ?? (process.platform === 'win32' ? 'message' : 'signal')
  /** @type {StoryRun[]} */
  const runs = []
  try {
    const steps = (scenario.runs ?? []).slice(0, options.firstRunOnly ? 1 : undefined)
    for (const [index, step] of steps.entries()) {
      const inputs = Object.fromEntries(
        Object.entries({
          ...step.inputs,
          ...step.speedUps,
          ...(index === 0 ? options.with : {})
        }).filter(([name]) => !(options.leaveOut ?? []).includes(name))
      )
      const cancelAfterMs =
        step.cancelSecondsAfterRefresh === undefined
          ? undefined
          : step.cancelSecondsAfterRefresh * 1000
      // Timed from the first refresh SendGrid accepts, not from the start, so a slow start
      // cannot cancel the run before it has spent anything.
      const refreshAccepted = cancelAfterMs === undefined ? null : simulator.nextRequest('refresh')
      const run = await runAction(
        { 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs },
        {
          ...(cancelAfterMs !== undefined && cancelBy === 'message'
            ? { execArgv: ['--import', cancelByMessage], ipc: true }
            : {}),
          whileRunning: (child) => {
            if (refreshAccepted === null) return
            void refreshAccepted.then(() =>
              setTimeout(() => {
                if (child.exitCode !== null) return
                if (cancelBy === 'message') child.send('SIGINT')
                else child.kill('SIGINT')
              }, cancelAfterMs).unref()
            )
          }
        }
      )
      const storyRun = { ...step, inputs, run, unmet: unmet(step.expect, run) }
      runs.push(storyRun)
      options.onRun?.(storyRun, index)
    }
  } finally {
    await simulator.close()
  }
  return { simulatorUrl: simulator.url, runs }
}

/**
 * @typedef {object} StoryRun
 * @property {string} title
 * @property {Record<string, string>} inputs as the run was given them: the scenario's, its speed-ups
 *   and any inputs of one's own (without the key and URL)
 * @property {Record<string, string>} [speedUps] inputs the demo adds only to run faster
 * @property {number | undefined} [cancelSecondsAfterRefresh]
 * @property {Expectation} expect what the story says this run shows
 * @property {string[]} unmet each expectation that did not hold, in words; empty when all did
 * @property {import('./run-action.js').ActionRun} run
 */

/**
 * @typedef {object} Expectation what one run of a story claims: each segment's outcome (by name or
 *   ID), the `ready` output, the exit status, and words the summary must hold
 * @property {Record<string, string>} outcomes
 * @property {boolean} ready
 * @property {number} exit
 * @property {string[]} [summary]
 * @property {string[]} [log] words the action's log must hold
 */

/**
 * Each expectation of a run that did not hold, as "Newsletter subscribers: expected fresh, was
 * refreshed"; empty when every one did.
 * @param {Expectation} expect
 * @param {import('./run-action.js').ActionRun} run
 * @returns {string[]}
 */
export function unmet(expect, run) {
  /** @type {Array<{ segment_id: string, segment_name: string | null, outcome: string }>} */
  const results = JSON.parse(run.outputs.results ?? '[]')
  const lines = []
  for (const [segment, outcome] of Object.entries(expect.outcomes)) {
    const result = results.find((r) => r.segment_name === segment || r.segment_id === segment)
    const was = result ? result.outcome : 'not in results'
    if (was !== outcome) lines.push(`${segment}: expected ${outcome}, was ${was}`)
  }
  for (const result of results) {
    const named = [result.segment_name, result.segment_id].some(
      (key) => key && key in expect.outcomes
    )
    if (!named)
      lines.push(
        `${result.segment_name ?? result.segment_id}: ${result.outcome}, which the story does not expect`
      )
  }
  const ready = run.outputs.ready === 'true'
  if (ready !== expect.ready) lines.push(`ready: expected ${expect.ready}, was ${ready}`)
  if (run.exitCode !== expect.exit)
    lines.push(`exit status: expected ${expect.exit}, was ${run.exitCode}`)
  // The summary as a person reads it: text, not HTML.
  const summary = summaryAsText(run.summary)
  for (const words of expect.summary ?? []) {
    if (!summary.includes(words)) lines.push(`summary: expected to say ${JSON.stringify(words)}`)
  }
  for (const words of expect.log ?? []) {
    if (!run.stdout.includes(words)) lines.push(`log: expected to say ${JSON.stringify(words)}`)
  }
  return lines
}
