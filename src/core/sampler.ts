/**
 * The sampler: runs `fn` in calibration, warm-up and doubling rounds, forces GC, reads the heap and
 * the count probes, and asks the (pure) verdict after every round whether it may stop.
 * It knows nothing about test runners.
 *
 * Full GCs before the rounds (3 for a cheap clean function):
 *   settle: turn · gc (timed)
 *   calibration: 1 cold call · turn · gc (timed) · heapStart · timed batches · turn · gc (timed)
 *     gcMs = the fastest of the three timed GCs; bytes/call from the last reading
 *   warm-up: chunks of one round's calls; gc + guard reading only after a chunk that grew used heap +
 *     external (no GC) by at least 1 MiB since the last reading (the memory guard's threshold)
 *
 * Reading at a round boundary (paired reading, 2 full GCs):
 *   turn · gc · a = heap · 1 call · turn · gc · b = heap · e = external · counts
 *   m = min(a, b) + e
 * `min` removes transient spikes of concurrent compile jobs; external memory is read after the second
 * GC because ArrayBuffers are swept concurrently.
 */
import { Caller, type CheckToken } from './caller.js'
import { now, sleep, turn } from './clock.js'
import { type Checkpoint, earlyCountLeaks, isCheckpoint, LINGER_MS, steadyGrowth, type CountLeak } from './count-rule.js'
import { LeakCheckError } from './errors.js'
import { resolveGc, type GcAccess } from './gc.js'
import { externalBytes, heapBytesWithoutCode } from './heap.js'
import type { ResolvedLeakOptions } from './options.js'
import { collectIgnored, createSignalProbes } from './probes/defaults.js'
import type { CountProbe } from './probes/probe.js'
import { buildReport, countReport, decideAll, type ReportTotals } from './report-build.js'
import type { CheckFailure, LeakReport } from './report.js'
import { powerOfTwoAtMost } from './stats.js'
import { combine, type RuleParams, type SignalDecision } from './verdict.js'

export type { CheckToken } from './caller.js'

/** Largest first-round size chosen by calibration. */
export const MAX_AUTO_CALLS_PER_ROUND = 32
/**
 * Time the normal schedule (warm-up and rounds, not extra or confirmation rounds) is planned to
 * take, at most, in milliseconds: calibration sizes the rounds for it. The rest of `timeBudget` is
 * room for the rounds that marginal evidence asks for.
 */
export const PLAN_MS = 4000
/**
 * Extra rounds (asked for by marginal evidence) run only while the whole check stays within this
 * many milliseconds, GCs included (or within `timeBudget`, when smaller): a function of up to 10 ms
 * per call is decided within about 10 s.
 */
export const EXTRA_ROUNDS_MS = 10_000
/** A reading must grow by at least this much (bytes) to count towards the memory guard. */
const GUARD_READING_BYTES = 1024 * 1024
/** Timed calibration batches (the fastest counts) and calls per batch. */
const CALIBRATION_BATCHES = 3
const CALIBRATION_BATCH_CALLS = 4
/** A warm-up chunk should not allocate more than this, in bytes, when calls allocate a lot. */
const CHUNK_BYTES_TARGET = 32 * 1024 * 1024
/** Back-off steps (ms; 0 = one event-loop turn) before counting resources that may still be closing. */
const SETTLE_STEPS = [0, 0, 0, 1, 4, 10, 20] as const
/** Back-off steps (ms) before an early count verdict: resources released late get {@link LINGER_MS}. */
const LINGER_STEPS = [0, 0, 0, 1, 4, 10, 20, 40, 75, 100] as const
/** Fewest rounds a slow function's schedule is cut to (the counted rounds plus two to estimate noise). */
const MIN_SLOW_ROUNDS_EXTRA = 2

let running = false

type Counts = Record<string, number>

function readProbes(probes: readonly CountProbe[], into: Counts = {}): Counts {
  const merged: Counts = into
  for (const probe of probes) {
    const counts = probe.read()
    for (const kind of Object.keys(counts)) merged[`${probe.name}:${kind}`] = counts[kind]!
  }
  return merged
}

function anyAbove(current: Counts, previous: Counts): boolean {
  for (const key of Object.keys(current)) if (current[key]! > (previous[key] ?? 0)) return true
  return false
}

/**
 * Reads the probes after resources that are closing have had a bounded chance to go away: when a
 * count is above the previous reading, wait (event-loop turns, then short sleeps) and read again.
 */
