/**
 * The verdict: pure functions from reading series to a decision per signal and overall.
 *
 * Rule ("grows in every round"): a signal leaks when its growth per call is at or above its floor in
 * each of the last K counted rounds; it is clean at the first counted round below the floor. Rounds
 * double in size, so bounded growth (warm-up, caches, JIT steps) is diluted towards zero per call
 * while a real per-call leak keeps its rate. When a leak is only marginally established (growth near
 * the floor, or halving from round to round like a cache filling up) the sampler is asked for more
 * rounds instead of guessing.
 *
 * Two guards keep structures that are sized by "calls between two GCs" (a WeakMap's table, which GC
 * empties but does not shrink) and small rounds (slow functions, few calls) from looking like leaks:
 * - a byte signal must also grow by at least {@link MIN_ROUND_BYTES} per round, the resolution the rule
 *   was validated at (16 B × 512 calls);
 * - before a byte signal is called a leak, one confirmation round runs: twice the calls of the last
 *   round, with a full GC halfway. A per-call leak grows again, in proportion to the calls: about twice
 *   the bytes of the round before (containers included: with rounds that double, every round crosses
 *   exactly one doubling of a Map's or an array's backing store). The confirmation round must grow by at
 *   least as many bytes as the round before it ({@link CONFIRM_RATIO}). A structure sized by the calls
 *   between two GCs does not grow at all, and growth that comes per round rather than per call
 *   (a few kB of runtime bookkeeping for slow functions with small rounds, such as Workers) grows about
 *   as much as before, not twice as much.
 */
import { growthPerCall, median, repairSpikes, unresolvedSpike } from './stats.js'

/** Smallest growth, in bytes, that a round must show for a byte signal to count as growing. */
export const MIN_ROUND_BYTES = 8 * 1024

/**
 * The confirmation round (twice the calls of the round before it) must grow by at least this many times
 * the bytes of the round before it. A per-call leak grows about twice as much (at worst 1.25 times,
 * for an array of small objects whose backing store grew 1.5-fold in one round and not in the other);
 * growth that comes per round, not per call, grows about as much (1 time).
 */
export const CONFIRM_RATIO = 1.2

/**
 * Every counted round of a byte leak must grow by at least this many times the noise of the
 * uncounted rounds (the median of their absolute growth, in bytes per round). Growth that comes per
 * round rather than per call — runtime bookkeeping that settles over thousands of calls, as in HTTP
 * clients, where rounds of tens of calls move the heap by 15–25 kB — stays about as large while the
 * rounds double; a per-call leak doubles with them. Until the counted rounds stand clear of that
 * noise, the evidence is marginal and the check runs more rounds. (Asking it of the largest counted
 * round only caught more 200 B/call twins of HTTP clients, but called two slow clean functions — ajv
 * compiling a schema per call, a 50 ms memoized lookup — leaks at 281–538 calls in CI's sample: kept
 * for every counted round.)
 */
export const NOISE_MULTIPLE = 2

/**
 * Marginal evidence also while the rounds so far hold fewer calls than this: real code settles over
 * its first thousands of calls (JIT feedback, inline caches, a library's own memo tables), at a steady
 * few hundred bytes per call until it stops. Measured: building and validating one zod schema per
 * call grows 220–340 B per call for about 2,000 calls, then 7–20 B; counted rounds of 128, 256 and
 * 512 calls and a confirmation round of 1,024 all fall inside that phase and looked like a leak. With
 * time left, the check runs more rounds until it has seen this many calls; without, the confirmation
 * round decides as before (slow functions).
 */
export const MIN_LEAK_CALLS = 4000

/**
 * Marginal evidence also when the growth per call falls by more than this (log₂ units per round,
 * least squares over the counted rounds and the round before them): bounded growth settling halves
 * per call with every doubling (−1); a leak keeps its rate (0).
 */
export const FALLING_SLOPE = -0.3

/** The unit a signal is measured in. */
export type SignalUnit = 'bytes' | 'count'

