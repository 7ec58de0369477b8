// Turns `segment-names` into segment IDs with one list request, before any refresh is sent.
import { accessRefused, LookupError, unknownNameMessage } from './name-match.js'
import type { SendGridClient } from '../sendgrid/client.js'
import { bodyOf200, describeFailure, parseSegmentList } from '../sendgrid/answers.js'

const notFound = (problems: string[]): LookupError =>
  new LookupError(
    'Unknown segment name',
    problems,
    'Some segment names could not be resolved; no segment was refreshed.'
  )

/** Looks up every name with one list request; throws LookupError unless all are found. */
export async function findSegmentsByName(
  client: SendGridClient,
  names: string[]
): Promise<Array<{ id: string; name: string }>> {
  const answer = await client.listSegments()
  const body = bodyOf200(answer)
  const segments = body === null ? null : parseSegmentList(body)
  if (!segments) {
    throw (
      accessRefused(answer, "list the account's segments to resolve segment-names") ??
      notFound([
        `Could not list the account's segments to resolve segment-names (${describeFailure(answer)}).`
      ])
    )
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
  if (problems.length > 0) throw notFound(problems)
  return found
}
