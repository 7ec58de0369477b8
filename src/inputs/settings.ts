// Reads every input once, validates it, and returns one typed Settings object.
// Nothing here sends a request: a bad value must stop the run before SendGrid is contacted.
import * as core from '@actions/core'
import { recomputedByChoices, type RecomputedBy } from '../run/recompute.js'
import { baseUrlFor, dataResidencies, dataResidencyHosts } from './api-url.js'
import { parseContactJobIds, parseIdList, parseNames, parseSegmentIds } from './lists.js'
import { InputProblem, InvalidInputsError, NoSegmentsGiven } from './problems.js'
import { parseTimeZone, shownTimeZone } from './time-zone.js'
import { timeZoneWarning } from './time-zone-names.js'

export { InputProblem, InvalidInputsError } from './problems.js'

export type RateLimitPolicy = 'warn' | 'fail'

export interface Settings {
  apiKey: string
  /** `github-token`: read the running workflow's schedule with it; '' when none was given. */
  githubToken: string
  /** Unique segment IDs from `segment-ids`, in input order. */
  segmentIds: string[]
  /** IDs given more than once in `segment-ids` (refreshed once). */
  duplicateSegmentIds: string[]
  /** Segment names from `segment-names`, one per line, unique, in input order. */
  segmentNames: string[]
  /** Unique Single Send IDs from `single-send-ids`, in input order. */
  singleSendIds: string[]
  /** Single Send names from `single-send-names`, one per line, unique, in input order. */
  singleSendNames: string[]
  /** Every Single Send scheduled to go out within this long from now is served; 0 = off. */
  singleSendsWithinMs: number
  /** SendGrid contact jobs (imports, upserts, deletes) that must finish before any segment is read. */
  contactJobIds: string[]
  /** How long after the last contact job finished its contacts count as landed. */
  contactsSettleMs: number
  /** The zone as the user wrote it (`EST` stays `EST`): every time and every word is in it. */
  timeZone: string
  /** Its canonical IANA name, sent to SendGrid as `user_time_zone`. */
  userTimeZone: string
  /** Why the zone as given may not be what the user means (EST, GMT, CET...); null for city zones. */
  timeZoneWarning: string | null
  onRateLimit: RateLimitPolicy
  /** Scheme and host (plus an optional path prefix), no trailing slash. */
  baseUrl: string
  onBehalfOf: string | null
  timeoutMs: number
  maxRetries: number
  /** How long one read keeps coming back while SendGrid's rate limit refuses it. */
  readLimitWaitMs: number
  dryRun: boolean
  checkQuota: boolean
  /** A segment SendGrid recomputed this recently counts as fresh and is not refreshed; 0 = off. */
  freshWithinMs: number
  wait: boolean
  waitTimeoutMs: number
  waitIntervalMs: number
  /** Fail the step unless every segment is ready to send to (output `ready`). */
  failUnlessReady: boolean
  /** Which of SendGrid's fields shows a finished recompute (see recompute.ts). */
  recomputedBy: RecomputedBy
  /** A segment with fewer contacts is not ready; 0 = off. */
  minContacts: number
  /** A recompute that changes the count by more than this percentage is not ready; null = off. */
  maxContactsChangePercent: number | null
}

/** Defaults, mirrored in action.yml (a test keeps the two in step). */
export const inputDefaults = {
  'time-zone': 'UTC',
  'on-rate-limit': 'warn',
  'data-residency': 'global',
  'api-url': '',
  'on-behalf-of': '',
  'timeout-seconds': '30',
  'max-retries': '2',
  'read-limit-wait-seconds': '120',
  'dry-run': 'false',
  'check-quota': 'true',
  'fresh-within-minutes': '0',
  'single-sends-within-minutes': '0',
  'contact-job-ids': '',
  'contacts-settle-seconds': '0',
  wait: 'false',
  'wait-timeout-seconds': '600',
  'wait-interval-seconds': '15',
  'fail-unless-ready': 'false',
  'recomputed-by': 'sample_updated_at',
  'min-contacts': '0',
  'max-contacts-change-percent': ''
} as const

type InputName = keyof typeof inputDefaults

function readInput(name: InputName): string {
  return core.getInput(name).trim() || inputDefaults[name]
}

/**
 * Reads and validates all inputs. The key is masked before anything else is read, so no later
 * log line or error can show it. Throws InvalidInputsError listing every bad input at once.
 */
