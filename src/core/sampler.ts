/**
 * The sampler: runs `fn` in calibration, warm-up and doubling rounds, forces GC, reads the heap and
 * the count probes, and asks the (pure) verdict after every round whether it may stop.
 * It knows nothing about test runners.
 *
 * Reading at a round boundary (paired reading, 2 full GCs):
 *   turn · gc · a = heap · 1 call · turn · gc · b = heap · e = external · counts
 *   m = min(a, b) + e
 * `min` removes transient spikes of concurrent compile jobs; external memory is read after the second
 * GC because ArrayBuffers are swept concurrently.
 */
import { types } from 'node:util'
import { now, SettleWatchdog, sleep, turn } from './clock.js'
import { LeakCheckError } from './errors.js'
import { resolveGc } from './gc.js'
import { externalBytes, heapBytesWithoutCode } from './heap.js'
import type { ResolvedLeakOptions } from './options.js'
import { collectIgnored, createSignalProbes } from './probes/defaults.js'
import type { CountProbe } from './probes/probe.js'
import type { LeakReport, RoundRecord, SignalSummary } from './report.js'
import { powerOfTwoAtMost } from './stats.js'
import {
  combine,
  decideSignal,
  firstCountedRound,
  MIN_ROUND_BYTES,
  type RuleParams,
  type SignalDecision,
} from './verdict.js'

/** Lets a caller stop a running check at the next call boundary. */
export interface CheckToken {
  aborted: boolean
  reason?: string
}

/** Largest first-round size chosen by calibration. */
export const MAX_AUTO_CALLS_PER_ROUND = 32
/** A reading must grow by at least this much (bytes) to count towards the memory guard. */
const GUARD_READING_BYTES = 1024 * 1024
/** Timed calibration batches (the fastest counts) and calls per batch. */
const CALIBRATION_BATCHES = 3
const CALIBRATION_BATCH_CALLS = 4
/** A warm-up chunk should not allocate more than this, in bytes, when calls allocate a lot. */
const CHUNK_BYTES_TARGET = 32 * 1024 * 1024
/** Back-off steps (ms; 0 = one event-loop turn) before counting resources that may still be closing. */
const SETTLE_STEPS = [0, 0, 0, 1, 4, 10, 20] as const

let running = false

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

class Caller {
  count = 0
  async = false
  readonly #fn: () => unknown
  readonly #timeout: number
  readonly #token: CheckToken | undefined
  readonly #watchdog: SettleWatchdog

  constructor(fn: () => unknown, timeout: number, token: CheckToken | undefined) {
    this.#fn = fn
    this.#timeout = timeout
    this.#token = token
    this.#watchdog = new SettleWatchdog(timeout)
  }

  /** Clears the call-timeout timer so it is not counted as a handle. */
  quiet(): void {
    this.#watchdog.disarm()
  }

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
        throw new LeakCheckError(
          'FN_THREW',
          `leakspec: the function under test threw on call ${index}: ${describeError(error)}. ` +
            'This is not a leak verdict; fix the error (every call must succeed) and run the check again.',
          { cause: error, call: index },
        )
      }
      if (isThenable(result)) {
        this.async = true
        const outcome = await this.#watchdog.settle(result)
        if (!outcome.settled) {
          throw new LeakCheckError(
            'CALL_TIMEOUT',
            `leakspec: call ${index} of the function under test did not settle within ${this.#timeout} ms ` +
              '(its promise or thenable never resolved or rejected). This is not a leak verdict. ' +
              'Fix: make sure every call settles, or raise the `callTimeout` option.',
            { call: index },
          )
        }
        if (!outcome.ok) {
          throw new LeakCheckError(
            'FN_REJECTED',
            `leakspec: the function under test rejected on call ${index}: ${describeError(outcome.error)}. ` +
              'This is not a leak verdict; fix the error (every call must succeed) and run the check again.',
            { cause: outcome.error, call: index },
          )
        }
      }
    }
  }
}

