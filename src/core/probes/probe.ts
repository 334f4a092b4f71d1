/**
 * The probe interface: one small object per integer signal (handles, fds, listeners, instances, …).
 *
 * The sampler calls `start()` once before the first measured call, `read()` after every GC'd reading
 * (after an event-loop turn, never in between GC and the heap reading) and `stop()` once at the end,
 * also when the check fails. A new signal is a new probe file, not a new branch in the sampler.
 */
export interface CountProbe {
  /** Signal family, used as the prefix of every key it reports (for example `handles`). */
  readonly name: string
  /** A short human label for messages (for example `active handles`). */
  readonly label: string
  /** Called once before the first measured call. */
  start?(): void
  /**
   * Current live counts by kind (for example `{ Timeout: 3, TCPSocketWrap: 1 }`). Only differences
   * between readings matter: absolute values may include the test runner's own resources.
   */
  read(): Readonly<Record<string, number>>
  /** Called once when the check ends, whatever the outcome. */
  stop?(): void
  /**
   * `false` when the counts cannot change by waiting (an exact but costly read, such as instance
   * counts): the sampler then reads the probe once per reading, never again while it waits for
   * closing resources to go away.
   * @default true
   */
  readonly settles?: boolean
  /**
   * Why the probe cannot measure on this platform, when it cannot (for example no `/proc/self/fd`).
   * An unavailable probe is not started or read: it never produces a verdict from missing data.
   */
  readonly unavailable?: string
  /**
   * Items that an ignore rule kept out of the counts: growth since the first reading, per rule
   * (for example `{ "ignoreTypes: Timeout": 4064 }`). Read once when the check ends.
   */
  ignored?(): Readonly<Record<string, number>>
}
