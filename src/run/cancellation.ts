// Runs get cut short: "Cancel workflow", a job's timeout-minutes, a concurrency group. The runner
// then sends SIGINT (Ctrl-C on Windows), SIGTERM 7.5 s later (Ctrl-Break: SIGBREAK), and kills the
// process 2.5 s after that; some runners send SIGHUP. The run stops starting work at the first
// signal and reports what it knows well inside those seconds.
import { EventEmitter } from 'node:events'

export const cancelSignals = ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] as const

/** How long a request on the wire may take to answer after the signal. */
export const onTheWireGraceMs = 2500
/** If something still holds the process after the report, it is ended this long after. */
const exitSafetyMs = 2000

export interface Cancellation {
  /** Aborted at the first signal. */
  signal: AbortSignal
  /** Settles at the first signal. */
  requested: Promise<void>
  /** Settles at the second signal. */
  again: Promise<void>
  /** Stops listening; after a signal, makes sure the process ends soon. */
  dispose(): void
}

/** Listens for the signals that cut a run short, on `target` (the process, or a test's stand-in). */
export function listenForCancel(
  target: EventEmitter = process,
  exit: () => void = process.exit.bind(process)
): Cancellation {
  const controller = new AbortController()
  let signals = 0
  let first!: () => void
  let second!: () => void
  const requested = new Promise<void>((resolve) => (first = resolve))
  const again = new Promise<void>((resolve) => (second = resolve))
  const onSignal = (): void => {
    signals++
    if (signals === 1) {
      controller.abort()
      first()
    } else second()
  }
  for (const name of cancelSignals) target.on(name, onSignal)
  return {
    signal: controller.signal,
    requested,
    again,
    dispose() {
      for (const name of cancelSignals) target.off(name, onSignal)
      // Unreferenced: it only fires if a socket or timer still holds the process.
      if (signals > 0) setTimeout(exit, exitSafetyMs).unref()
    }
  }
}

/** Whichever comes first: `work` settling, or the cancellation; then the grace for requests. */
export async function untilDoneOrCancelled(
  work: Promise<unknown>,
  cancellation: Pick<Cancellation, 'requested' | 'again'>,
  graceMs = onTheWireGraceMs
): Promise<'done' | 'cancelled'> {
  const done = work.then(() => 'done' as const)
  // Work that fails after the signal is no longer anyone's concern: mark it handled.
  done.catch(() => undefined)
  const first = await Promise.race([done, cancellation.requested.then(() => 'cancelled' as const)])
  if (first === 'done') return 'done'
  // A request on the wire gets a moment to answer, so a refresh SendGrid accepted is known with its
  // job ID; a second signal cuts the moment short.
  let timer: NodeJS.Timeout | undefined
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))
  await Promise.race([work.catch(() => undefined), grace, cancellation.again])
  clearTimeout(timer)
  return 'cancelled'
}
