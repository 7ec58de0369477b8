// Finding what the user named: exact name matching, the closest names to suggest when a name
// matches nothing, and the error that stops a run before any refresh when something is not found.
import { accessProblem } from '../run/results.js'
import type { ApiResult } from '../sendgrid/client.js'
import { describeFailure } from '../sendgrid/answers.js'

/** Things the user named that could not be found or read; no segment is refreshed when thrown. */
export class LookupError extends Error {
  constructor(
    /** The annotation title of each problem, e.g. "Unknown segment name". */
    readonly title: string,
    readonly problems: string[],
    /** What the step's failure says. */
    readonly summary: string
  ) {
    super(problems.join('\n'))
    this.name = 'LookupError'
  }
}

/** The error for a name that matches nothing, with the closest existing names as suggestions. */
export function unknownNameMessage(
  input: string,
  kind: string,
  name: string,
  existingNames: string[]
): string {
  // Names may hold commas, so only a new line separates them: "A, B" where A and B both exist
  // was meant as two names.
  const parts = name.split(',').map((part) => part.trim())
  if (parts.length > 1 && parts.every((part) => existingNames.includes(part))) {
    return `Input '${input}': no ${kind} is named ${JSON.stringify(name)}, but ${parts.map((p) => JSON.stringify(p)).join(' and ')} are ${kind}s of their own. Names may contain commas, so give one name per line (${input}: | and then each name on its own line).`
  }
  const suggestions = closestNames(name, existingNames)
  const hint =
    suggestions.length > 0
      ? ` Did you mean ${suggestions.map((s) => JSON.stringify(s)).join(' or ')}?`
      : ` The account has ${existingNames.length} ${kind}(s), none with a similar name.`
  return `Input '${input}': no ${kind} is named ${JSON.stringify(name)} (names must match exactly).${hint}`
}

/** Up to three existing names closest to `wanted`, ignoring case, by edit distance. */
export function closestNames(wanted: string, existingNames: string[], limit = 3): string[] {
  const target = wanted.toLowerCase()
  const tolerance = Math.max(2, Math.floor(target.length / 3))
  return existingNames
    .map((name) => ({ name, distance: editDistance(target, name.toLowerCase()) }))
    .filter(({ distance }) => distance <= tolerance)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map(({ name }) => name)
}

/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]
}

/**
 * A list or read refused for the key (401), the plan and the key's access (403), or SendGrid's rate
 * limit for as long as a read may wait (429), said as such, never as a name that was not found; null
 * for any other answer.
 */
export function accessRefused(answer: ApiResult, doing: string): LookupError | null {
  if (answer.kind === 'response' && answer.status === 429) {
    return new LookupError(
      "SendGrid's rate limit",
      [`Could not ${doing}: ${describeFailure(answer)}.`],
      "SendGrid's rate limit for requests kept refusing a lookup; no segment was refreshed."
    )
  }
  const access = answer.kind === 'response' ? accessProblem(answer.status) : null
  if (!access || answer.kind !== 'response') return null
  return new LookupError(
    answer.status === 401 ? 'API key rejected' : 'Access refused',
    [`Could not ${doing}: ${access.reason}${access.advice} (HTTP ${answer.status}).`],
    `${access.reason}; no segment was refreshed.`
  )
}
