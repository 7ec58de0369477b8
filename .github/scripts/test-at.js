// `npm run test:at -- INSTANT`: runs every suite whose words or counts depend on the clock as if it
// were INSTANT (ISO 8601 with a zone, e.g. 2027-03-28T00:59:30Z). Each suite starts at that instant
// and its clock runs on; the action's process and the simulator share it (see
// tools/test-clock/clock.js). `npm run test:at -- --hours` runs them at each instant that has
// broken tests before: around midnight, daylight-saving changes, the year's end and 29 February.
// Every instant is a project of one Jest process, so the instants share its workers and its cache.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../../tools/run-action.js'
import { instantVariable, parseInstant } from '../../tools/test-clock/clock.js'

/**
 * Suites whose words and counts do not depend on the time of day or the date. `--hours` runs them at
 * one hard instant instead of every one, so a suite wrongly listed here still meets a date boundary.
 */
export const clockFree = [
  'contract/sendgrid',
  'e2e/cancel',
  'e2e/hostile',
  'e2e/live-check',
  // Reads refused and sent again, requests in flight, lost refreshes: counts, not times of day.
  'e2e/rate-limit',
  // Cron lines, their gaps and the warnings about them: no time of day in them.
  'e2e/schedule',
  // The demo's list, its cancel by message, its verdict on a story, scenario files: no time in them.
  'e2e/story-runner',
  'e2e/tls',
  // Cron lines and a workflow file from a stand-in for GitHub: no clock in their words.
  'e2e/workflow-schedule',
  'repo/dist',
  // It sets its own instant, the picture's.
  'repo/job-summary-picture',
  'repo/metadata',
  'repo/platforms',
  'repo/readme-stories',
  'repo/release',
  'unit/client-requests',
  // Cron lines and their gaps: src/time/cron.ts reads no clock.
  'unit/cron',
  'unit/log',
  'unit/paging',
  // Its instants are its own (fast-check's dates); no function it calls reads the clock.
  'unit/properties',
  // SendGrid's headers and clock are the tests' own; the in-flight limit reads no clock.
  'unit/rate-limit',
  // Its instants are fixed; where it reads the clock (the send), no word or count depends on it.
  'unit/refresh-send',
  'unit/schedule-coverage',
  'unit/sendgrid-json',
  'unit/transport',
  'unit/undici-stub',
  'unit/workflow-schedule'
]

/** The hours that break things: each with what happens there. */
/** @type {Array<[string, string]>} */
export const hardInstants = [
  ['2026-12-31T23:59:30Z', 'just before midnight UTC, on 31 December'],
  ['2027-01-01T00:00:30Z', 'just after midnight UTC, on 1 January'],
  ['2026-12-01T23:00:30Z', 'just after midnight in Europe/Berlin'],
  ['2026-12-02T06:00:30Z', 'just after midnight in America/Chicago'],
  ['2026-12-01T15:00:30Z', 'just after midnight in Asia/Tokyo'],
  ['2027-03-28T00:59:30Z', 'Europe/Berlin springs forward (02:00 CET becomes 03:00 CEST)'],
  ['2026-10-25T00:59:30Z', 'Europe/Berlin falls back (03:00 CEST becomes 02:00 CET)'],
  ['2027-03-14T06:59:30Z', 'America/New_York springs forward (02:00 EST becomes 03:00 EDT)'],
  ['2026-11-01T05:59:30Z', 'America/New_York falls back (02:00 EDT becomes 01:00 EST)'],
  ['2028-02-29T00:00:30Z', 'just after midnight UTC on 29 February'],
  ['2028-02-29T23:59:30Z', 'just before midnight UTC on 29 February']
]

/** Every suite in __tests__, by its path there without `.test.ts` (e.g. `e2e/budget`). */
export function allSuites() {
  return readdirSync(join(projectRoot, '__tests__'), { recursive: true })
    .map((file) => String(file).replace(/\\/g, '/'))
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => file.replace(/\.test\.ts$/, ''))
    .sort()
}

