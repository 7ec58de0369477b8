// `npm run test:at -- INSTANT`: runs every suite whose words or counts depend on the clock as if it
// were INSTANT (ISO 8601 with a zone, e.g. 2027-03-28T00:59:30Z). Each suite starts at that instant
// and its clock runs on; the action's process and the simulator share it (see
// __tests__/support/test-clock.js). `npm run test:at -- --hours` runs them at each instant that has
// broken tests before: around midnight, daylight-saving changes, the year's end and 29 February.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../__tests__/support/run-action.js'
import { instantVariable, parseInstant } from '../../__tests__/support/test-clock.js'

/** Suites whose words and counts do not depend on the time of day or the date. */
const clockFree = [
  'client-requests',
  'contract',
  'dist',
  'e2e-cancel',
  'e2e-hostile',
  'e2e-tls',
  'live-check',
  'error-body',
  'log',
  'paging',
  'platforms',
  'release',
  'transport',
  'undici-stub'
]

/** The hours that break things: each with what happens there. */
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

const usage = `Usage: npm run test:at -- INSTANT [SUITE ...]   (ISO 8601 with a zone, e.g. 2027-03-28T00:59:30Z)
       npm run test:at -- --hours [SUITE ...]    (each instant that has broken tests before)
SUITE names a suite in __tests__ (e.g. e2e-budget); without one, every suite that reads the clock.`

const [first, ...named] = process.argv.slice(2)
if (!first || first === '--help') {
  console.log(usage)
  process.exit(first ? 0 : 2)
}

const suites =
  named.length > 0
    ? named
    : readdirSync(join(projectRoot, '__tests__'))
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => f.replace(/\.test\.ts$/, ''))
        .filter((name) => !clockFree.includes(name))

const instants = first === '--hours' ? hardInstants : [[first, 'as asked']]
const failed = []
for (const [instant, why] of instants) {
  let at
  try {
    at = new Date(parseInstant(instant)).toISOString()
  } catch (error) {
    console.error(`npm run test:at: ${error.message}\n${usage}`)
    process.exit(2)
  }
  console.log(`Running the clock's suites at ${at} (${why}).`)
  const jest = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings',
      join(projectRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--coverage=false',
      '--',
      ...suites.map((name) => `__tests__/${name}\\.test\\.ts$`)
    ],
    { cwd: projectRoot, stdio: 'inherit', env: { ...process.env, [instantVariable]: instant } }
  )
  if (jest.status !== 0) failed.push(`${at} (${why})`)
}
if (failed.length > 0) {
  console.error(`Suites failed at ${failed.length} instant(s):\n${failed.join('\n')}`)
  process.exit(1)
}
console.log(`Every suite that reads the clock passed at ${instants.map(([i]) => i).join(', ')}.`)