function describeError(error: unknown): string {
  // Not `instanceof Error`: errors from another realm (Jest's test context, vm pools) fail that test.
  if (types.isNativeError(error) || (error instanceof Object && typeof (error as Error).message === 'string' && typeof (error as Error).name === 'string')) {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
  try {
    return `${typeof error} ${JSON.stringify(error)}`
  } catch {
    return String(error)
  }
}

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
 * @throws {LeakCheckError} when `fn` throws, rejects or never settles, when another check is running,
 *   or when the check is abandoned through `token`
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
    const report = await sample(caller, options, probes, limits)
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

async function sample(
  caller: Caller,
  options: ResolvedLeakOptions,
  probes: readonly CountProbe[],
  limits: CheckLimits,
): Promise<LeakReport> {
  const started = now()
  const gcAccess = resolveGc()
  const params: RuleParams = {
    rounds: options.rounds,
    confirmRounds: options.confirmRounds,
    extraRounds: options.extraRounds,
    floor: options.floor,
  }
  const emptySeries = { calls: [], heap: [], counts: {} }
  if (!gcAccess.available) {
    return {
      verdict: 'inconclusive',
      cause: 'gc-unavailable',
      reason: `no way to force a garbage collection was found (${gcAccess.reason})`,
      signals: [],
      rounds: [],
      series: emptySeries,
      calls: 0,
      gcs: 0,
      durationMs: now() - started,
      callsPerRound: 0,
      extraRoundsUsed: 0,
      async: false,
      gc: 'unavailable',
      options,
    }
  }
  // Forced GCs do not count against timeBudget: their cost is set by the size of the heap (the floor
  // of any check), not by the function under test, so a big or busy heap must not cut the rounds short.
  let gcSpentMs = 0
  const gc = (): void => {
    const gcStarted = now()
    gcAccess.collect()
    gcSpentMs += now() - gcStarted
  }
  /** Time of the check so far that counts against timeBudget: calls, settling and waits. */
  const budgetSpent = (): number => now() - started - gcSpentMs
  let gcs = 0

  // Let garbage from before the check go first (ArrayBuffers are swept concurrently, and a large
  // free during the first counted round would hide growth there).
  await turn()
  gc()
  await turn()
  gc()
  gcs += 2

  // Calibration: one cold call, then up to three timed batches of four calls and two timed GCs.
  // The minimum of each is used: on a loaded machine one preempted sample would otherwise make a
  // µs-scale function look slow and shrink the rounds below the resolution the rule needs.
  await caller.call(1)
  await turn()
  gc()
  const heapStart = heapBytesWithoutCode()
  gcs++
  let callMs = Infinity
  let calibrationCalls = 0
  for (let batch = 0; batch < CALIBRATION_BATCHES; batch++) {
    const batchStarted = now()
    await caller.call(CALIBRATION_BATCH_CALLS)
    calibrationCalls += CALIBRATION_BATCH_CALLS
    const batchMs = now() - batchStarted
    callMs = Math.min(callMs, batchMs / CALIBRATION_BATCH_CALLS)
    if (batchMs > options.timeBudget / 20) break
  }
  await turn()
  let gcStarted = now()
  gc()
  const heapAfterCalibration = heapBytesWithoutCode()
  let gcMs = now() - gcStarted
  gcStarted = now()
  gc()
  gcMs = Math.min(gcMs, now() - gcStarted)
  gcs += 2

  const maxRounds = options.rounds + options.extraRounds
  let callsPerRound: number
  if (options.callsPerRound === 'auto') {
    const callsPerL0 = options.warmup + 2 ** options.rounds - 1 + options.rounds + 1
    const gcsPlanned = options.warmup + 2 * (options.rounds + 1) + 2
    // GC time does not shrink with smaller rounds, so it may only take part of the budget from the
    // calls: a loaded machine (slow GCs) must not shrink the rounds of a µs-scale function.
    const target = Math.max(options.timeBudget / 2 - gcsPlanned * gcMs, options.timeBudget / 4)
    callsPerRound = powerOfTwoAtMost(target / (callsPerL0 * Math.max(callMs, 1e-4)), 1, MAX_AUTO_CALLS_PER_ROUND)
    const bytesPerCall = (heapAfterCalibration - heapStart) / calibrationCalls
    if (bytesPerCall > 0) {
      callsPerRound = Math.min(callsPerRound, powerOfTwoAtMost(CHUNK_BYTES_TARGET / bytesPerCall, 1, MAX_AUTO_CALLS_PER_ROUND))
    }
  } else {
    callsPerRound = options.callsPerRound
  }

  // Memory guard: stop early with a leak when memory grew in each of the last two readings by at
  // least the floor per call and the total growth passed maxHeapGrowth (or the next step would
  // pass twice that).
  let guardPrevious = heapAfterCalibration
  let guardGrowing = 0
  let guardPerCall = 0
  const guardObserve = (heap: number, calls: number): void => {
    const perCall = (heap - guardPrevious) / calls
    guardGrowing = perCall >= options.floor && heap - guardPrevious >= GUARD_READING_BYTES ? guardGrowing + 1 : 0
    guardPerCall = perCall
    guardPrevious = heap
  }
  const guardTrips = (nextCalls: number): boolean => {
    if (guardGrowing < 2) return false
    const grown = guardPrevious - heapStart
    return grown >= options.maxHeapGrowth || grown + guardPerCall * nextCalls >= 2 * options.maxHeapGrowth
  }
  // When the time budget runs out on a function that grew by megabytes in every reading, that is
  // the answer: a huge leak whose calls or GCs are too slow to reach maxHeapGrowth in time.
  const guardTripsOnBudget = (): boolean =>
    guardGrowing >= 3 && guardPrevious - heapStart >= options.maxHeapGrowth / 4

  // Warm-up.
  for (let chunk = 0; chunk < options.warmup; chunk++) {
    if (guardTrips(callsPerRound)) break
    if (budgetSpent() > options.timeBudget / 2 && guardTripsOnBudget()) break
    await caller.call(callsPerRound)
    await turn()
    gc()
    const heap = heapBytesWithoutCode()
    gcs++
    guardObserve(heap + externalBytes(), callsPerRound)
  }

  let counts: Counts = readProbes(probes)
  const reading = async (): Promise<{ heap: number; counts: Counts }> => {
    await turn()
    gc()
    const a = heapBytesWithoutCode()
    await caller.call(1)
    caller.quiet()
    await turn()
    gc()
    const b = heapBytesWithoutCode()
    const external = externalBytes()
    gcs += 2
    counts = await readCountsSettled(probes, counts)
    return { heap: Math.min(a, b) + external, counts }
  }

  const baseline = await reading()
  const heapReadings: number[] = [baseline.heap]
  const countReadings: Counts[] = [baseline.counts]
  const roundCalls: number[] = []
  const roundTimes: number[] = []
  let decisions: SignalDecision[] = []
  let stoppedEarly = false
  let budgetExhausted = false
  let testTimeout = false
  let confirming = false
  let msPerCall = callMs
  let doubled = callsPerRound / 2

  // Doubling rounds. The confirmation round runs twice the calls of the last round in two halves
  // with a full GC between them, so that nothing sized by the calls between two GCs can grow in it.
  // At most one confirmation round is ever asked for, hence the + 1.
  let confirmed = false
  for (let round = 1; round <= maxRounds + 1; round++) {
    const calls = confirming ? doubled * 2 : (doubled *= 2)
    if (guardTrips(calls + 1) && heapReadings.length > 1) {
      stoppedEarly = true
      break
    }
    const predictedCalls = (calls + 1) * msPerCall
    const predictedGcs = (confirming ? 3 : 2) * gcMs
    const outOfBudget = budgetSpent() + predictedCalls > options.timeBudget
    const outOfTest =
      limits.testTimeLeftMs !== undefined && now() - started + predictedCalls + predictedGcs > limits.testTimeLeftMs
    if (outOfBudget || outOfTest) {
      if (guardTripsOnBudget()) stoppedEarly = true
      else if (outOfBudget) budgetExhausted = true
      else testTimeout = true
      break
    }
    const roundStarted = now()
    const gcBeforeRound = gcSpentMs
    if (confirming) {
      await caller.call(doubled)
      await turn()
      gc()
      gcs++
      await caller.call(doubled)
      confirmed = true
    } else {
      await caller.call(calls)
    }
    const next = await reading()
    // The round's own time without its GCs (measured, not estimated: GC times vary a lot under load).
    msPerCall = Math.max(callMs, (now() - roundStarted - (gcSpentMs - gcBeforeRound)) / (calls + 1))
    heapReadings.push(next.heap)
    countReadings.push(next.counts)
    roundCalls.push(calls + 1)
    roundTimes.push(now() - started)
    guardObserve(next.heap, calls + 1)

    decisions = decideAll(heapReadings, countReadings, roundCalls, params, confirmed)
    const progress = combine(decisions)
    if (progress.done) break
    confirming = progress.confirming && !progress.extending
  }

  if (decisions.length === 0) decisions = decideAll(heapReadings, countReadings, roundCalls, params, confirmed)
  return buildReport({
    confirmed,
    grownBytes: guardPrevious - heapStart,
    guardReadings: guardGrowing,
    decisions,
    heapReadings,
    countReadings,
    roundCalls,
    roundTimes,
    params,
    stoppedEarly,
    budgetExhausted,
    testTimeout: testTimeout ? { leftMs: limits.testTimeLeftMs!, gcMs, gcSpentMs } : undefined,
    calls: caller.count,
    gcs,
    durationMs: now() - started,
    callsPerRound,
    async: caller.async,
    gc: gcAccess.source,
    options,
  })
}

function countKeys(readings: readonly Counts[]): string[] {
  const keys = new Set<string>()
  for (const reading of readings) for (const key of Object.keys(reading)) keys.add(key)
  return [...keys].sort()
}

function decideAll(
  heapReadings: readonly number[],
  countReadings: readonly Counts[],
  calls: readonly number[],
  params: RuleParams,
  confirmed: boolean,
): SignalDecision[] {
  const decisions = [decideSignal('heap', 'bytes', heapReadings, calls, params, confirmed)]
  for (const key of countKeys(countReadings)) {
    const values = countReadings.map((reading) => reading[key] ?? 0)
    decisions.push(decideSignal(key, 'count', values, calls, params))
  }
  return decisions
}

interface BuildInput {
  /** Whether the last round was the confirmation round. */
  confirmed: boolean
  /** Heap growth since calibration, bytes, and consecutive growing readings (memory guard). */
  grownBytes: number
  guardReadings: number
  decisions: readonly SignalDecision[]
  heapReadings: readonly number[]
  countReadings: readonly Counts[]
  roundCalls: readonly number[]
  roundTimes: readonly number[]
  params: RuleParams
  stoppedEarly: boolean
  budgetExhausted: boolean
  /** Set when the check stopped because the next round would not end before the test's timeout. */
  testTimeout: { leftMs: number; gcMs: number; gcSpentMs: number } | undefined
  calls: number
  gcs: number
  durationMs: number
  callsPerRound: number
  async: boolean
  gc: 'exposed' | 'fallback'
  options: ResolvedLeakOptions
}

function buildReport(input: BuildInput): LeakReport {
  const { decisions, params } = input
  const first = firstCountedRound(params)
  const heapDecision = decisions[0]!
  const rounds: RoundRecord[] = input.roundCalls.map((calls, index) => {
    const changed: Record<string, number> = {}
    for (const decision of decisions.slice(1)) {
      const delta = decision.perRound[index] ?? 0
      if (delta !== 0) changed[decision.key] = delta
    }
    return {
      round: index + 1,
      calls,
      counted: index + 1 >= first,
      heapPerCall: heapDecision.perCall[index] ?? 0,
      counts: changed,
      atMs: input.roundTimes[index] ?? 0,
    }
  })
  const baseHeap = input.heapReadings[0] ?? 0
  const countSeries: Record<string, number[]> = {}
  for (const key of countKeys(input.countReadings)) {
    const base = input.countReadings[0]?.[key] ?? 0
    countSeries[key] = input.countReadings.map((reading) => (reading[key] ?? 0) - base)
  }
  const series = {
    calls: input.roundCalls.slice(),
    heap: input.heapReadings.map((value) => value - baseHeap),
    counts: countSeries,
  }
  const toSummary = (decision: SignalDecision, forceLeak = false): SignalSummary => {
    const state = decision.state
    let status: SignalSummary['status'] = 'undecided'
    if (state.status === 'clean') status = 'clean'
    else if (state.status === 'leak' || forceLeak) status = 'leak'
    const marginal = state.status === 'leak' ? state.marginal : state.status === 'pending' && state.wantsExtraRound
    const perCall =
      status === 'leak' && decision.estimatePerCall === 0 ? lastPositive(decision.perCall) : decision.estimatePerCall
    return { key: decision.key, unit: decision.unit, status, perCall, marginal }
  }
  const extraRoundsUsed = Math.max(0, input.roundCalls.length - params.rounds - (input.confirmed ? 1 : 0))
  const base = {
    rounds,
    series,
    calls: input.calls,
    gcs: input.gcs,
    durationMs: input.durationMs,
    callsPerRound: input.callsPerRound,
    extraRoundsUsed,
    async: input.async,
    gc: input.gc,
    options: input.options,
  }

  if (input.stoppedEarly) {
    const signals = decisions.map((decision) => toSummary(decision, decision.key === 'heap'))
    const heap = signals[0]!
    return {
      ...base,
      verdict: 'leak',
      signals,
      leaks: [heap, ...signals.slice(1).filter((signal) => signal.status === 'leak')],
      stoppedEarly: true,
      reason: `memory grew by at least 1 MiB in each of the last ${input.guardReadings} readings, ${formatMiB(input.grownBytes)} in all; stopped early to protect the process`,
    }
  }

  // Only decided signals leak. A signal still waiting for an extra or a confirmation round when the
  // time budget ran out is not a leak: growth that is marginal, falling or unconfirmed is exactly
  // what bounded structures settling look like, so the check says it cannot tell.
  const ruleMet = (decision: SignalDecision): boolean =>
    decision.state.status === 'pending' && (decision.state.wantsExtraRound || decision.state.wantsConfirmRound === true)
  const unsettled = decisions.filter((decision) => decision.state.status === 'pending')
  const signals = decisions.map((decision) => toSummary(decision))
  const leaks = signals.filter((signal) => signal.status === 'leak')

  if (leaks.length === 0 && unsettled.length > 0) {
    const marginal = unsettled.filter(ruleMet)
    const evidence =
      marginal.length > 0
        ? `; ${marginal.map((decision) => `${decision.key} grew about ${decision.estimatePerCall.toFixed(1)} per call in the counted rounds, but`).join(', ')} ` +
          `the evidence was ${marginal.some((decision) => decision.state.status === 'pending' && decision.state.wantsExtraRound) ? 'marginal' : 'not yet confirmed by the confirmation round'} when it stopped`
        : ''
    const timeout = input.testTimeout
    if (timeout) {
      return {
        ...base,
        verdict: 'inconclusive',
        signals,
        cause: 'test-timeout',
        reason:
          `the test would time out before the next round ended: the test had ${formatMs(timeout.leftMs)} left when the check ` +
          `started, and after ${input.roundCalls.length} of ${params.rounds} rounds the check had used ${formatMs(input.durationMs)}, ` +
          `${formatMs(timeout.gcSpentMs)} of it in ${input.gcs} full GCs (about ${formatMs(timeout.gcMs)} each at this heap size)${evidence}`,
      }
    }
    return {
      ...base,
      verdict: 'inconclusive',
      signals,
      cause: 'time-budget',
      reason:
        `the time budget of ${input.options.timeBudget} ms (not counting forced GCs) ran out after ${input.roundCalls.length} of ` +
        `${params.rounds} rounds (about ${formatMs(input.durationMs)} at ${input.callsPerRound} calls in the first round)${evidence}`,
    }
  }
  if (leaks.length > 0) {
    const [firstLeak, ...rest] = leaks
    const extended = extraRoundsUsed > 0 ? `, after ${extraRoundsUsed} extra round(s) because the evidence was marginal` : ''
    const confirmed = input.confirmed ? ' and again in a confirmation round' : ''
    const cut = unsettled.length > 0 ? '; other signals were still undecided when the time budget ran out' : ''
    return {
      ...base,
      verdict: 'leak',
      signals,
      leaks: [firstLeak!, ...rest],
      stoppedEarly: false,
      reason: `grew in each of the last ${params.confirmRounds} rounds${confirmed}${extended}${cut}`,
    }
  }
  const decidedAt = heapDecision.state.status === 'clean' ? heapDecision.state.decidedAtRound : input.roundCalls.length
  const extendedNote = extraRoundsUsed > 0 ? ` after ${extraRoundsUsed} extra round(s) to settle marginal growth` : ''
  const decidingCalls = input.roundCalls[decidedAt - 1] ?? 0
  const resolutionNote =
    decidingCalls > 0 && decidingCalls * params.floor < MIN_ROUND_BYTES
      ? `; with ${decidingCalls} calls in that round, heap growth below ${Math.ceil(MIN_ROUND_BYTES / decidingCalls)} B per call is below the resolution (raise timeBudget for more calls per round)`
      : ''
  return {
    ...base,
    verdict: 'clean',
    signals,
    reason: `no signal grew in counted round ${decidedAt}${extendedNote}${resolutionNote}`,
  }
}

function lastPositive(values: readonly number[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i]! > 0) return values[i]!
  return 0
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`
}
