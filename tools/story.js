// Runs one story (a scenario file's runs) against the local simulator, each run as the Actions
// runner runs the built action: `node dist/index.js` with INPUT_* variables. One simulator serves
// all of a story's runs, so a re-run meets what the run before it left.
import { runAction } from './run-action.js'
import { simulatorOptions } from './simulator/scenario.js'
import { demoApiKey, startSimulator } from './simulator/index.js'

/**
 * Windows cannot send another process Ctrl-C: there the demo asks the action to cancel by message.
 * A URL, not a path: `--import` takes no Windows drive path.
 */
const cancelByMessage = new URL('./cancel-on-message.js', import.meta.url).href

/**
 * @param {import('./simulator/scenario.js').Scenario} scenario
 * @param {{ leaveOut?: string[], cancelBy?: 'signal' | 'message', onRun?: (run: StoryRun, index: number) => void }} [options]
 *   `leaveOut`: inputs to drop from every run (the summary picture has no contact job).
 * @returns {Promise<{ simulatorUrl: string, runs: StoryRun[] }>}
 */
export async function runStory(scenario, options = {}) {
  const simulator = await startSimulator(simulatorOptions(scenario, Date.now()))
  const cancelBy = options.cancelBy ?? (process.platform === 'win32' ? 'message' : 'signal')
  /** @type {StoryRun[]} */
  const runs = []
  try {
    for (const [index, step] of (scenario.runs ?? []).entries()) {
      const inputs = Object.fromEntries(
        Object.entries(step.inputs).filter(([name]) => !(options.leaveOut ?? []).includes(name))
      )
      const cancelAfterMs =
        step.cancelAfterSeconds === undefined ? undefined : step.cancelAfterSeconds * 1000
      const run = await runAction(
        { 'api-key': demoApiKey, 'api-url': simulator.url, ...inputs },
        {
          ...(cancelAfterMs !== undefined && cancelBy === 'message'
            ? { execArgv: ['--import', cancelByMessage], ipc: true }
            : {}),
          whileRunning: (child) => {
            if (cancelAfterMs === undefined) return
            setTimeout(() => {
              if (cancelBy === 'message') child.send('SIGINT')
              else child.kill('SIGINT')
            }, cancelAfterMs).unref()
          }
        }
      )
      const storyRun = { ...step, inputs, run, expectedExit: step.expectedExit ?? 0 }
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
 * @property {Record<string, string>} inputs as the scenario gives them (without the key and URL)
 * @property {number | undefined} [cancelAfterSeconds]
 * @property {number} expectedExit
 * @property {import('./run-action.js').ActionRun} run
 */
