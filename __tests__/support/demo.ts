// `npm run demo` as a user runs it, under the suite's clock, and what it prints.
import { spawn } from 'node:child_process'
import { projectRoot } from '../../tools/run-action.js'
import { machineNodePath } from '../../tools/runtimes.js'
import { clockForChild } from '../../tools/test-clock/clock.js'

export const demo = (...args: string[]) => {
  const clock = clockForChild()
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(machineNodePath, [...clock.execArgv, 'tools/demo.js', ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...clock.env }
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

/** The outputs a demo printed for each run, by output name. */
export const outputsOf = (stdout: string) =>
  stdout
    .split(/^=== Run \d+ of \d+: /m)
    .slice(1)
    .map((run) => {
      const block = run.split('--- outputs ---\n')[1].split('\n\n')[0]
      return Object.fromEntries(
        block
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])
      )
    })

/** Every story in tools/simulator/scenarios, in the order the demo lists them. */
export const stories = [
  'after-contact-import',
  'busy-account',
  'campaign-due-soon',
  'cancelled-wait',
  'failed-contact-import',
  'quick-start',
  're-run',
  'segments-by-name',
  'three-audiences'
]
