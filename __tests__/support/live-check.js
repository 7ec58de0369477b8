// Runs `npm run live-check` (dist/live-check/index.js, built from tools/live-check/) as a person would, against the simulator,
// with its waits scaled down, and reads back what it printed and wrote.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { clockForChild } from '../../tools/test-clock/clock.js'

/**
 * @param {string[]} args
 * @param {{ key?: string, whileRunning?: (child: import('node:child_process').ChildProcess, output: () => string) => unknown }} [options]
 */
export async function runLiveCheck(args, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'refresh-segment-live-check-'))
  const out = join(dir, 'live-check.json')
  const clock = clockForChild()
  const child = spawn(
    machineNodePath,
    [...clock.execArgv, join(projectRoot, 'dist', 'live-check', 'index.js'), '--out', out, ...args],
    {
      cwd: dir,
      env: {
        ...process.env,
        ...clock.env,
        LIVE_CHECK_TIME_SCALE: '0.1',
        SENDGRID_API_KEY: options.key ?? 'SG.local-demo-key'
      },
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const closed = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  await options.whileRunning?.(child, () => stdout)
  const exitCode = await closed
  clearTimeout(killer)
  const report = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : null
  rmSync(dir, { recursive: true, force: true })
  return { exitCode, stdout, stderr, report }
}
