// The simulator as a user starts it (`npm run -s simulator -- ...`): its own process, on the tests'
// clock, with its URL read from the first line it prints.
import { spawn } from 'node:child_process'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { clockForChild } from '../../tools/test-clock/clock.js'

/**
 * @param {string[]} args the simulator's options
 * @returns {Promise<{ url: string, stderr: () => string, stop: () => Promise<number | null> }>}
 *   `stop` sends SIGTERM and gives the exit code.
 */
export async function startSimulatorProcess(args) {
  const clock = clockForChild()
  const child = spawn(machineNodePath, [...clock.execArgv, 'tools/simulator/cli.js', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...clock.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const stop = async () => {
    child.kill('SIGTERM')
    return /** @type {number | null} */ (await exited)
  }
  try {
    const url = await new Promise((resolve, reject) => {
      child.stdout.setEncoding('utf8').once('data', (chunk) => resolve(chunk.split('\n')[0]))
      child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${stderr}`)))
    })
    return { url: /** @type {string} */ (url), stderr: () => stderr, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
