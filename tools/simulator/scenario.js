// Scenario files: what SendGrid has (segments, Single Sends, contact jobs) and, for `npm run demo`,
// the runs of a story. Times are relative to the moment a scenario is loaded, so a story reads the
// same at any hour. The simulator reads `sendgrid` and ignores `runs`.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const scenariosDir = join(dirname(fileURLToPath(import.meta.url)), 'scenarios')

const minuteMs = 60_000

/** Each key a scenario may hold, with what it must be: the file is written by people. */
const shapes = {
  scenario: { description: 'string', sendgrid: 'object', runs: 'array' },
  sendgrid: {
    refreshDelaySeconds: 'number',
    accountDailyLimit: 'number',
    accountRefreshesToday: 'number',
    readsPerSecond: 'number',
    readLimitReset: 'string',
    segments: 'array',
    singleSends: 'array',
    contactJobs: 'array'
  },
  segment: {
    id: 'string',
    name: 'string',
    contacts: 'number',
    contactsAfterRefresh: 'number',
    recomputedMinutesAgo: 'number',
    refreshedMinutesAgo: 'array',
    recomputingForSeconds: 'number',
    refreshCountsIn: 'string',
    createdMinutesAgo: 'number',
    editedMinutesAgo: 'number',
    refreshDelaySeconds: 'number'
  },
  singleSend: {
    id: 'string',
    name: 'string',
    status: 'string',
    sendsInMinutes: 'number',
    segments: 'array'
  },
  contactJob: {
    id: 'string',
    status: 'string',
    requested: 'number',
    rejected: 'number',
    finishesInSeconds: 'number'
  },
  run: {
    title: 'string',
    inputs: 'object',
    speedUps: 'object',
    cancelSecondsAfterRefresh: 'number',
    expect: 'object'
  },
  expect: { outcomes: 'object', ready: 'boolean', exit: 'number', summary: 'array', log: 'array' }
}
const required = {
  scenario: ['description', 'sendgrid'],
  segment: ['id', 'name'],
  singleSend: ['id', 'name'],
  contactJob: ['id'],
  run: ['title', 'inputs', 'expect'],
  expect: ['outcomes', 'ready', 'exit']
}

/** The stories in the scenarios folder, by name (the file name without `.json`). */
export function listScenarios() {
  return readdirSync(scenariosDir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = basename(file, '.json')
      return { name, file: join(scenariosDir, file), ...readScenario(join(scenariosDir, file)) }
    })
}

/**
 * The file a user means: a `.json` file of their own, or a story's name; null if neither exists.
 * @param {string} nameOrFile
 */
export function findScenario(nameOrFile) {
  if (nameOrFile.endsWith('.json') && existsSync(nameOrFile)) return nameOrFile
  const named = join(scenariosDir, `${nameOrFile}.json`)
  return existsSync(named) ? named : null
}

/**
 * Reads and checks a scenario file; an error names the file and the key.
 * @param {string} file
 */
export function readScenario(file) {
  let parsed
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(`Scenario ${file}: ${/** @type {Error} */ (error).message}`, { cause: error })
  }
  const where = (/** @type {string} */ path) => `Scenario ${file}: ${path}`
  check(parsed, 'scenario', where('the file'))
  check(parsed.sendgrid, 'sendgrid', where('sendgrid'))
  const lists = /** @type {const} */ ([
    ['segments', 'segment'],
    ['singleSends', 'singleSend'],
    ['contactJobs', 'contactJob']
  ])
  for (const [list, kind] of lists) {
    ;(parsed.sendgrid[list] ?? []).forEach((/** @type {unknown} */ item, /** @type {number} */ i) =>
      check(item, kind, where(`sendgrid.${list}[${i}]`))
    )
  }
  ;(parsed.runs ?? []).forEach((/** @type {any} */ run, /** @type {number} */ i) => {
    check(run, 'run', where(`runs[${i}]`))
    check(run.expect, 'expect', where(`runs[${i}].expect`))
  })
  return /** @type {Scenario} */ (parsed)
}

/**
 * @typedef {object} Scenario
 * @property {string} description
 * @property {Record<string, any>} sendgrid
 * @property {Array<{ title: string, inputs: Record<string, string>, speedUps?: Record<string, string>, cancelSecondsAfterRefresh?: number, expect: import('../story.js').Expectation }>} [runs]
 *   `inputs` are the step's `with:` as the README shows it (the key aside); `speedUps` are inputs a
 *   demo adds on top only to run faster (a shorter wait-interval-seconds)
 */

/**
 * @param {unknown} value
 * @param {keyof typeof shapes} kind
 * @param {string} label
 */
