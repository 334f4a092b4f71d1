/**
 * Progress lines while long leak checks run: the reporters register tests that may run as leak
 * checks when they start and remove them when they end; every `everyMs` the tests running for at
 * least `afterMs` are printed, one line each:
 *
 * ```
 * leakspec: still checking client.test.ts > request does not leak (20 s)
 * ```
 */
import { formatDuration } from './table.js'

/** Options of {@link Progress}. */
export interface ProgressOptions {
  /** Print a test once it has run this long, milliseconds; 0 turns progress off. @default 10000 */
  readonly afterMs?: number
  /** Print again at this interval while it runs, milliseconds. @default afterMs */
  readonly everyMs?: number
  /** Where lines go. */
  readonly write: (line: string) => void
  /** The clock, milliseconds (for tests). @default Date.now */
  readonly now?: () => number
}

/** Tracks running tests and prints the long-running ones. */
export class Progress {
  readonly #running = new Map<string, { label: string; started: number }>()
  readonly #afterMs: number
  readonly #everyMs: number
  readonly #write: (line: string) => void
  readonly #now: () => number
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(options: ProgressOptions) {
    this.#afterMs = Math.max(0, options.afterMs ?? 10_000)
    this.#everyMs = Math.max(100, options.everyMs ?? this.#afterMs)
    this.#write = options.write
    this.#now = options.now ?? Date.now
  }

  /** A test started. */
  start(id: string, label: string): void {
    if (this.#afterMs === 0) return
    this.#running.set(id, { label, started: this.#now() })
    if (!this.#timer) {
      this.#timer = setInterval(() => this.tick(), this.#everyMs)
      this.#timer.unref?.()
    }
  }

  /** A test ended. */
  end(id: string): void {
    this.#running.delete(id)
    if (this.#running.size === 0) this.stop()
  }

  /** Prints the tests running for at least `afterMs`; returns the lines printed. */
  tick(): string[] {
    const at = this.#now()
    const lines: string[] = []
    for (const { label, started } of this.#running.values()) {
      const elapsed = at - started
      if (elapsed >= this.#afterMs) lines.push(`leakspec: still checking ${label} (${formatDuration(elapsed)})`)
    }
    for (const line of lines) this.#write(line)
    return lines
  }

  /** Stops the timer (the run ended). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }
}
