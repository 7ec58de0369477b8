// Turns `segment-names` into segment IDs with one list request, before any refresh is sent.
import { unknownNameMessage } from './name-match.js'
import { describeFailure, parseSegmentList, type SendGridClient } from './sendgrid-client.js'

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
    throw new SegmentNamesError([
      `Could not list the account's segments to resolve segment-names (${describeFailure(answer)}).`
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
          'segment-names',
          'segment',
          name,
          segments.map((s) => s.name)
        )
      )
  }
  if (problems.length > 0) throw new SegmentNamesError(problems)
  return found
}
