// Turns `segment-names` into segment IDs with one list request, before any refresh is sent.
import { describeErrorBody } from './error-body.js'
import { parseSegmentList, type SendGridClient } from './sendgrid-client.js'

/** Names that could not be resolved; no segment is refreshed when this is thrown. */
export class SegmentNamesError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'))
    this.name = 'SegmentNamesError'
  }
}

/** Looks up every name with one list request; throws SegmentNamesError unless all are found. */
export async function findSegmentsByName(
  client: SendGridClient,
  names: string[]
): Promise<Array<{ id: string; name: string }>> {
  const answer = await client.listSegments()
  const segments =
    answer.kind === 'response' && answer.status === 200 ? parseSegmentList(answer.body) : null
  if (!segments) {
    const said = answer.kind === 'response' ? describeErrorBody(answer.body) : null
    const why =
      answer.kind === 'no-response'
        ? `${answer.reason}: ${answer.detail}`
        : `HTTP ${answer.status}${said ? `: ${said}` : ''}`
    throw new SegmentNamesError([
      `Could not list the account's segments to resolve segment-names (${why}).`
    ])
  }

  const problems: string[] = []
  const found: Array<{ id: string; name: string }> = []
  for (const name of names) {
    const match = segments.find((segment) => segment.name === name)
    if (match) found.push({ id: match.id, name })
    else
      problems.push(
        unknownNameMessage(
          name,
          segments.map((s) => s.name)
        )
      )
  }
  if (problems.length > 0) throw new SegmentNamesError(problems)
  return found
}

function unknownNameMessage(name: string, existingNames: string[]): string {
  const suggestions = closestNames(name, existingNames)
  const hint =
    suggestions.length > 0
      ? ` Did you mean ${suggestions.map((s) => JSON.stringify(s)).join(' or ')}?`
      : ` The account has ${existingNames.length} segment(s), none with a similar name.`
  return `Input 'segment-names': no segment is named ${JSON.stringify(name)} (names must match exactly).${hint}`
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
