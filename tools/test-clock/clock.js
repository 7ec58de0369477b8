// The tests' clock. `Date` starts at an instant the test harness chooses and runs on at the real pace;
// timers, performance.now() and the operating system stay real, so time-outs and intervals are
// measured as ever. Jest installs it before every suite (jest-clock.js), `runAction` hands it to the
// action's process through `node --import` (clock-preload.js), so the action, the simulator and the
// test agree on what time it is. Production code never loads it.
const stateKey = Symbol.for('refresh-segment.test-clock')

/** The variable that hands the clock to a child process: ms to add to the real clock. */
export const offsetVariable = 'REFRESH_SEGMENT_TEST_CLOCK_OFFSET_MS'
/** The variable `npm run test:at` sets: the instant every suite starts at. */
export const instantVariable = 'REFRESH_SEGMENT_TEST_NOW'
/**
 * Where `npm test` runs when no instant is given: mid-morning UTC on a weekday in June, hours from
 * midnight in every zone the tests use (Europe/Berlin 12:00, America/Chicago 05:00, Asia/Tokyo 19:00)
 * and from any daylight-saving change. `npm run test:at` covers the hours that break things.
 */
export const defaultInstant = '2026-06-16T10:00:00Z'

/**
 * @typedef {{ RealDate: DateConstructor, offsetMs: number }} ClockState
 * @returns {ClockState}
 */
function installed() {
  /** @type {Record<symbol, ClockState | undefined>} */
  const global = /** @type {any} */ (globalThis)
  const existing = global[stateKey]
  if (existing) return existing
  const RealDate = globalThis.Date
  /** @type {ClockState} */
  const state = { RealDate, offsetMs: 0 }
  const now = () => RealDate.now() + state.offsetMs
  globalThis.Date = /** @type {DateConstructor} */ (
    new Proxy(RealDate, {
      construct: (target, args, newTarget) =>
        Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
      // Date() called without new gives the current time as a string.
      apply: () => new RealDate(now()).toString(),
      get: (target, property, receiver) =>
        property === 'now' ? now : Reflect.get(target, property, receiver)
    })
  )
  global[stateKey] = state
  return state
}

/**
 * Reads an ISO 8601 instant that names its zone ("2027-03-28T00:59:30Z", "...+01:00").
 * @param {string} text
 * @returns {number} ms since the epoch
 */
export function parseInstant(text) {
  const match = /^(\d{4})-(\d\d)-(\d\d)T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.exec(text)
  const ms = match ? Date.parse(text) : NaN
  // Date.parse rolls 30 February over into March; a calendar day must exist.
  const [year, month, day] = (match ?? []).slice(1, 4).map(Number)
  const dayExists = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day
  if (Number.isNaN(ms) || !dayExists) {
    throw new Error(
      `"${text}" is not an ISO 8601 instant with a zone, such as 2027-03-28T00:59:30Z or 2027-03-28T01:59:30+01:00.`
    )
  }
  return ms
}

/**
 * Makes it `instant` now; the clock runs on from there.
 * @param {string | number} instant ISO 8601 with a zone, or ms since the epoch
 */
export function setClock(instant) {
  const state = installed()
  const ms = typeof instant === 'number' ? instant : parseInstant(instant)
  state.offsetMs = ms - state.RealDate.now()
}

/**
 * Shifts the clock by a given number of ms from the real one: how a child process takes over its
 * parent's clock exactly, whatever time passed while it started.
 * @param {number} offsetMs
 */
export function setClockOffset(offsetMs) {
  installed().offsetMs = offsetMs
}

/** @returns {number | null} ms the clock is ahead of the real one, or null when no clock is set */
export function clockOffset() {
  /** @type {Record<symbol, ClockState | undefined>} */
  const global = /** @type {any} */ (globalThis)
  return global[stateKey]?.offsetMs ?? null
}

/**
 * The instant the suites start at: `npm run test:at`'s (a Jest global of its project, or the
 * variable), else the default.
 */
export const suiteInstant = () =>
  /** @type {Record<string, string | undefined>} */ (/** @type {unknown} */ (globalThis))[
    instantVariable
  ] ||
  process.env[instantVariable] ||
  defaultInstant

/**
 * What a child process needs to run on this process's clock: node arguments and variables. Empty
 * when no clock is set, so scripts run outside the tests start their children as they are.
 * @returns {{ execArgv: string[], env: Record<string, string> }}
 */
export function clockForChild() {
  const offsetMs = clockOffset()
  if (offsetMs === null) return { execArgv: [], env: {} }
  return {
    execArgv: ['--import', new URL('./preload.js', import.meta.url).href],
    env: { [offsetVariable]: String(offsetMs) }
  }
}