/** Parameters of the decision rule. */
export interface RuleParams {
  /** Rounds in a normal check (R). */
  readonly rounds: number
  /** Consecutive counted rounds that must all grow (K). */
  readonly confirmRounds: number
  /** Extra rounds allowed when a leak is marginal. */
  readonly extraRounds: number
  /** Floor for byte signals, bytes per call. Count signals use "rose by at least 1 in the round". */
  readonly floor: number
}

/** State of one signal after the rounds seen so far. */
export type SignalState =
  | {
      readonly status: 'pending'
      /** More doubling rounds are wanted because the evidence is marginal. */
      readonly wantsExtraRound: boolean
      /** The rule is met; a confirmation round (twice the calls, a GC halfway) must confirm it. */
      readonly wantsConfirmRound?: boolean
    }
  | {
      readonly status: 'clean'
      readonly decidedAtRound: number
      /**
       * Set when the rounds ran out while the growth was still settling (falling, or within the noise
       * of the first rounds): clean at the resolution that noise allows, not below the floor.
       */
      readonly belowNoise?: true
      /**
       * Set when the confirmation round passed but the bytes per round over the counted rounds and the
       * confirmation round did not grow with the calls ({@link growsWithCalls}).
       */
      readonly settling?: true
    }
  | { readonly status: 'leak'; readonly marginal: boolean }

/** Decision for one signal, with the evidence. */
export interface SignalDecision {
  /** Signal key, for example `heap` or `handles:Timeout`. */
  readonly key: string
  readonly unit: SignalUnit
  readonly state: SignalState
  /** Growth per call in each round (bytes per call, or items per call). */
  readonly perCall: readonly number[]
  /** Growth in each round in the signal's unit (bytes, or items). */
  readonly perRound: readonly number[]
  /** Estimated growth per call: the median over the deciding window, or 0 when clean. */
  readonly estimatePerCall: number
}

/** Index (1-based round number) of the first counted round. */
export function firstCountedRound(params: RuleParams): number {
  return params.rounds - params.confirmRounds + 1
}

/**
 * Decides one signal from its readings.
 *
 * @param key signal key
 * @param unit `bytes` (heap; spike repair and the byte floor apply) or `count` (integers; rises ≥ 1)
 * @param readings m₀ (baseline) … mₙ, one per round boundary
 * @param calls calls in each round, L₁…Lₙ
 * @param params the rule
 * @param lastRoundConfirms whether the last round was the confirmation round
 */
