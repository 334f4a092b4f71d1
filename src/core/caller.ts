/**
 * Calls the function under test, one call at a time, the way the program the user ships would:
 * promises are awaited before the next call, and the event loop turns between calls often enough
 * that work deferred by a call (a `setImmediate`, a zero timer, a socket's `close` event, a server
 * closed on the next tick) runs before many more calls pile up. Without these turns a round of
 * thousands of synchronous calls would keep every deferred release waiting until the round ended,
 * and a clean function could exhaust the file-descriptor limit inside one round.
 *
 * The caller also reports chosen call counts to an observer (the count schedule reads the resource
 * probes there) and turns a call's failure into a {@link LeakCheckError} naming the call.
 */
import { types } from 'node:util'
import { now, SettleWatchdog, turn } from './clock.js'
import { callRejected, callThrew, callTimedOut, isThenable } from './call-errors.js'
import { LeakCheckError } from './errors.js'

/** Lets a caller stop a running check at the next call boundary. */
export interface CheckToken {
  aborted: boolean
  reason?: string
}

/** The event loop turns at least after this many calls… */
export const TURN_EVERY_CALLS = 16
/** …and after any call that ends this many milliseconds or more after the last turn. */
export const TURN_EVERY_MS = 1

/** Told when the total number of calls reaches a chosen count (see {@link Caller.observe}). */
export interface CallObserver {
  /** Whether to be told after call number `count` (1-based, calibration and warm-up included). */
  wants(count: number): boolean
  /** Told after call `count` settled; the next call waits for the returned promise. */
  reached(count: number): Promise<void>
}

/** Calls `fn`, counts the calls, and turns the event loop between them. */
export class Caller {
  /** Calls made so far (1-based number of the last call started). */
  count = 0
  /** Whether `fn` returned a promise or thenable at least once. */
  async = false
  /** Event-loop turns taken between calls. */
  turns = 0
  readonly #fn: () => unknown
  readonly #timeout: number
  readonly #token: CheckToken | undefined
  readonly #watchdog: SettleWatchdog
  #observer: CallObserver | undefined
  #sinceTurn = 0
  #lastTurn = now()

  /**
   * @param fn the function under test
   * @param timeout how long one call may take to settle, in milliseconds
   * @param token aborts the check at the next call boundary
   */
  constructor(fn: () => unknown, timeout: number, token: CheckToken | undefined) {
    this.#fn = fn
    this.#timeout = timeout
    this.#token = token
    this.#watchdog = new SettleWatchdog(timeout)
  }

  /** Sets (or clears) the observer told at chosen call counts. */
  observe(observer: CallObserver | undefined): void {
    this.#observer = observer
  }

  /** Clears the call-timeout timer so it is not counted as a handle. */
  quiet(): void {
    this.#watchdog.disarm()
  }

  /** The sampler turned the event loop itself (before a reading): the pacing starts over. */
  turned(): void {
    this.#sinceTurn = 0
    this.#lastTurn = now()
  }

  /**
   * Makes `times` calls, one after the other.
   * @throws {LeakCheckError} `FN_THREW`, `FN_REJECTED` or `CALL_TIMEOUT` naming the call; `ABANDONED`
   */
  async call(times: number): Promise<void> {
    const fn = this.#fn
    for (let i = 0; i < times; i++) {
      if (this.#token?.aborted) {
        throw new LeakCheckError('ABANDONED', `leakspec: the leak check was abandoned: ${this.#token.reason ?? 'aborted'}`)
      }
      const index = ++this.count
      let result: unknown
      try {
        result = fn()
      } catch (error) {
        throw callThrew(index, error)
      }
      if (isThenable(result)) {
        this.async = true
        const outcome = await this.#watchdog.settle(result)
        if (!outcome.settled) {
          throw callTimedOut(index, this.#timeout)
        }
        if (!outcome.ok) {
          throw callRejected(index, outcome.error)
        }
      }
      if (++this.#sinceTurn >= TURN_EVERY_CALLS || now() - this.#lastTurn >= TURN_EVERY_MS) {
        await turn()
        this.turns++
        this.turned()
      }
      if (this.#observer?.wants(index) === true) await this.#observer.reached(index)
    }
  }
}