/**
 * Which suites run at which instant: every suite that reads the clock at each instant, and the
 * clock-free ones once, at the first.
 * @param {Array<[string, string]>} instants
 * @param {string[]} suites
 */
export function plan(instants, suites) {
  const clocked = suites.filter((name) => !clockFree.includes(name))
  const free = suites.filter((name) => clockFree.includes(name))
  return instants.map(([instant, why], index) => ({
    instant,
    why,
    suites: index === 0 ? [...clocked, ...free] : clocked
  }))
}

const usage = `Usage: npm run test:at -- INSTANT [SUITE ...]   (ISO 8601 with a zone, e.g. 2027-03-28T00:59:30Z)
       npm run test:at -- --hours [SUITE ...]    (each instant that has broken tests before)
SUITE names a suite in __tests__ (e.g. e2e/budget); without one, every suite that reads the clock.`

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href
if (isMain) await main()

async function main() {
  const [first, ...named] = process.argv.slice(2)
  if (!first || first === '--help') {
    console.log(usage)
    process.exit(first ? 0 : 2)
  }
  const instants = first === '--hours' ? hardInstants : [[first, 'as asked']]
  /** @type {Array<[string, string]>} */
  const runs = []
  for (const [instant, why] of instants) {
    try {
      runs.push([new Date(parseInstant(instant)).toISOString(), why])
    } catch (error) {
      console.error(`npm run test:at: ${/** @type {Error} */ (error).message}\n${usage}`)
      process.exit(2)
    }
  }
  const planned =
    named.length > 0
      ? runs.map(([instant, why]) => ({ instant, why, suites: named }))
      : first === '--hours'
        ? plan(runs, allSuites())
        : runs.map(([instant, why]) => ({
            instant,
            why,
            suites: allSuites().filter((name) => !clockFree.includes(name))
          }))
  for (const { instant, why, suites } of planned)
    console.log(`Running the clock's suites at ${instant} (${why}): ${suites.length} suites.`)

  const base = (await import(pathToFileURL(join(projectRoot, 'jest.config.js')).href)).default
  const projects = planned.map(({ instant, suites }) => ({
    ...base,
    rootDir: projectRoot,
    displayName: instant,
    // The suites' clock starts here (tools/test-clock/clock.js reads it).
    globals: { [instantVariable]: instant },
    testMatch: undefined,
    testRegex: suites.map((name) => `__tests__/${name}\\.test\\.ts$`),
    // A setting of the whole run, not of a project.
    maxWorkers: undefined,
    collectCoverage: undefined,
    coverageThreshold: undefined,
    collectCoverageFrom: undefined,
    coverageReporters: undefined
  }))
  const results = join(tmpdir(), `refresh-segment-test-at-${process.pid}.json`)
  const jest = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings',
      join(projectRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--coverage=false',
      '--json',
      `--outputFile=${results}`,
      '--config',
      JSON.stringify({ projects, maxWorkers: base.maxWorkers, testTimeout: base.testTimeout })
    ],
    // One runtime for the bundle's suites: the clock reaches the words, not the runtime.
    {
      cwd: projectRoot,
      stdio: 'inherit',
      env: { ...process.env, REFRESH_SEGMENT_ONE_RUNTIME: '1' }
    }
  )
  const failed = new Set()
  try {
    const report = JSON.parse(readFileSync(results, 'utf8'))
    for (const suite of report.testResults ?? []) {
      if (suite.status !== 'passed') failed.add(suite.displayName?.name ?? suite.name)
    }
  } catch {
    // No report: Jest itself failed, and said why above.
  } finally {
    rmSync(results, { force: true })
  }
  if (jest.status !== 0) {
    console.error(
      `Suites failed${failed.size > 0 ? ` at ${[...failed].join(', ')}` : ''} (exit ${jest.status}).`
    )
    process.exit(1)
  }
  console.log(
    `Every suite that reads the clock passed at ${planned.map((p) => p.instant).join(', ')}.`
  )
}