export function decideSignal(
  key: string,
  unit: SignalUnit,
  readings: readonly number[],
  calls: readonly number[],
  params: RuleParams,
  lastRoundConfirms = false,
): SignalDecision {
  const series = unit === 'bytes' ? repairSpikes(readings, calls) : readings.slice()
  // Memory held across the reading before the last, on top of growth, makes the last round look
  // smaller than it is (see `repairSpikes`): a confirmation round that still grew is judged with that
  // reading interpolated; any other last round waits for one more reading before it may say clean.
  const spikeOpen = unit === 'bytes' && unresolvedSpike(series, calls)
  const last = series.length - 1
  if (spikeOpen && lastRoundConfirms && (series[last]! - series[last - 1]!) / calls[last - 1]! >= params.floor) {
    series[last - 1] = series[last - 2]! + ((series[last]! - series[last - 2]!) * calls[last - 2]!) / (calls[last - 2]! + calls[last - 1]!)
  }
  const perCall = growthPerCall(series, calls)
  const perRound = perCall.map((growth, index) => growth * calls[index]!)
  const roundsSeen = perCall.length
  const first = firstCountedRound(params)
  const grew = (round: number): boolean =>
    unit === 'bytes'
      ? perCall[round - 1]! >= params.floor && perRound[round - 1]! >= MIN_ROUND_BYTES
      : perRound[round - 1]! >= 1

  for (let round = first; round <= roundsSeen; round++) {
    if (!grew(round)) {
      if (round === roundsSeen && spikeOpen && !lastRoundConfirms && roundsSeen < params.rounds + params.extraRounds) {
        return {
          key,
          unit,
          state: { status: 'pending', wantsExtraRound: roundsSeen >= params.rounds },
          perCall,
          perRound,
          estimatePerCall: 0,
        }
      }
      return { key, unit, state: { status: 'clean', decidedAtRound: round }, perCall, perRound, estimatePerCall: 0 }
    }
  }
  if (unit === 'bytes' && lastRoundConfirms && roundsSeen >= 2 && perRound[roundsSeen - 1]! < CONFIRM_RATIO * perRound[roundsSeen - 2]!) {
    // The confirmation round did not grow in proportion to its calls: not a per-call leak.
    return { key, unit, state: { status: 'clean', decidedAtRound: roundsSeen }, perCall, perRound, estimatePerCall: 0 }
  }
  if (unit === 'bytes' && lastRoundConfirms && !growsWithCalls(perRound.slice(Math.max(0, roundsSeen - params.confirmRounds - 1)))) {
    // Over the counted rounds and the confirmation round together, the bytes per round did not keep up
    // with the doubling calls: growth that is still settling, not a per-call leak.
    return {
      key,
      unit,
      state: { status: 'clean', decidedAtRound: roundsSeen, settling: true },
      perCall,
      perRound,
      estimatePerCall: 0,
    }
  }
  if (roundsSeen - first + 1 < params.confirmRounds) {
    return { key, unit, state: { status: 'pending', wantsExtraRound: false }, perCall, perRound, estimatePerCall: 0 }
  }
  const window = perCall.slice(roundsSeen - params.confirmRounds)
  const estimatePerCall = median(window)
  const counted = lastRoundConfirms ? roundsSeen - 1 : roundsSeen
  // Growth per call falling round after round looks like bounded growth settling; counted rounds not
  // yet clear of the noise of the first rounds cannot be told from it. Both are marginal evidence.
  const falling = unit === 'bytes' && isFalling(perCall.slice(Math.max(0, counted - params.confirmRounds - 1), counted))
  const noisy =
    unit === 'bytes' && !clearOfNoise(perRound, first - 1, Math.max(first, counted - params.confirmRounds + 1), counted)
  const settling = falling || noisy
  const fewCalls = unit === 'bytes' && calls.slice(0, counted).reduce((sum, n) => sum + n, 0) < MIN_LEAK_CALLS
  const marginal = unit === 'bytes' && (isMarginal(window, params.floor) || settling || fewCalls)
  if (unit === 'bytes' && !lastRoundConfirms) {
    if (marginal && roundsSeen < params.rounds + params.extraRounds) {
      return { key, unit, state: { status: 'pending', wantsExtraRound: true }, perCall, perRound, estimatePerCall }
    }
    if (noisy) {
      // No more rounds, and the growth never stood clear of the noise of the first rounds: a leak above
      // that resolution (see `roundNoise`) would have. Clean, and the message says at which resolution.
      // (Growth that stands clear of the noise but falls goes to the confirmation round: a small leak
      // on top of settling growth keeps growing there.)
      return {
        key,
        unit,
        state: { status: 'clean', decidedAtRound: roundsSeen, belowNoise: true },
        perCall,
        perRound,
        estimatePerCall: 0,
      }
    }
    return {
      key,
      unit,
      state: { status: 'pending', wantsExtraRound: false, wantsConfirmRound: true },
      perCall,
      perRound,
      estimatePerCall,
    }
  }
  return { key, unit, state: { status: 'leak', marginal }, perCall, perRound, estimatePerCall }
}

/**
 * Marginal evidence: the smallest growth in the window is under twice the floor, or the growth at
 * least halved across the window (bounded growth settling looks like that; a leak keeps its rate).
 */
export function isMarginal(window: readonly number[], floor: number): boolean {
  const smallest = Math.min(...window)
  const first = window[0]!
  const last = window[window.length - 1]!
  return smallest < 2 * floor || last <= first / 2
}