export function getSettings(): Settings {
  const apiKey = core.getInput('api-key').trim()
  if (apiKey) core.setSecret(apiKey)
  const githubToken = core.getInput('github-token').trim()
  if (githubToken) core.setSecret(githubToken)

  const problems: InputProblem[] = []
  const check = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse()
    } catch (error) {
      if (error instanceof InputProblem) {
        problems.push(error)
        return fallback
      }
      throw error
    }
  }

  if (!apiKey) {
    problems.push(
      new InputProblem(
        'api-key',
        '',
        'it is required (pass a secret, e.g. ${{ secrets.SENDGRID_API_KEY }})'
      )
    )
  } else if (/\s/.test(apiKey)) {
    // Never echo the key itself, not even a bad one.
    problems.push(
      new InputProblem('api-key', '***', 'it contains white space; check how the secret was pasted')
    )
  }

  const { unique: segmentIds, duplicates: duplicateSegmentIds } = check(
    () => parseSegmentIds(core.getInput('segment-ids')),
    { unique: [], duplicates: [] }
  )
  const segmentNames = parseNames(core.getInput('segment-names'))
  const { unique: singleSendIds } = check(
    () => parseIdList('single-send-ids', core.getInput('single-send-ids'), 'Single Send ID'),
    { unique: [], duplicates: [] }
  )
  const singleSendNames = parseNames(core.getInput('single-send-names'))
  const singleSendsWithinMs = check(
    () => Math.round(parseNumber('single-sends-within-minutes') * 60_000),
    0
  )
  const contactJobIds = check(() => parseContactJobIds(core.getInput('contact-job-ids')), [])
  const sources = [segmentIds, segmentNames, singleSendIds, singleSendNames].flat()
  const unreadable = problems.some((p) =>
    ['segment-ids', 'single-send-ids', 'single-sends-within-minutes'].includes(p.input)
  )
  if (sources.length === 0 && singleSendsWithinMs === 0 && !unreadable) {
    problems.push(new NoSegmentsGiven())
  }

  const zoneAsWritten = readInput('time-zone')
  const userTimeZone = check(() => parseTimeZone(zoneAsWritten), 'UTC')
  const settings: Settings = {
    apiKey,
    githubToken,
    segmentIds,
    duplicateSegmentIds,
    segmentNames,
    singleSendIds,
    singleSendNames,
    singleSendsWithinMs,
    contactJobIds,
    contactsSettleMs: check(() => parseSecondsUpTo('contacts-settle-seconds', 3600), 0),
    timeZone: shownTimeZone(zoneAsWritten, userTimeZone),
    userTimeZone,
    timeZoneWarning: timeZoneWarning(zoneAsWritten, userTimeZone),
    onRateLimit: check(() => parseChoice('on-rate-limit', ['warn', 'fail'] as const), 'warn'),
    baseUrl: check(() => parseBaseUrl(), dataResidencyHosts.global),
    onBehalfOf: check(() => parseOnBehalfOf(), null),
    timeoutMs: check(() => parseSeconds('timeout-seconds', { allowZero: false }), 30_000),
    maxRetries: check(() => parseWholeNumber('max-retries'), 2),
    readLimitWaitMs: check(() => parseSecondsUpTo('read-limit-wait-seconds', 3600), 120_000),
    dryRun: check(() => parseBoolean('dry-run'), false),
    checkQuota: check(() => parseBoolean('check-quota'), true),
    freshWithinMs: check(() => Math.round(parseNumber('fresh-within-minutes') * 60_000), 0),
    wait: check(() => parseBoolean('wait'), false),
    waitTimeoutMs: check(() => parseSeconds('wait-timeout-seconds', { allowZero: false }), 600_000),
    waitIntervalMs: check(
      () => parseSeconds('wait-interval-seconds', { allowZero: false }),
      15_000
    ),
    failUnlessReady: check(() => parseBoolean('fail-unless-ready'), false),
    recomputedBy: check(
      () => parseChoice('recomputed-by', recomputedByChoices),
      'sample_updated_at'
    ),
    minContacts: check(() => parseWholeNumber('min-contacts'), 0),
    maxContactsChangePercent: check(
      () =>
        readInput('max-contacts-change-percent')
          ? parseNumber('max-contacts-change-percent')
          : null,
      null
    )
  }
  // Without wait, a refreshed segment is never seen recomputed, so it could never be ready.
  if (settings.failUnlessReady && !settings.wait && !problems.some((p) => p.input === 'wait')) {
    problems.push(
      new InputProblem(
        'fail-unless-ready',
        'true',
        'it needs wait: true, since a refreshed segment is ready only once wait has seen SendGrid recompute it; set wait: true, or fail-unless-ready: false'
      )
    )
  }
  if (problems.length > 0) throw new InvalidInputsError(problems)
  return settings
}

function parseChoice<const T extends string>(name: InputName, choices: readonly T[]): T {
  const value = readInput(name)
  const choice = choices.find((c) => c === value.toLowerCase())
  if (!choice) throw new InputProblem(name, value, `it must be one of: ${choices.join(', ')}`)
  return choice
}

function parseBoolean(name: InputName): boolean {
  const value = readInput(name)
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  throw new InputProblem(name, value, 'it must be true or false')
}

function parseNumber(name: InputName): number {
  const value = readInput(name)
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN
  if (!Number.isFinite(number)) {
    throw new InputProblem(name, value, 'it must be a non-negative number')
  }
  return number
}

function parseSeconds(name: InputName, { allowZero }: { allowZero: boolean }): number {
  const seconds = parseNumber(name)
  if (!allowZero && seconds === 0)
    throw new InputProblem(name, readInput(name), 'it must be more than 0 seconds')
  return Math.round(seconds * 1000)
}

function parseSecondsUpTo(name: InputName, most: number): number {
  const seconds = parseNumber(name)
  if (seconds > most)
    throw new InputProblem(name, readInput(name), `it must be at most ${most} seconds`)
  return Math.round(seconds * 1000)
}

function parseWholeNumber(name: InputName): number {
  const number = parseNumber(name)
  if (!Number.isInteger(number))
    throw new InputProblem(name, readInput(name), 'it must be a whole number (0, 1, 2, ...)')
  return number
}

/** `api-url` wins over `data-residency`. */
function parseBaseUrl(): string {
  const residency = parseChoice('data-residency', dataResidencies)
  return baseUrlFor(residency, readInput('api-url'))
}

function parseOnBehalfOf(): string | null {
  const value = readInput('on-behalf-of')
  // A header value cannot hold line breaks or other control characters.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new InputProblem(
      'on-behalf-of',
      value,
      'it must be a subuser name or "account-id <id>" on one line'
    )
  }
  return value || null
}
