/**
 * The page-side sampler of Vitest Browser Mode: the Node sampler's schedule (calibration, warm-up,
 * doubling rounds, paired readings, the confirmation round, the memory guard, the time budget) with
 * the same pure verdict (`core/verdict.ts`, `core/stats.ts`), for a page that can neither force a GC
 * nor read its heap itself. Every GC and reading is done by Vitest's server process over the Chrome
 * DevTools Protocol, asked through a browser command ({@link PageMeter}); the calls of `fn` run here.
 *
 * Reading at a round boundary (paired, 2 full GCs), as in Node:
 *   turn · gc · a = heap · 1 call · turn · gc · b = heap · e = external · counts
 *   m = min(a, b) + e
 * Counts: detached DOM nodes (the renderer's live nodes, `Memory.getDOMCounters`, minus the nodes in
 * the page's document), nodes in the document, documents (`dom:detached nodes`, `dom:nodes in the
 * document`, `dom:documents`), and the page's EventTarget listeners by type and target
 * (`listeners:resize on window`): the keys of the jsdom / happy-dom probes, so messages read the same.
 *
 * No `node:` modules here: this file is bundled into the page.
 */
import { LeakCheckError } from '../core/errors.js'
import type { ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport, RoundRecord, SignalSummary } from '../core/report.js'
import { type Checkpoint, earlyCountLeaks, isCheckpoint, LINGER_MS, type CountLeak } from '../core/count-rule.js'
import { powerOfTwoAtMost } from '../core/stats.js'
import {
  combine,
  decideSignal,
  firstCountedRound,
  MIN_ROUND_BYTES,
  NOISE_MULTIPLE,
  roundNoise,
  type RuleParams,
  type SignalDecision,
} from '../core/verdict.js'
import { now, PageWatchdog, turn } from './clock.js'
import type { PageListenerTracker } from './listeners.js'
import type { PageReading } from './protocol.js'

/** Forces a full GC in the page's renderer and reads it (a browser command to the server). */
export interface PageMeter {
  /** @param dom also read the DOM counters */
  measure(dom: boolean): Promise<PageReading>
}

/** Largest first-round size chosen by calibration (as in Node). */
const MAX_AUTO_CALLS_PER_ROUND = 32
const GUARD_READING_BYTES = 1024 * 1024
const CALIBRATION_BATCHES = 3
const CALIBRATION_BATCH_CALLS = 4
const CHUNK_BYTES_TARGET = 32 * 1024 * 1024

/** Lets a caller stop a running check at the next call boundary (the unawaited guard). */
export interface PageCheckToken {
  aborted: boolean
  reason?: string
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}

function describeError(error: unknown): string {
  if (error instanceof Object && typeof (error as Error).message === 'string' && typeof (error as Error).name === 'string') {
    return `${(error as Error).name}: ${(error as Error).message}`
  }
  try {
    return `${typeof error} ${JSON.stringify(error)}`
  } catch {
    return String(error)
  }
}

/** Calls `fn` the given number of times, awaiting promises (at most `callTimeout` each). */
export class PageCaller {
  count = 0
  async = false
  readonly #fn: () => unknown
  readonly #timeout: number
  readonly #token: PageCheckToken | undefined
  readonly #watchdog: PageWatchdog
  /** Called after call numbers it wants (the count checkpoints), before the next call. */
  observer: { wants(count: number): boolean; reached(count: number): Promise<void> } | undefined

  constructor(fn: () => unknown, timeout: number, token?: PageCheckToken) {
    this.#fn = fn
    this.#timeout = timeout
    this.#token = token
    this.#watchdog = new PageWatchdog(timeout)
  }

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
      if (this.observer?.wants(index)) await this.observer.reached(index)
    }
  }
}

/** Thrown by a checkpoint to end the check with an early count verdict. */
class CountVerdict extends Error {
  constructor(
    readonly leaks: readonly CountLeak[],
    readonly checkpoints: readonly Checkpoint[],
  ) {
    super('count verdict')
  }
}

type Counts = Record<string, number>

/** Nodes connected to the page's document (shadow roots included), or 0 without a document. */
export function nodesInDocument(): number {
  const doc = (globalThis as { document?: { createTreeWalker(root: unknown, show: number): { nextNode(): unknown; currentNode: unknown } } }).document
  if (doc === undefined) return 0
  let count = 0
  const walk = (root: unknown): void => {
    const walker = doc.createTreeWalker(root, 0xffffffff)
    for (let node: unknown = walker.currentNode; node !== null; node = walker.nextNode()) {
      count++
      const shadow = (node as { shadowRoot?: unknown }).shadowRoot
      if (shadow !== null && shadow !== undefined) walk(shadow)
    }
  }
  walk(doc)
  return count
}

