// Runs the committed bundle the way the Actions runner does: a fresh `node dist/index.js` process,
// inputs as INPUT_* variables (defaults filled from action.yml), and GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files to read back. Under the tests' clock, the process runs on that clock.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { clockForChild } from './test-clock/clock.js'

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const bundlePath = join(projectRoot, 'dist', 'index.js')

/** @returns {{ inputs: Record<string, { description?: string, default?: string, required?: boolean }>, outputs: Record<string, { description?: string }>, runs: { using: string, main: string } }} */
export function readActionYml() {
  return parse(readFileSync(join(projectRoot, 'action.yml'), 'utf8'))
}

/**
 * @typedef {object} ActionRun
 * @property {number | null} exitCode
 * @property {string} stdout
 * @property {string} stderr
 * @property {Record<string, string>} outputs
 * @property {string} summary
 * @property {number} durationMs
 * @property {number} endedAt performance.now() when the process had exited
 */

/**
 * @param {Record<string, string>} inputs by input name, e.g. { 'api-key': '...' }
 * @param {{ node?: string, env?: Record<string, string>, timeoutMs?: number, bundle?: string, execArgv?: string[], ipc?: boolean, whileRunning?: (child: import('node:child_process').ChildProcess) => unknown }} [options]
 *   `whileRunning` gets the process as soon as it is started, e.g. to send it signals; `execArgv`
 *   goes to node before the bundle; `ipc` opens a message channel to the process.
 * @returns {Promise<ActionRun>}
 */
export async function runAction(inputs, options = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'refresh-segment-run-'))
  const outputFile = join(workDir, 'output')
  const summaryFile = join(workDir, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')

  const clock = clockForChild()
  /** @type {Record<string, string>} */
  const env = {
    ...clock.env,
    // What a process needs of the machine on every OS (Windows: SystemRoot for sockets and crypto).
    ...pick(process.env, ['PATH', 'SystemRoot', 'TEMP', 'TMP', 'USERPROFILE']),
    HOME: process.env.HOME ?? workDir,
    RUNNER_TEMP: workDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env
  }
  const declared = readActionYml().inputs
  for (const [name, spec] of Object.entries(declared)) env[inputVariable(name)] = inputDefault(spec)
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value

  const started = performance.now()
  const child = spawn(
    options.node ?? process.execPath,
    [...clock.execArgv, ...(options.execArgv ?? []), options.bundle ?? bundlePath],
    {
      env,
      stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe']
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  child.stderr?.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const timeoutMs = options.timeoutMs ?? 60_000
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const closed = new Promise((resolve) => child.on('close', (code) => resolve(code)))
  await options.whileRunning?.(child)
  const exitCode = await closed
  clearTimeout(killer)
  const endedAt = performance.now()
  const durationMs = endedAt - started

  const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
  const summary = readFileSync(summaryFile, 'utf8')
  rmSync(workDir, { recursive: true, force: true })
  return { exitCode, stdout, stderr, outputs, summary, durationMs, endedAt }
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} names
 */
function pick(env, names) {
  return Object.fromEntries(names.filter((n) => env[n] !== undefined).map((n) => [n, env[n]]))
}

/**
 * The value the runner gives an input left unset: its default, except that an expression
 * (`${{ github.token }}`) is the runner's to fill, and here there is nothing to fill it with.
 * @param {{ default?: string }} spec
 */
export function inputDefault(spec) {
  const value = String(spec.default ?? '')
  return value.startsWith('${{') ? '' : value
}

/** @param {string} name */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * Reads the runner's `name<<delimiter` file format.
 * @param {string} text
 */
export function parseOutputFile(text) {
  /** @type {Record<string, string>} */
  const outputs = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (!heredoc) continue
    const [, name, delimiter] = heredoc
    const value = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
    outputs[name] = value.join('\n')
  }
  return outputs
}

/**
 * Workflow commands from stdout, e.g. ::error title=...::message
 * @param {string} stdout
 */
export function annotationsIn(stdout) {
  return stdout
    .split('\n')
    .map((line) => /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      level: match[1],
      properties: match[2] ?? '',
      message: match[3].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')
    }))
}