async function readCountsSettled(probes: readonly CountProbe[], previous: Counts): Promise<Counts> {
  const counts = readProbes(probes)
  const settling = probes.filter((probe) => probe.settles !== false)
  for (const step of SETTLE_STEPS) {
    if (!anyAbove(counts, previous)) break
    if (step === 0) await turn()
    else await sleep(step)
    readProbes(settling, counts)
  }
  return counts
}

/** Thrown through the calls when the count schedule decided a leak; caught by the check. */
class CountVerdict {
  constructor(
    readonly leaks: readonly CountLeak[],
    readonly checkpoints: readonly Checkpoint[],
  ) {}
}

/** Limits a runner adapter sets on a check (not user options). */
export interface CheckLimits {
  /**
   * Milliseconds until the running test times out, from the start of the check. The check stops
   * (`inconclusive`, cause `test-timeout`) rather than start a round that would not end before it.
   */
  readonly testTimeLeftMs?: number
}

/**
 * Runs a complete check of `fn`.
 * @throws {LeakCheckError} when `fn` throws, rejects or never settles (and no resource count grew
 *   steadily before it), when another check is running, or when the check is abandoned through `token`
 */
export async function runCheck(
  fn: () => unknown,
  options: ResolvedLeakOptions,
  extraProbes: readonly CountProbe[] = [],
  token?: CheckToken,
  limits: CheckLimits = {},
): Promise<LeakReport> {
  if (running) {
    throw new LeakCheckError(
      'OVERLAP',
      'leakspec: another leak check is already running in this thread. Leak checks measure the whole heap, ' +
        'so two at once would measure each other. Fix: `await` each check before starting the next, and do not ' +
        'run leak checks in concurrent tests (test.concurrent).',
    )
  }
  running = true
  const caller = new Caller(fn, options.callTimeout, token)
  const signals = createSignalProbes(options)
  const probes: CountProbe[] = [...signals.probes, ...extraProbes]
  try {
    for (const probe of probes) probe.start?.()
    const report = await new CheckRun(caller, options, probes, limits).run()
    const ignored = collectIgnored(probes)
    return {
      ...report,
      ...(Object.keys(ignored).length > 0 ? { ignored } : {}),
      ...(Object.keys(signals.unavailable).length > 0 ? { unavailable: signals.unavailable } : {}),
    }
  } finally {
    caller.quiet()
    for (const probe of probes) probe.stop?.()
    running = false
  }
}

/** Failures of a call that the evidence of the calls before it may turn into a leak verdict. */
const CALL_FAILURES: ReadonlySet<string> = new Set(['FN_THREW', 'FN_REJECTED', 'CALL_TIMEOUT'])

/**
 * One check, as named steps: settle the heap, take the count baseline, calibrate, plan the rounds,
 * warm up, then the doubling rounds. The count schedule runs beside them, told by the caller at
 * calls 1, 2, 4, … (see count-rule.ts); it may end the check early with a count verdict.
 */
class CheckRun {
  readonly #caller: Caller
  readonly #options: ResolvedLeakOptions
  readonly #probes: readonly CountProbe[]
  /** Probes cheap enough to read at every checkpoint (not the instance counts). */
  readonly #cheap: readonly CountProbe[]
  readonly #limits: CheckLimits
  readonly #started = now()
  readonly #gcAccess: GcAccess = resolveGc()
  #gcSpentMs = 0
  #gcs = 0
  /** Time spent by the count schedule (reads and waits) inside calls, ms: not the function's time. */
  #observerMs = 0
  readonly #checkpoints: Checkpoint[] = []
  #params: RuleParams
  #callsPerRound = 1
  #callMs = Infinity
  #gcMs = 0
  #heapStart = 0
  // Memory guard: stop early with a leak when memory grew in each of the last two readings by at
  // least the floor per call and the total growth passed maxHeapGrowth (or the next step would
  // pass twice that).
  #guardPrevious = 0
  #guardGrowing = 0
  #guardPerCall = 0

