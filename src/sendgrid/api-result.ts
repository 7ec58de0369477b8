// What one request to SendGrid came to: an answer (any status) or none, with how many attempts it took.
import type { IncomingHttpHeaders } from 'node:http'

/** No answer of SendGrid's comes near this; a proxy's error page or a broken gateway may. */
export const maxAnswerBytes = 1024 * 1024

export interface AttemptFacts {
  /** Requests sent, retries included. */
  attempts: number
  /** An earlier attempt timed out or lost its connection, so SendGrid may have acted on it. */
  lostEarlierAttempt: boolean
  /** How often SendGrid's rate limit (429) made this request wait, and for how long in all. */
  rateLimited?: { times: number; waitedMs: number }
}

export type SingleAttempt =
  | {
      kind: 'response'
      status: number
      headers: IncomingHttpHeaders
      body: string
      /** The answer was longer than `maxAnswerBytes`: reading stopped there and `body` is empty. */
      tooLarge?: boolean
      /** How long the attempt that was answered took, from sending to the whole answer (ms). */
      tookMs?: number
    }
  | {
      kind: 'no-response'
      /** `cancelled`: the run was cancelled before this request was sent; nothing was sent. */
      reason: 'timeout' | 'network' | 'certificate' | 'cancelled'
      detail: string
      /** It failed on a reused keep-alive connection before any answer (the server closed it). */
      staleConnection?: boolean
      /**
       * It provably never left: no connection was made, or a reused one failed before any byte of
       * it was written.
       */
      unsent?: boolean
    }

export type ApiResult = SingleAttempt & AttemptFacts
