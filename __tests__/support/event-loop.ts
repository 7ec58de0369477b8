// Whether a promise settles on what has already happened, without a timer: a machine under load
// delays timers, not this answer, so a test can tell "at once" from "after a delay" at any speed.
import { setImmediate as nextTurn } from 'node:timers/promises'

/** True when `promise` settles before the event loop turns again (only microtasks run till then). */
export async function settlesThisTurn(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), nextTurn(false)])
}
