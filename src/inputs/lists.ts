// Lists given as one input: IDs separated by commas, spaces or newlines; names one per line.
import { InputProblem } from './problems.js'

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Splits on commas, spaces and newlines; keeps input order; drops repeats (case-insensitive). */
export function parseSegmentIds(raw: string): { unique: string[]; duplicates: string[] } {
  return parseIdList('segment-ids', raw, 'segment ID')
}

/** UUIDs separated by commas, spaces or newlines, lower-cased, in input order, each once. */
export function parseIdList(
  input: string,
  raw: string,
  what: string
): { unique: string[]; duplicates: string[] } {
  const tokens = raw.split(/[\s,]+/).filter(Boolean)
  const bad = tokens.filter((token) => !uuidPattern.test(token))
  if (bad.length > 0) {
    throw new InputProblem(
      input,
      bad.join(', '),
      `each ${what} must be a 36-character UUID such as 1588e03b-50aa-454a-97d1-e1530345a5ec`
    )
  }
  const seen = new Set<string>()
  const unique: string[] = []
  const duplicates: string[] = []
  for (const token of tokens) {
    const id = token.toLowerCase()
    if (seen.has(id)) {
      if (!duplicates.includes(id)) duplicates.push(id)
    } else {
      seen.add(id)
      unique.push(id)
    }
  }
  return { unique, duplicates }
}

/** SendGrid's job IDs are UUIDs; anything that could change the request path is refused. */
const contactJobIdPattern = /^[A-Za-z0-9_-]{1,64}$/

/** Job IDs separated by commas, spaces or newlines, in input order, each once. */
export function parseContactJobIds(raw: string): string[] {
  const tokens = raw.split(/[\s,]+/).filter(Boolean)
  const bad = tokens.filter((token) => !contactJobIdPattern.test(token))
  if (bad.length > 0) {
    throw new InputProblem(
      'contact-job-ids',
      bad.join(', '),
      'each job ID must be 1 to 64 letters, digits, - or _ (the job_id SendGrid returned)'
    )
  }
  return [...new Set(tokens)]
}

/** Names may hold spaces and commas, so only newlines separate them. */
export function parseNames(raw: string): string[] {
  const names = raw
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
  return [...new Set(names)]
}
