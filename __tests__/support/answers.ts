// SendGrid's answers as the client hands them on, for in-process tests of what reads them.
import type { ApiResult } from '../../src/sendgrid/client.js'

/** A first-attempt answer; a body that is not text is sent as JSON. */
export const answer = (status: number, body: unknown = ''): ApiResult => ({
  kind: 'response',
  status,
  headers: {},
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attempts: 1,
  lostEarlierAttempt: false
})