/** Limits set by the matcher (not user options). */
export interface PageCheckLimits {
  /** Milliseconds until the running test times out, from the start of the check. */
  readonly testTimeLeftMs?: number
}

/**
 * Runs a complete check of `fn` in the page.
 * @param meter the server side: GC and readings over CDP
 * @param listeners the page's EventTarget listener tracker (started and stopped here), or undefined
 * @throws {LeakCheckError} when `fn` throws, rejects or never settles, or the check is abandoned
 */
export async function runPageCheck(
  fn: () => unknown,
  options: ResolvedLeakOptions,
  meter: PageMeter,
  listeners: PageListenerTracker | undefined,
  token?: PageCheckToken,
  limits: PageCheckLimits = {},
): Promise<LeakReport> {
  const caller = new PageCaller(fn, options.callTimeout, token)
  listeners?.start()
  const started = now()
  const totals = { gcs: 0 }
  try {
    return await sample(caller, options, meter, listeners, limits, totals)
  } catch (error) {
    if (!(error instanceof CountVerdict)) throw error
    return countReport(error.leaks, error.checkpoints, {
      calls: caller.count,
      gcs: totals.gcs,
      durationMs: now() - started,
      callsPerRound: 0,
      async: caller.async,
      gc: 'cdp',
      options,
    })
  } finally {
    caller.quiet()
    listeners?.stop()
  }
}

async function sample(
  caller: PageCaller,
  options: ResolvedLeakOptions,
  meter: PageMeter,
  listeners: PageListenerTracker | undefined,
  limits: PageCheckLimits,
  totals: { gcs: number },
): Promise<LeakReport> {
  const started = now()
  const params: RuleParams = {
    rounds: options.rounds,
    confirmRounds: options.confirmRounds,
    extraRounds: options.extraRounds,
    floor: options.floor,
  }
  // Forced GCs (and the round trip to the server that asks for them) do not count against timeBudget.
  let gcSpentMs = 0
  let gcMs = Infinity
  let gcs = 0
  const gc = async (dom = false): Promise<PageReading> => {
    const gcStarted = now()
    const reading = await meter.measure(dom)
    const spent = now() - gcStarted
    gcSpentMs += spent
    gcs++
    totals.gcs = gcs
    return reading
  }
  const budgetSpent = (): number => now() - started - gcSpentMs

  await turn()
  await gc()
  await turn()
  await gc()

  // The count schedule, as in Node (core/count-rule.ts): the page's listener counts (exact, read
  // without a server round trip) after calls 1, 2, 4 … 256 against a baseline before the first call.
  // A key that rose by half a listener per call in each of the last 3 intervals, and still does after
  // a full GC and up to LINGER_MS of waiting, ends the check with a count verdict, long before the
  // doubling rounds would (a leak that grows the heap makes each of their GCs slower).
  if (listeners) {
    const checkpoints: Checkpoint[] = [{ calls: 0, counts: prefixed(listeners.read()) }]
    caller.observer = {
      wants: (count) => isCheckpoint(count),
      reached: async (count) => {
        const checkStarted = now()
        const gcBefore = gcSpentMs
        checkpoints.push({ calls: count, counts: prefixed(listeners.read()) })
        if (earlyCountLeaks(checkpoints).length > 0) {
          caller.quiet()
          await turn()
          await gc()
          const deadline = now() + LINGER_MS
          let counts = prefixed(listeners.read())
          const trial = (): Checkpoint[] => [...checkpoints.slice(0, -1), { calls: count, counts }]
          while (earlyCountLeaks(trial()).length > 0 && now() < deadline) {
            await turn()
            counts = prefixed(listeners.read())
          }
          checkpoints[checkpoints.length - 1] = { calls: count, counts }
          const leaks = earlyCountLeaks(checkpoints)
          if (leaks.length > 0) throw new CountVerdict(leaks, checkpoints.slice())
        }
        // Checkpoint time is not the function's: keep it out of the budget like the GCs.
        gcSpentMs = gcBefore + (now() - checkStarted)
      },
    }
  }

  // Calibration.
  await caller.call(1)
  await turn()
  const heapStart = (await gc()).heap
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
  const heapAfterCalibration = (await gc()).heap
  gcMs = now() - gcStarted
  gcStarted = now()
  await gc()
  gcMs = Math.min(gcMs, now() - gcStarted)

  const maxRounds = options.rounds + options.extraRounds
  let callsPerRound: number
  if (options.callsPerRound === 'auto') {
    const callsPerL0 = options.warmup + 2 ** options.rounds - 1 + options.rounds + 1
    const gcsPlanned = options.warmup + 2 * (options.rounds + 1) + 2
    const target = Math.max(options.timeBudget / 2 - gcsPlanned * gcMs, options.timeBudget / 4)
    callsPerRound = powerOfTwoAtMost(target / (callsPerL0 * Math.max(callMs, 1e-4)), 1, MAX_AUTO_CALLS_PER_ROUND)
    const bytesPerCall = (heapAfterCalibration - heapStart) / calibrationCalls
    if (bytesPerCall > 0) {
      callsPerRound = Math.min(callsPerRound, powerOfTwoAtMost(CHUNK_BYTES_TARGET / bytesPerCall, 1, MAX_AUTO_CALLS_PER_ROUND))
    }
  } else {
    callsPerRound = options.callsPerRound
  }

  // Memory guard, as in Node.
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
  const guardTripsOnBudget = (): boolean => guardGrowing >= 3 && guardPrevious - heapStart >= options.maxHeapGrowth / 4

  // Warm-up.
  for (let chunk = 0; chunk < options.warmup; chunk++) {
    if (guardTrips(callsPerRound)) break
    if (budgetSpent() > options.timeBudget / 2 && guardTripsOnBudget()) break
    await caller.call(callsPerRound)
    await turn()
    const reading = await gc()
    guardObserve(reading.heap + reading.external, callsPerRound)
  }

  const reading = async (): Promise<{ heap: number; counts: Counts }> => {
    await turn()
    const a = (await gc()).heap
    await caller.call(1)
    caller.quiet()
    await turn()
    const second = await gc(true)
    // FinalizationRegistry callbacks (the listener tracker's) run as tasks after the GC.
    if (listeners) {
      await turn()
      await turn()
    }
    const counts: Counts = {}
    if (second.dom) {
      // The renderer counts every live node; the page counts those in its document. What is neither
      // in the document nor collected is detached (the difference; only changes matter).
      const inDocument = nodesInDocument()
      counts['dom:detached nodes'] = second.dom.nodes - inDocument
      counts['dom:nodes in the document'] = inDocument
      counts['dom:documents'] = second.dom.documents
    }
    if (listeners) for (const [type, count] of Object.entries(listeners.read())) counts[`listeners:${type}`] = count
    return { heap: Math.min(a, second.heap) + second.external, counts }
  }

  caller.observer = undefined
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
    const outOfTest = limits.testTimeLeftMs !== undefined && now() - started + predictedCalls + predictedGcs > limits.testTimeLeftMs
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
      await gc()
      await caller.call(doubled)
      confirmed = true
    } else {
      await caller.call(calls)
    }
    const next = await reading()
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
  void budgetExhausted

  if (decisions.length === 0) decisions = decideAll(heapReadings, countReadings, roundCalls, params, confirmed)
  const ignored = listeners !== undefined && listeners.ignoredCount() > 0 ? { ignored: { 'ignoreEvents (listeners)': listeners.ignoredCount() } } : {}
  const report = buildPageReport({
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
    testTimeout: testTimeout ? { leftMs: limits.testTimeLeftMs!, gcMs, gcSpentMs } : undefined,
    calls: caller.count,
    gcs,
    durationMs: now() - started,
    callsPerRound,
    async: caller.async,
    options,
  })
  return { ...report, ...ignored }
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

