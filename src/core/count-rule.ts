/**
 * The count schedule: resource signals (handles by type, fds, listeners, instances) are exact
 * integers with no GC noise, so they are decided as counts, on their own schedule, long before the
 * heap rule's doubling rounds are done. Pure functions: readings in, decisions out.
 *
 * The sampler reads the cheap count probes at checkpoints — after call 1, 2, 4, 8, … (calibration
 * and warm-up included) up to {@link LAST_CHECKPOINT} — against a baseline read before the first
 * call. A key leaks early when it rose by at least half a unit per call in each of the last
 * {@link EARLY_INTERVALS} intervals between checkpoints, the last of them ending at call
 * {@link EARLY_MIN_CALLS} or later: one socket, file or timer per call is decided at call 32 or 64,
 * before a file-descriptor limit of 256 or a database's 100 connections. Bounded growth (a pool
 * filling up, one lazily created connection) stops rising within a few checkpoints and never meets
 * the rule; resources released late (on the next tick, after a short timer, when a child exits) are
 * given time to go before the rule is applied: the sampler re-reads the counts after a full GC and
 * a wait of up to {@link LINGER_MS} (see `confirmEarly`).
 *
 * The same evidence decides when a call fails partway (EMFILE, "too many clients", a pool that waits
 * forever): {@link steadyGrowth} says whether a count rose steadily with the calls before the failure.
 */

/** Count readings by signal key (`handles:TCPServerWrap`, `fds:file`, …). */
export type Counts = Readonly<Record<string, number>>

/** A reading of the count probes after a number of calls. */
export interface Checkpoint {
  /** Calls made before the reading (0 for the baseline). */
  readonly calls: number
  readonly counts: Counts
}

/** Intervals between checkpoints that must all rise for an early count verdict. */
export const EARLY_INTERVALS = 3
/** No early count verdict before this many calls. */
export const EARLY_MIN_CALLS = 32
/** Checkpoints are taken up to this call; later, the doubling rounds' count rule decides. */
export const LAST_CHECKPOINT = 256
/** How long, at most, a leak-looking count is given to fall before it is called a leak, ms. */
export const LINGER_MS = 250

/** Whether call number `count` (1-based) is a checkpoint: a power of two up to {@link LAST_CHECKPOINT}. */
export function isCheckpoint(count: number): boolean {
  return count >= 1 && count <= LAST_CHECKPOINT && (count & (count - 1)) === 0
}

/** An early decision for one count key. */
export interface CountLeak {
  readonly key: string
  /** Items per call over the deciding intervals (the median of their rates). */
  readonly perCall: number
  /** Net growth since the baseline, items. */
  readonly grown: number
  /** Calls since the baseline at the deciding reading. */
  readonly calls: number
}

function rose(previous: Checkpoint, next: Checkpoint, key: string): boolean {
  const calls = next.calls - previous.calls
  const rise = (next.counts[key] ?? 0) - (previous.counts[key] ?? 0)
  return calls > 0 && rise >= Math.max(1, calls / 2)
}

function keysOf(checkpoints: readonly Checkpoint[]): string[] {
  const keys = new Set<string>()
  for (const checkpoint of checkpoints) for (const key of Object.keys(checkpoint.counts)) keys.add(key)
  return [...keys].sort()
}

/**
 * Items per call over the last `intervals` intervals: the median of the intervals' own rates. The
 * counts are process-wide, so a resource someone else holds for a moment (a test runner's own timer
 * for a message to its main process) can sit in one reading; it raises one interval's rate and
 * lowers the next one's, and the median of three ignores it where a rate from end to end would not
 * (measured: +1 +3 +5 +8 +16 +32 Timeouts after calls 1 … 32 under Vitest 5 on a loaded machine).
 */
function medianRate(checkpoints: readonly Checkpoint[], key: string, intervals: number): number {
  const rates: number[] = []
  for (let i = checkpoints.length - intervals; i < checkpoints.length; i++) {
    const previous = checkpoints[i - 1]!
    const next = checkpoints[i]!
    rates.push(((next.counts[key] ?? 0) - (previous.counts[key] ?? 0)) / (next.calls - previous.calls))
  }
  rates.sort((a, b) => a - b)
  const middle = Math.floor(rates.length / 2)
  return rates.length % 2 === 1 ? rates[middle]! : (rates[middle - 1]! + rates[middle]!) / 2
}

function leakOf(checkpoints: readonly Checkpoint[], key: string, intervals: number): CountLeak {
  const last = checkpoints[checkpoints.length - 1]!
  const base = checkpoints[0]!
  return {
    key,
    perCall: medianRate(checkpoints, key, intervals),
    grown: (last.counts[key] ?? 0) - (base.counts[key] ?? 0),
    calls: last.calls - base.calls,
  }
}

/**
 * Keys that leak by the early rule: each rose by at least half an item per call (and at least one
 * item) in each of the last {@link EARLY_INTERVALS} intervals, the last reading being at call
 * {@link EARLY_MIN_CALLS} or later.
 * @param checkpoints the baseline first, then the checkpoints in call order
 */
export function earlyCountLeaks(checkpoints: readonly Checkpoint[]): CountLeak[] {
  const n = checkpoints.length
  if (n < EARLY_INTERVALS + 1 || checkpoints[n - 1]!.calls < EARLY_MIN_CALLS) return []
  const leaks: CountLeak[] = []
  for (const key of keysOf(checkpoints)) {
    let every = true
    for (let i = n - EARLY_INTERVALS; i < n; i++) if (!rose(checkpoints[i - 1]!, checkpoints[i]!, key)) every = false
    if (every) leaks.push(leakOf(checkpoints, key, EARLY_INTERVALS))
  }
  return leaks
}

/**
 * Keys that rose steadily with the calls before a failure: at least 3 items and half an item per
 * call since the baseline, and at least half an item per call in every interval between
 * checkpoints (the last interval ends at the reading taken after the failure).
 * @param checkpoints the baseline first, then the checkpoints, then the reading after the failure
 */
export function steadyGrowth(checkpoints: readonly Checkpoint[]): CountLeak[] {
  const n = checkpoints.length
  if (n < 3) return []
  const base = checkpoints[0]!
  const last = checkpoints[n - 1]!
  const calls = last.calls - base.calls
  const leaks: CountLeak[] = []
  for (const key of keysOf(checkpoints)) {
    const grown = (last.counts[key] ?? 0) - (base.counts[key] ?? 0)
    if (grown < 3 || grown < calls / 2) continue
    let every = true
    for (let i = 1; i < n; i++) {
      if (checkpoints[i]!.calls === checkpoints[i - 1]!.calls) continue
      if (!rose(checkpoints[i - 1]!, checkpoints[i]!, key)) every = false
    }
    if (every) leaks.push({ key, perCall: grown / calls, grown, calls })
  }
  return leaks
}