/**
 * A leak's bytes per round double with the rounds (log₂ slope 1); growth still settling stays about
 * level (slope near 0). Before a heap leak is called, the least-squares slope of log₂(bytes per round)
 * over the counted rounds and the confirmation round must reach this.
 */
export const GROWING_SLOPE = 0.4

/**
 * Whether bytes per round (oldest first, the confirmation round last) grow with the doubling calls:
 * the least-squares slope of log₂(bytes) per round is at least {@link GROWING_SLOPE}. A round that did
 * not grow means no.
 */
export function growsWithCalls(perRound: readonly number[]): boolean {
  if (perRound.length < 3) return true
  if (perRound.some((bytes) => !(bytes > 0))) return false
  const meanX = (perRound.length - 1) / 2
  const logs = perRound.map((bytes) => Math.log2(bytes))
  const meanY = logs.reduce((sum, y) => sum + y, 0) / logs.length
  let sxy = 0
  let sxx = 0
  logs.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY)
    sxx += (x - meanX) ** 2
  })
  return sxy / sxx >= GROWING_SLOPE
}

/**
 * Whether the growth per call falls across the rounds given (oldest first): the least-squares slope
 * of log₂(growth) per round is below {@link FALLING_SLOPE}. Rounds that did not grow are left out.
 */
export function isFalling(perCall: readonly number[]): boolean {
  const points = perCall.map((growth, index) => [index, growth] as const).filter(([, growth]) => growth > 0)
  if (points.length < 3) return false
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length
  const meanY = points.reduce((sum, [, g]) => sum + Math.log2(g), 0) / points.length
  let sxy = 0
  let sxx = 0
  for (const [x, g] of points) {
    sxy += (x - meanX) * (Math.log2(g) - meanY)
    sxx += (x - meanX) ** 2
  }
  return sxy / sxx < FALLING_SLOPE
}

/**
 * Whether every round from `from` to `to` (1-based) grew by at least {@link NOISE_MULTIPLE} times the
 * noise of the first `noiseRounds` rounds (the median of their absolute growth per round, bytes).
 * With fewer than two such rounds there is no noise estimate and the answer is yes.
 */
export function clearOfNoise(perRound: readonly number[], noiseRounds: number, from: number, to: number): boolean {
  const noise = roundNoise(perRound, noiseRounds)
  if (noise === undefined) return true
  for (let round = from; round <= to; round++) if (perRound[round - 1]! < NOISE_MULTIPLE * noise) return false
  return true
}

/**
 * The heap's round-to-round noise: the median absolute growth of the first `noiseRounds` rounds, in
 * bytes per round, or `undefined` with fewer than two of them.
 */
export function roundNoise(perRound: readonly number[], noiseRounds: number): number | undefined {
  const early = perRound.slice(0, noiseRounds).map((bytes) => Math.abs(bytes))
  return early.length < 2 ? undefined : median(early)
}

/** Overall progress of a check after the rounds seen so far. */
export type Progress =
  | { readonly done: false; readonly extending: boolean; readonly confirming: boolean }
  | { readonly done: true; readonly verdict: 'clean' | 'leak' }

/**
 * Combines signal decisions: `leak` as soon as every signal is decided and one leaks, `clean` when
 * all are clean; otherwise more rounds are needed (`extending` when a signal asks for an extra doubling
 * round, `confirming` when one asks for the confirmation round).
 */
export function combine(decisions: readonly SignalDecision[]): Progress {
  let pending = false
  let extending = false
  let confirming = false
  let leak = false
  for (const decision of decisions) {
    if (decision.state.status === 'pending') {
      pending = true
      if (decision.state.wantsExtraRound) extending = true
      if (decision.state.wantsConfirmRound === true) confirming = true
    } else if (decision.state.status === 'leak') {
      leak = true
    }
  }
  if (pending) return { done: false, extending, confirming }
  return { done: true, verdict: leak ? 'leak' : 'clean' }
}