/** Inputs of {@link buildPageReport}. */
export interface PageReportInput {
  readonly confirmed: boolean
  readonly grownBytes: number
  readonly guardReadings: number
  readonly decisions: readonly SignalDecision[]
  readonly heapReadings: readonly number[]
  readonly countReadings: readonly Counts[]
  readonly roundCalls: readonly number[]
  readonly roundTimes: readonly number[]
  readonly params: RuleParams
  readonly stoppedEarly: boolean
  readonly testTimeout: { leftMs: number; gcMs: number; gcSpentMs: number } | undefined
  readonly calls: number
  readonly gcs: number
  readonly durationMs: number
  readonly callsPerRound: number
  readonly async: boolean
  readonly options: ResolvedLeakOptions
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`
}

function lastPositive(values: readonly number[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i]! > 0) return values[i]!
  return 0
}

/**
 * The report of a page check, with the same fields, verdict rules and reason texts as the Node
 * sampler's (`gc` reads `cdp`: the server forced each GC over the Chrome DevTools Protocol).
 */
export function buildPageReport(input: PageReportInput): LeakReport {
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
  const series = { calls: input.roundCalls.slice(), heap: input.heapReadings.map((value) => value - baseHeap), counts: countSeries }
  const toSummary = (decision: SignalDecision, forceLeak = false): SignalSummary => {
    const state = decision.state
    let status: SignalSummary['status'] = 'undecided'
    if (state.status === 'clean') status = 'clean'
    else if (state.status === 'leak' || forceLeak) status = 'leak'
    const marginal = state.status === 'leak' ? state.marginal : state.status === 'pending' && state.wantsExtraRound
    const perCall = status === 'leak' && decision.estimatePerCall === 0 ? lastPositive(decision.perCall) : decision.estimatePerCall
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
    gc: 'cdp' as const,
    options: input.options,
  }
  if (input.stoppedEarly) {
    const signals = decisions.map((decision) => toSummary(decision, decision.key === 'heap'))
    return {
      ...base,
      verdict: 'leak',
      signals,
      leaks: [signals[0]!, ...signals.slice(1).filter((signal) => signal.status === 'leak')],
      stoppedEarly: true,
      reason: `memory grew by at least 1 MiB in each of the last ${input.guardReadings} readings, ${Math.round(input.grownBytes / (1024 * 1024))} MiB in all; stopped early to protect the page`,
    }
  }
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
          `${formatMs(timeout.gcSpentMs)} of it in ${input.gcs} full GCs (about ${formatMs(timeout.gcMs)} each, server round trip included)${evidence}`,
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
  if (heapDecision.state.status === 'clean' && heapDecision.state.belowNoise === true) {
    const noise = roundNoise(heapDecision.perRound, first - 1) ?? 0
    const resolution = decidingCalls > 0 ? Math.max(params.floor, (NOISE_MULTIPLE * noise) / decidingCalls) : params.floor
    return {
      ...base,
      verdict: 'clean',
      signals,
      reason:
        `no signal leaked by round ${decidedAt}${extendedNote}: the heap's growth stayed within the noise of the ` +
        `first rounds (about ${(noise / 1000).toFixed(1)} kB per round); a leak of more than about ${Math.ceil(resolution)} B per call would have ` +
        'stood clear of it (raise timeBudget or extraRounds to look closer)',
    }
  }
  const resolutionNote =
    decidingCalls > 0 && decidingCalls * params.floor < MIN_ROUND_BYTES
      ? `; with ${decidingCalls} calls in that round, heap growth below ${Math.ceil(MIN_ROUND_BYTES / decidingCalls)} B per call is below the resolution (raise timeBudget for more calls per round)`
      : ''
  return { ...base, verdict: 'clean', signals, reason: `no signal grew in counted round ${decidedAt}${extendedNote}${resolutionNote}` }
}

