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
import { callRejected, callThrew, callTimedOut, isThenable } from '../core/call-errors.js'
import { LeakCheckError } from '../core/errors.js'
import type { ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import { buildReport, countReport, decideAll } from '../core/report-build.js'
import { type Checkpoint, earlyCountLeaks, isCheckpoint, LINGER_MS, type CountLeak } from '../core/count-rule.js'
import { powerOfTwoAtMost } from '../core/stats.js'
import { combine, type RuleParams, type SignalDecision } from '../core/verdict.js'
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
      else if (!outOfBudget) testTimeout = true
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

  if (decisions.length === 0) decisions = decideAll(heapReadings, countReadings, roundCalls, params, confirmed)
  const ignored = listeners !== undefined && listeners.ignoredCount() > 0 ? { ignored: { 'ignoreEvents (listeners)': listeners.ignoredCount() } } : {}
  const report = buildReport({
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
    gc: 'cdp',
    options,
    where: 'page',
  })
  return { ...report, ...ignored }
}

function prefixed(counts: Readonly<Record<string, number>>): Record<string, number> {
  const result: Record<string, number> = {}
  for (const [key, count] of Object.entries(counts)) result[`listeners:${key}`] = count
  return result
}
