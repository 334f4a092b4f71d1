/**
 * Timers and the clock of the page, captured when leakspec loads (before a test can install fake
 * timers): the page-side sampler only ever uses these. No `node:` modules: this runs in the browser.
 */

const realSetTimeout = globalThis.setTimeout.bind(globalThis)
const realClearTimeout = globalThis.clearTimeout.bind(globalThis)
const realNow = performance.now.bind(performance)
const timeOrigin = performance.timeOrigin

/** Milliseconds from an arbitrary origin, monotonic, unaffected by fake timers. */
export function now(): number {
  return realNow()
}

/** Milliseconds since the Unix epoch from the real clock. */
export function epochNow(): number {
  return timeOrigin + realNow()
}

/** The page's MessageChannel, typed by hand (leakspec compiles without the DOM library). */
interface PagePort {
  onmessage: ((event: unknown) => void) | null
  postMessage(message: unknown): void
}
const Channel = (globalThis as unknown as { MessageChannel?: new () => { port1: PagePort; port2: PagePort } }).MessageChannel
const channel = typeof Channel === 'function' ? new Channel() : undefined
const waiting: Array<() => void> = []
if (channel) {
  channel.port1.onmessage = () => {
    waiting.shift()?.()
  }
}

/** Resolves after one turn of the page's event loop (a message to itself, not clamped like setTimeout). */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    if (!channel) {
      realSetTimeout(resolve, 0)
      return
    }
    waiting.push(resolve)
    channel.port2.postMessage(0)
  })
}

/** The outcome of waiting for a promise with {@link settleWithin}. */
export type SettleOutcome = { readonly settled: true; readonly ok: true } | { readonly settled: true; readonly ok: false; readonly error: unknown } | { readonly settled: false }

/**
 * Waits for a promise at most `ms` milliseconds of real time. One timer serves a whole run of calls
 * (it is re-armed only when it fires early), like the Node sampler's watchdog.
 */
export class PageWatchdog {
  readonly #ms: number
  #timer: ReturnType<typeof realSetTimeout> | undefined
  #pending: ((outcome: SettleOutcome) => void) | undefined
  #started = 0

  /** @param ms how long one promise may take, milliseconds */
  constructor(ms: number) {
    this.#ms = ms
  }

  /** Resolves with the outcome, or `{ settled: false }` after `ms` milliseconds. */
  settle(promise: PromiseLike<unknown>): Promise<SettleOutcome> {
    return new Promise<SettleOutcome>((resolve) => {
      let done = false
      const finish = (outcome: SettleOutcome): void => {
        if (done) return
        done = true
        this.#pending = undefined
        resolve(outcome)
      }
      this.#pending = finish
      this.#started = realNow()
      this.#arm(this.#ms)
      promise.then(
        () => finish({ settled: true, ok: true }),
        (error: unknown) => finish({ settled: true, ok: false, error }),
      )
    })
  }

  /** Clears the timer. */
  disarm(): void {
    if (this.#timer !== undefined) realClearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(ms: number): void {
    if (this.#timer !== undefined) return
    this.#timer = realSetTimeout(() => {
      this.#timer = undefined
      const pending = this.#pending
      if (pending === undefined) return
      const waited = realNow() - this.#started
      if (waited >= this.#ms - 1) pending({ settled: false })
      else this.#arm(this.#ms - waited)
    }, ms)
  }
}
