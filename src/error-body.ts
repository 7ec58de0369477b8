// SendGrid answers errors in three shapes ({"errors":[...]}, {"error":"..."}, or nothing), and
// proxies in front of it answer with HTML. This turns any of them into one readable sentence.

const maxLength = 300

/** SendGrid's own words from an error body, or null when the body says nothing useful. */
export function describeErrorBody(body: string): string | null {
  const text = body.trim()
  if (!text) return null

  const parsed = parseJson(text)
  if (parsed !== undefined) return describeJson(parsed)

  if (text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim()
    return title ? `an HTML page titled "${clip(title)}"` : 'an HTML page'
  }
  return clip(text.replace(/\s+/g, ' '))
}

function describeJson(value: unknown): string | null {
  if (!isRecord(value)) return null
  if (Array.isArray(value.errors)) {
    const messages = value.errors.filter(isRecord).map((entry) => {
      const message = typeof entry.message === 'string' ? entry.message : JSON.stringify(entry)
      return typeof entry.field === 'string' && entry.field ? `${entry.field}: ${message}` : message
    })
    if (messages.length > 0) return clip(messages.join('; '))
  }
  for (const key of ['error', 'message'] as const) {
    if (typeof value[key] === 'string' && value[key]) return clip(value[key])
  }
  return null
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function clip(text: string): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}