function prefixed(counts: Readonly<Record<string, number>>): Record<string, number> {
  const result: Record<string, number> = {}
  for (const [key, count] of Object.entries(counts)) result[`listeners:${key}`] = count
  return result
}

/** The report of a leak decided by the count schedule, with the Node sampler's fields and reason. */
export function countReport(
  leaks: readonly CountLeak[],
  checkpoints: readonly Checkpoint[],
  totals: Pick<LeakReport, 'calls' | 'gcs' | 'durationMs' | 'callsPerRound' | 'async' | 'gc' | 'options'>,
): LeakReport {
  const base = checkpoints[0]!
  const keys = [...new Set(checkpoints.flatMap((checkpoint) => Object.keys(checkpoint.counts)))].sort()
  const leaking = new Map(leaks.map((leak) => [leak.key, leak]))
  const signals: SignalSummary[] = [
    { key: 'heap', unit: 'bytes', status: 'undecided', perCall: 0, marginal: false },
    ...keys
      .filter((key) => leaking.has(key) || checkpoints.some((checkpoint) => (checkpoint.counts[key] ?? 0) !== (base.counts[key] ?? 0)))
      .map((key): SignalSummary => {
        const leak = leaking.get(key)
        return leak === undefined
          ? { key, unit: 'count', status: 'undecided', perCall: 0, marginal: false }
          : { key, unit: 'count', status: 'leak', perCall: leak.perCall, marginal: false }
      }),
  ]
  const found = signals.filter((signal) => signal.status === 'leak')
  const relative: Record<string, number[]> = {}
  for (const key of keys) relative[key] = checkpoints.map((checkpoint) => (checkpoint.counts[key] ?? 0) - (base.counts[key] ?? 0))
  const span = checkpoints
    .slice(-4)
    .map((checkpoint) => checkpoint.calls)
    .join(', ')
  return {
    verdict: 'leak',
    reason:
      `rose by at least one item per two calls between each of the last checkpoints (calls ${span}), ` +
      `and was still there after a full GC and up to ${LINGER_MS} ms of waiting`,
    signals,
    leaks: [found[0]!, ...found.slice(1)],
    stoppedEarly: false,
    decidedBy: 'counts',
    checkpoints: { calls: checkpoints.map((checkpoint) => checkpoint.calls), counts: relative },
    rounds: [],
    series: { calls: [], heap: [], counts: {} },
    extraRoundsUsed: 0,
    ...totals,
  }
}