function check(value, kind, label) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${label} must be an object`)
  }
  /** @type {Record<string, string>} */
  const shape = shapes[kind]
  for (const key of /** @type {Record<string, string[]>} */ (required)[kind] ?? []) {
    if (!(key in value)) throw new Error(`${label} needs "${key}"`)
  }
  for (const [key, item] of Object.entries(value)) {
    const wanted = shape[key]
    if (!wanted) {
      throw new Error(`${label} has "${key}", which is none of: ${Object.keys(shape).join(', ')}`)
    }
    const actual = Array.isArray(item) ? 'array' : item === null ? 'null' : typeof item
    if (actual !== wanted) throw new Error(`${label}.${key} must be a ${wanted}, not ${actual}`)
  }
}

/**
 * What `startSimulator` takes for a scenario's SendGrid, with times set from `now` (ms).
 * @param {Scenario} scenario
 * @param {number} now
 */
export function simulatorOptions(scenario, now) {
  const sendgrid = scenario.sendgrid
  const ago = (/** @type {number} */ minutes) => now - minutes * minuteMs
  return {
    refreshDelayMs: (sendgrid.refreshDelaySeconds ?? 1) * 1000,
    ...(sendgrid.accountDailyLimit !== undefined
      ? { accountDailyLimit: sendgrid.accountDailyLimit }
      : {}),
    accountRefreshesToday: sendgrid.accountRefreshesToday ?? 0,
    // A busy account: SendGrid's general limit on reads, shared with the account's other clients.
    ...(sendgrid.readsPerSecond !== undefined
      ? {
          readLimit: {
            perSecond: sendgrid.readsPerSecond,
            resetForm: /** @type {'seconds' | 'epoch'} */ (
              sendgrid.readLimitReset === 'epoch' ? 'epoch' : 'seconds'
            )
          }
        }
      : {}),
    segments: (sendgrid.segments ?? []).map((/** @type {Record<string, any>} */ s) => {
      /** @type {number[]} */
      const refreshTimes = (s.refreshedMinutesAgo ?? [])
        .map(ago)
        .sort((/** @type {number} */ a, /** @type {number} */ b) => a - b)
      return {
        id: s.id,
        name: s.name,
        ...(s.contacts !== undefined ? { contactsCount: s.contacts } : {}),
        ...(s.contactsAfterRefresh !== undefined
          ? { contactsCountAfterRefresh: s.contactsAfterRefresh }
          : {}),
        ...(s.recomputedMinutesAgo !== undefined
          ? { sampleUpdatedAt: ago(s.recomputedMinutesAgo) }
          : {}),
        // SendGrid wrote last_refreshed_at when it accepted the last refresh. Its recompute landed
        // a refresh delay later, unless the scenario says it is still recomputing.
        ...(refreshTimes.length > 0
          ? { refreshTimes, lastRefreshedAt: refreshTimes[refreshTimes.length - 1] }
          : {}),
        ...(refreshTimes.length > 0 &&
        s.recomputedMinutesAgo === undefined &&
        s.recomputingForSeconds === undefined
          ? {
              sampleUpdatedAt:
                refreshTimes[refreshTimes.length - 1] +
                (s.refreshDelaySeconds ?? sendgrid.refreshDelaySeconds ?? 1) * 1000
            }
          : {}),
        ...(s.recomputingForSeconds !== undefined
          ? { pendingUntil: now + s.recomputingForSeconds * 1000 }
          : {}),
        ...(s.refreshCountsIn !== undefined ? { timeZone: s.refreshCountsIn } : {}),
        ...(s.createdMinutesAgo !== undefined ? { createdAt: ago(s.createdMinutesAgo) } : {}),
        ...(s.editedMinutesAgo !== undefined ? { updatedAt: ago(s.editedMinutesAgo) } : {}),
        ...(s.refreshDelaySeconds !== undefined
          ? { refreshDelayMs: s.refreshDelaySeconds * 1000 }
          : {})
      }
    }),
    singleSends: (sendgrid.singleSends ?? []).map((/** @type {Record<string, any>} */ s) => ({
      id: s.id,
      name: s.name,
      ...(s.status !== undefined ? { status: s.status } : {}),
      ...(s.sendsInMinutes !== undefined ? { sendAt: now + s.sendsInMinutes * minuteMs } : {}),
      segmentIds: s.segments ?? []
    })),
    contactJobs: (sendgrid.contactJobs ?? []).map((/** @type {Record<string, any>} */ j) => ({
      id: j.id,
      ...(j.status !== undefined ? { status: j.status } : {}),
      ...(j.requested !== undefined ? { requestedCount: j.requested } : {}),
      ...(j.rejected !== undefined ? { erroredCount: j.rejected } : {}),
      finishesAt: now + (j.finishesInSeconds ?? 0) * 1000
    }))
  }
}
