/**
 * Timers and the clock, captured when leakspec loads.
 *
 * Tests often install fake timers (`vi.useFakeTimers()`, `jest.useFakeTimers()`), which replace the
 * globals. The sampler must keep a real event loop and a real clock, so it only ever uses the
 * functions captured here, taken from `node:timers` and `node:perf_hooks` rather than from
 * `globalThis`.
 */
import { performance } from 'node:perf_hooks'
import * as timers from 'node:timers'

const realSetImmediate = timers.setImmediate
const realSetTimeout = timers.setTimeout
const realClearTimeout = timers.clearTimeout
const realNow = performance.now.bind(performance)

/** Milliseconds from an arbitrary origin, monotonic, unaffected by fake timers. */
export function now(): number {
  return realNow()
}

/** Milliseconds since the Unix epoch from the real clock (fake timers may freeze `Date.now()`). */
export function epochNow(): number {
  return performance.timeOrigin + realNow()
}

/** Resolves after one turn of the event loop (a real `setImmediate`). */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    realSetImmediate(resolve)
  })
}

/** Resolves after `ms` milliseconds of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    realSetTimeout(resolve, ms)
  })
}

/** The outcome of waiting for a promise with {@link SettleWatchdog}. */
export type SettleOutcome<T> =
  | { readonly settled: true; readonly ok: true; readonly value: T }
  | { readonly settled: true; readonly ok: false; readonly error: unknown }
  | { readonly settled: false }

/**
 * Waits for promises one at a time, each at most `ms` milliseconds of real time.
 *
 * One timer serves many calls: a timer per call (create + clear) was measured to retain a few bytes
 * per call in Node's timer lists across thousands of calls, which is noise in a leak check. The timer
 * is re-armed only when it fires while a call is still young, and `disarm()` clears it so that it
 * never shows up when handles are counted.
 */
export class SettleWatchdog {
  readonly #ms: number
  #timer: ReturnType<typeof realSetTimeout> | undefined
  #resolve: ((outcome: SettleOutcome<never>) => void) | undefined
  #started = 0

  /** @param ms how long one promise may take, in milliseconds */
  constructor(ms: number) {
    this.#ms = ms
  }

  /** Resolves with the promise's outcome, or `{ settled: false }` after `ms` milliseconds. */
  settle<T>(promise: PromiseLike<T>): Promise<SettleOutcome<T>> {
    return new Promise<SettleOutcome<T>>((resolve) => {
      let done = false
      const finish = (outcome: SettleOutcome<T>): void => {
        if (done) return
        done = true
        this.#resolve = undefined
        resolve(outcome)
      }
      this.#resolve = finish as (outcome: SettleOutcome<never>) => void
      this.#started = realNow()
      this.#arm(this.#ms)
      promise.then(
        (value) => finish({ settled: true, ok: true, value }),
        (error: unknown) => finish({ settled: true, ok: false, error }),
      )
    })
  }

  /** Clears the timer (it is re-armed by the next `settle`). */
  disarm(): void {
    if (this.#timer !== undefined) realClearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) return
    this.#timer = realSetTimeout(() => {
      this.#timer = undefined
      const pending = this.#resolve
      if (pending === undefined) return
      const waited = realNow() - this.#started
      if (waited >= this.#ms - 1) pending({ settled: false })
      else this.#arm(this.#ms - waited)
    }, ms)
  }
}
