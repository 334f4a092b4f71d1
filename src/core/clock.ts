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

/**
 * Waits for `promise` at most `ms` milliseconds of real time.
 * Resolves to `{ settled: true, value }`, `{ settled: true, error }` or `{ settled: false }`.
 * The timer it uses is always cleared before it resolves, so it never shows up as a handle.
 */
export function settleWithin<T>(
  promise: PromiseLike<T>,
  ms: number,
): Promise<{ settled: true; ok: true; value: T } | { settled: true; ok: false; error: unknown } | { settled: false }> {
  return new Promise((resolve) => {
    const timer = realSetTimeout(() => resolve({ settled: false }), ms)
    promise.then(
      (value) => {
        realClearTimeout(timer)
        resolve({ settled: true, ok: true, value })
      },
      (error: unknown) => {
        realClearTimeout(timer)
        resolve({ settled: true, ok: false, error })
      },
    )
  })
}