  constructor(caller: Caller, options: ResolvedLeakOptions, probes: readonly CountProbe[], limits: CheckLimits) {
    this.#caller = caller
    this.#options = options
    this.#probes = probes
    this.#cheap = probes.filter((probe) => probe.settles !== false)
    this.#limits = limits
    this.#params = {
      rounds: options.rounds,
      confirmRounds: options.confirmRounds,
      extraRounds: options.extraRounds,
      floor: options.floor,
    }
  }

  async run(): Promise<LeakReport> {
    if (!this.#gcAccess.available) return this.#noGc(this.#gcAccess.reason)
    try {
      await this.#settleBefore()
      await this.#countBaseline()
      await this.#calibrate()
      this.#plan()
      await this.#warmUp()
      return await this.#rounds()
    } catch (error) {
      if (error instanceof CountVerdict) return countReport(error.leaks, error.checkpoints, this.#totals())
      if (error instanceof LeakCheckError && CALL_FAILURES.has(error.code)) {
        const evidence = await this.#failureEvidence(error)
        if (evidence !== undefined) return evidence
      }
      throw error
    } finally {
      this.#caller.observe(undefined)
    }
  }

  /** Forced GCs do not count against timeBudget: their cost is set by the size of the heap. */
  #gc(): void {
    const gcStarted = now()
    if (this.#gcAccess.available) this.#gcAccess.collect()
    this.#gcSpentMs += now() - gcStarted
    this.#gcs++
  }

  /** A full GC, timed: returns its duration in milliseconds. */
  #timedGc(): number {
    const gcStarted = now()
    this.#gc()
    return now() - gcStarted
  }

  /** Time of the check so far that counts against timeBudget: calls, settling and waits. */
  #budgetSpent(): number {
    return now() - this.#started - this.#gcSpentMs
  }

  /** Runs calls and returns the time they took without the count schedule's reads and waits, ms. */
  async #timedCalls(times: number): Promise<number> {
    const observerBefore = this.#observerMs
    const callsStarted = now()
    await this.#caller.call(times)
    return now() - callsStarted - (this.#observerMs - observerBefore)
  }

  /**
   * Lets garbage from before the check go first (ArrayBuffers are swept concurrently, and a large
   * free during the first counted round would hide growth there).
   */
  async #settleBefore(): Promise<void> {
    await turn()
    this.#gcMs = this.#timedGc()
  }

  /** The count baseline, before the first call; the caller then reports the checkpoints. */
  async #countBaseline(): Promise<void> {
    this.#checkpoints.push({ calls: 0, counts: readProbes(this.#cheap) })
    this.#caller.observe({
      wants: (count) => isCheckpoint(count),
      reached: (count) => this.#checkpoint(count),
    })
  }

  async #checkpoint(count: number): Promise<void> {
    const started = now()
    try {
      this.#caller.quiet()
      const previous = this.#checkpoints[this.#checkpoints.length - 1]!
      const counts = await readCountsSettled(this.#cheap, previous.counts as Counts)
      this.#caller.turned()
      this.#checkpoints.push({ calls: count, counts })
      if (earlyCountLeaks(this.#checkpoints).length === 0) return
      // Confirm after a full GC (resources that close when collected) and a longer wait (resources
      // released after a timer or when a child exits): the last checkpoint is replaced by this reading.
      const confirmed = await this.#lingeringCounts(count)
      this.#checkpoints[this.#checkpoints.length - 1] = confirmed
      const leaks = earlyCountLeaks(this.#checkpoints)
      if (leaks.length > 0) throw new CountVerdict(leaks, this.#checkpoints.slice())
    } finally {
      this.#observerMs += now() - started
    }
  }

  /** Counts after a full GC and up to {@link LINGER_MS} of waiting while they still look like a leak. */
  async #lingeringCounts(calls: number): Promise<Checkpoint> {
    await turn()
    this.#gc()
    const counts = readProbes(this.#cheap)
    const trial = (): Checkpoint[] => [...this.#checkpoints.slice(0, -1), { calls, counts }]
    for (const step of LINGER_STEPS) {
      if (earlyCountLeaks(trial()).length === 0) break
      if (step === 0) await turn()
      else await sleep(step)
      readProbes(this.#cheap, counts)
    }
    this.#caller.turned()
    return { calls, counts }
  }

  /**
   * After a call threw, rejected or never settled: a count that rose steadily with the calls before
   * it is the leak that caused the failure (a file limit, a server's connection limit, a pool that
   * waits for connections that are never released).
   */
  async #failureEvidence(error: LeakCheckError): Promise<LeakReport | undefined> {
    this.#caller.observe(undefined)
    this.#caller.quiet()
    const completed = (error.call ?? this.#caller.count) - 1
    if (completed < 3) return undefined
    await turn()
    this.#gc()
    const previous = this.#checkpoints[this.#checkpoints.length - 1]!
    const counts = await readCountsSettled(this.#cheap, previous.counts as Counts)
    const checkpoints = [...this.#checkpoints.filter((checkpoint) => checkpoint.calls <= completed), { calls: completed, counts }]
    const leaks = steadyGrowth(checkpoints)
    if (leaks.length === 0) return undefined
    const failure: CheckFailure = {
      call: error.call ?? this.#caller.count,
      code: error.code as CheckFailure['code'],
      message: firstSentence(error.message),
    }
    return countReport(leaks, checkpoints, this.#totals(), failure)
  }

  /**
   * Calibration: one cold call, a timed GC (the start of the heap), then up to three timed batches of
   * four calls and a timed GC. The minimum of each is used (for GCs, with the settling GC too): on a loaded machine one preempted sample would otherwise make a
   * µs-scale function look slow and shrink the rounds below the resolution the rule needs. The
   * warm-up times the calls again (a cold start can make the first batches slow).
   */
  async #calibrate(): Promise<void> {
    await this.#caller.call(1)
    await turn()
    this.#caller.turned()
    const startGcMs = this.#timedGc()
    this.#heapStart = heapBytesWithoutCode()
    let calibrationCalls = 0
    for (let batch = 0; batch < CALIBRATION_BATCHES; batch++) {
      const batchMs = await this.#timedCalls(CALIBRATION_BATCH_CALLS)
      calibrationCalls += CALIBRATION_BATCH_CALLS
      this.#callMs = Math.min(this.#callMs, batchMs / CALIBRATION_BATCH_CALLS)
      if (batchMs > this.#planMs() / 10) break
    }
    await turn()
    this.#caller.turned()
    const gcStarted = now()
    this.#gc()
    const heapAfterCalibration = heapBytesWithoutCode()
    this.#gcMs = Math.min(this.#gcMs, startGcMs, now() - gcStarted)
    this.#guardPrevious = heapAfterCalibration
    this.#bytesPerCall = (heapAfterCalibration - this.#heapStart) / calibrationCalls
  }

  #bytesPerCall = 0

  /** Planned time of the normal schedule, ms. */
  #planMs(): number {
    return Math.min(this.#options.timeBudget, PLAN_MS)
  }

  /** Calls in the first round for a call time (ms), when `callsPerRound` is `'auto'`. */
  #autoCallsPerRound(callMs: number): number {
    const { warmup } = this.#options
    const rounds = this.#params.rounds
    const callsPerL0 = warmup + 2 ** rounds - 1 + rounds + 1
    // At most: the warm-up's guard readings, the readings at the round boundaries, settle + calibration.
    const gcsPlanned = warmup + 2 * (rounds + 1) + 3
    const plan = this.#planMs()
    // GC time does not shrink with smaller rounds, so it may only take part of the budget from the
    // calls: a loaded machine (slow GCs) must not shrink the rounds of a µs-scale function.
    const target = Math.max(plan / 2 - gcsPlanned * this.#gcMs, plan / 4)
    let calls = powerOfTwoAtMost(target / (callsPerL0 * Math.max(callMs, 1e-4)), 1, MAX_AUTO_CALLS_PER_ROUND)
    if (this.#bytesPerCall > 0) {
      calls = Math.min(calls, powerOfTwoAtMost(CHUNK_BYTES_TARGET / this.#bytesPerCall, 1, MAX_AUTO_CALLS_PER_ROUND))
    }
    return calls
  }

  /**
   * Sizes the rounds. A function too slow for the normal schedule even at one call per round (tens
   * of milliseconds per call and more) gets fewer rounds — never fewer than the counted rounds plus
   * two — so that it is decided within a minute instead of running out of time.
   */
  #plan(): void {
    const options = this.#options
    if (options.callsPerRound !== 'auto') {
      this.#callsPerRound = options.callsPerRound
      return
    }
    this.#callsPerRound = this.#autoCallsPerRound(this.#callMs)
    const minRounds = Math.min(options.rounds, options.confirmRounds + MIN_SLOW_ROUNDS_EXTRA)
    let rounds = options.rounds
    const plannedMs = (r: number): number => (options.warmup + 2 ** r - 1 + r + 1) * this.#callMs
    while (this.#callsPerRound === 1 && rounds > minRounds && plannedMs(rounds) > this.#planMs()) rounds--
    if (rounds !== this.#params.rounds) this.#params = { ...this.#params, rounds }
  }

  #guardObserve(heap: number, calls: number): void {
    const perCall = (heap - this.#guardPrevious) / calls
    this.#guardGrowing =
      perCall >= this.#options.floor && heap - this.#guardPrevious >= GUARD_READING_BYTES ? this.#guardGrowing + 1 : 0
    this.#guardPerCall = perCall
    this.#guardPrevious = heap
  }

  #guardTrips(nextCalls: number): boolean {
    if (this.#guardGrowing < 2) return false
    const grown = this.#guardPrevious - this.#heapStart
    return grown >= this.#options.maxHeapGrowth || grown + this.#guardPerCall * nextCalls >= 2 * this.#options.maxHeapGrowth
  }

  /**
   * When the time budget runs out on a function that grew by megabytes in every reading, that is
   * the answer: a huge leak whose calls or GCs are too slow to reach maxHeapGrowth in time.
   */
  #guardTripsOnBudget(): boolean {
    return this.#guardGrowing >= 3 && this.#guardPrevious - this.#heapStart >= this.#options.maxHeapGrowth / 4
  }

  /**
   * Warm-up chunks of one round's calls. A chunk is followed by a full GC only when the memory guard
   * needs the reading (used heap + external grew by at least {@link GUARD_READING_BYTES} since the last
   * one, GC not forced): a cheap clean function warms up without a GC. When the warm calls turn out
   * much faster than calibration measured (a cold first batch: modules loading, connections being
   * opened), the rounds are sized again from the warm time before the baseline.
   */
  async #warmUp(): Promise<void> {
    let warmMs = Infinity
    let unread = 0
    for (let chunk = 0; chunk < this.#options.warmup; chunk++) {
      if (this.#guardTrips(this.#callsPerRound)) break
      if (this.#budgetSpent() > this.#options.timeBudget / 2 && this.#guardTripsOnBudget()) break
      const chunkMs = await this.#timedCalls(this.#callsPerRound)
      warmMs = Math.min(warmMs, chunkMs / this.#callsPerRound)
      unread += this.#callsPerRound
      await turn()
      this.#caller.turned()
      // Without a GC, used heap + external is live memory plus garbage, so never less than the reading
      // a GC would give: when it has not grown by GUARD_READING_BYTES since the last reading, that
      // reading could not count towards the memory guard, and the GC is skipped.
      if (heapBytesWithoutCode() + externalBytes() - this.#guardPrevious < GUARD_READING_BYTES) {
        this.#guardGrowing = 0
        continue
      }
      this.#gc()
      const heap = heapBytesWithoutCode()
      this.#guardObserve(heap + externalBytes(), unread)
      unread = 0
    }
    if (this.#options.callsPerRound === 'auto' && Number.isFinite(warmMs) && warmMs < this.#callMs) {
      this.#callMs = warmMs
      const resized = this.#autoCallsPerRound(warmMs)
      if (resized > this.#callsPerRound) this.#callsPerRound = resized
    }
  }

  /** Paired reading at a round boundary: `min(a, b) + external` and the settled counts. */
  async #reading(previousCounts: Counts): Promise<{ heap: number; counts: Counts }> {
    await turn()
    this.#gc()
    const a = heapBytesWithoutCode()
    await this.#caller.call(1)
    this.#caller.quiet()
    await turn()
    this.#gc()
    const b = heapBytesWithoutCode()
    const external = externalBytes()
    const counts = await readCountsSettled(this.#probes, previousCounts)
    this.#caller.turned()
    return { heap: Math.min(a, b) + external, counts }
  }

  /**
   * Doubling rounds. The confirmation round runs twice the calls of the last round in two halves
   * with a full GC between them, so that nothing sized by the calls between two GCs can grow in it.
   * At most one confirmation round is ever asked for, hence the + 1.
   */
  async #rounds(): Promise<LeakReport> {
    const options = this.#options
    let counts: Counts = readProbes(this.#probes)
    const baseline = await this.#reading(counts)
    counts = baseline.counts
    const heapReadings: number[] = [baseline.heap]
    const countReadings: Counts[] = [baseline.counts]
    const roundCalls: number[] = []
    const roundTimes: number[] = []
    let decisions: SignalDecision[] = []
    let stoppedEarly = false
    let testTimeout = false
    let confirming = false
    let confirmed = false
    let msPerCall = this.#callMs
    let doubled = this.#callsPerRound / 2
    const maxRounds = this.#params.rounds + this.#params.extraRounds
    for (let round = 1; !stoppedEarly && round <= maxRounds + 1; round++) {
      const calls = confirming ? doubled * 2 : (doubled *= 2)
      if (this.#guardTrips(calls + 1) && heapReadings.length > 1) {
        stoppedEarly = true
        break
      }
      const predictedCalls = (calls + 1) * msPerCall
      const predictedGcs = (confirming ? 3 : 2) * this.#gcMs
      const outOfBudget = this.#budgetSpent() + predictedCalls > options.timeBudget
      const outOfTest =
        this.#limits.testTimeLeftMs !== undefined &&
        now() - this.#started + predictedCalls + predictedGcs > this.#limits.testTimeLeftMs
      if (outOfBudget || outOfTest) {
        if (this.#guardTripsOnBudget()) stoppedEarly = true
        else if (!outOfBudget) testTimeout = true
        break
      }
      const roundStarted = now()
      const gcBefore = this.#gcSpentMs
      const observerBefore = this.#observerMs
      if (confirming) {
        await this.#caller.call(doubled)
        await turn()
        this.#caller.turned()
        this.#gc()
        await this.#caller.call(doubled)
        confirmed = true
      } else {
        await this.#caller.call(calls)
      }
      const callsInRound = calls + 1
      const next = await this.#reading(counts)
      counts = next.counts
      // The round's own time without its GCs and the count schedule (measured, not estimated: GC
      // times vary a lot under load).
      const spent = now() - roundStarted - (this.#gcSpentMs - gcBefore) - (this.#observerMs - observerBefore)
      msPerCall = Math.max(this.#callMs, spent / callsInRound)
      heapReadings.push(next.heap)
      countReadings.push(next.counts)
      roundCalls.push(callsInRound)
      roundTimes.push(now() - this.#started)
      this.#guardObserve(next.heap, callsInRound)

      decisions = decideAll(heapReadings, countReadings, roundCalls, this.#params, confirmed)
      let progress = combine(decisions)
      if (!progress.done && progress.extending) {
        // An extra round doubles the calls: run it only while the check stays within EXTRA_ROUNDS_MS
        // (or the budget, when smaller). Otherwise decide with the rounds there are.
        const nextMs = (2 * doubled + 1) * msPerCall + 2 * this.#gcMs
        const cap = Math.min(options.timeBudget, EXTRA_ROUNDS_MS)
        if (now() - this.#started + nextMs > cap) {
          this.#params = { ...this.#params, extraRounds: Math.max(0, roundCalls.length - this.#params.rounds) }
          decisions = decideAll(heapReadings, countReadings, roundCalls, this.#params, confirmed)
          progress = combine(decisions)
        }
      }
      if (progress.done) break
      confirming = progress.confirming && !progress.extending
    }

    if (decisions.length === 0) decisions = decideAll(heapReadings, countReadings, roundCalls, this.#params, confirmed)
    return buildReport({
      confirmed,
      grownBytes: this.#guardPrevious - this.#heapStart,
      guardReadings: this.#guardGrowing,
      decisions,
      heapReadings,
      countReadings,
      roundCalls,
      roundTimes,
      params: this.#params,
      stoppedEarly,
      testTimeout: testTimeout ? { leftMs: this.#limits.testTimeLeftMs!, gcMs: this.#gcMs, gcSpentMs: this.#gcSpentMs } : undefined,
      ...this.#totals(),
      where: 'process',
    })
  }

  #totals(): ReportTotals {
    return {
      calls: this.#caller.count,
      gcs: this.#gcs,
      durationMs: now() - this.#started,
      callsPerRound: this.#callsPerRound,
      async: this.#caller.async,
      gc: this.#gcAccess.available ? this.#gcAccess.source : 'fallback',
      options: this.#options,
    }
  }

  #noGc(reason: string): LeakReport {
    return {
      verdict: 'inconclusive',
      cause: 'gc-unavailable',
      reason: `no way to force a garbage collection was found (${reason})`,
      signals: [],
      rounds: [],
      series: { calls: [], heap: [], counts: {} },
      calls: 0,
      gcs: 0,
      durationMs: now() - this.#started,
      callsPerRound: 0,
      extraRoundsUsed: 0,
      async: false,
      gc: 'unavailable',
      options: this.#options,
    }
  }
}

/** The first sentence of an error message, without leakspec's prefix. */
function firstSentence(message: string): string {
  const text = message.replace(/^leakspec: /, '')
  const cut = text.indexOf('. This is not a leak verdict')
  return cut === -1 ? text : text.slice(0, cut)
}
