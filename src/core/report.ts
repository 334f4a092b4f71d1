/**
 * The result of a leak check: what was measured, round by round, and the verdict.
 * A tagged union on `verdict`; narrow on it.
 */
import type { Diagnosis, ResourceStacks } from './diagnosis.js'
import type { KnownLeakMatch, KnownLeakRemainder } from './known.js'
import type { GcSource } from './gc.js'
import type { ResolvedLeakOptions } from './options.js'
import type { SignalUnit } from './verdict.js'

/** One doubling round. */
export interface RoundRecord {
  /** 1-based round number. */
  readonly round: number
  /** Calls between this round's reading and the previous one. */
  readonly calls: number
  /** Whether the round is one of the counted (final) rounds of the rule. */
  readonly counted: boolean
  /** Heap growth per call in this round, bytes per call (after spike repair). */
  readonly heapPerCall: number
  /** Net change of each count signal in this round (only keys that changed), items. */
  readonly counts: Readonly<Record<string, number>>
  /** Milliseconds since the check started, at the end of the round. */
  readonly atMs: number
}

/** A call that failed partway through a check whose counts had grown steadily before it. */
export interface CheckFailure {
  /** 1-based number of the call that failed. */
  readonly call: number
  /** How it failed: threw, rejected, or never settled within `callTimeout`. */
  readonly code: 'FN_THREW' | 'FN_REJECTED' | 'CALL_TIMEOUT'
  /** The failure in one sentence (the error's name and message, or the timeout). */
  readonly message: string
}

/** The count schedule's readings: calls at each checkpoint and each count relative to the baseline. */
export interface CountCheckpoints {
  /** Calls made before each reading (the first is the baseline, 0). */
  readonly calls: readonly number[]
  /** Per key, the count at each reading minus the baseline's, items. */
  readonly counts: Readonly<Record<string, readonly number[]>>
}

/** The outcome for one signal. */
export interface SignalSummary {
  /** `heap`, or `<probe>:<kind>` such as `handles:Timeout`. */
  readonly key: string
  /** `bytes` for the heap, `count` for integer signals. */
  readonly unit: SignalUnit
  /** `leak` when it grew in each of the last counted rounds, `clean` when a counted round did not grow. */
  readonly status: 'clean' | 'leak' | 'undecided'
  /** Estimated growth per call in the deciding rounds (bytes or items per call); 0 when clean. */
  readonly perCall: number
  /** Set when the evidence was marginal (near the floor, or falling across rounds). */
  readonly marginal: boolean
}

/** The raw series behind the verdict, for reports and plots. */
export interface LeakSeries {
  /** Calls between consecutive readings (index i: between reading i and i+1). */
  readonly calls: readonly number[]
  /** Heap readings relative to the baseline, bytes (first entry 0). */
  readonly heap: readonly number[]
  /** Count readings relative to the baseline, per key. */
  readonly counts: Readonly<Record<string, readonly number[]>>
}

interface ReportBase {
  /** Every signal that was decided or watched. */
  readonly signals: readonly SignalSummary[]
  /** Round by round figures (warm-up not included). */
  readonly rounds: readonly RoundRecord[]
  readonly series: LeakSeries
  /** Calls of `fn` in total, calibration and warm-up included. */
  readonly calls: number
  /** Full GCs forced. */
  readonly gcs: number
  /** Wall-clock time of the check, milliseconds. */
  readonly durationMs: number
  /** Calls in the first round (L0) after calibration. */
  readonly callsPerRound: number
  /** Rounds added beyond `options.rounds` because the evidence was marginal. */
  readonly extraRoundsUsed: number
  /** Whether `fn` returned promises. */
  readonly async: boolean
  /**
   * How GC was forced: `exposed` or `fallback` in Node, `cdp` in Vitest Browser Mode (the server forced
   * it over the Chrome DevTools Protocol), or `unavailable`.
   */
  readonly gc: GcSource | 'cdp' | 'unavailable'
  /** The options in force. */
  readonly options: ResolvedLeakOptions
  /**
   * Items an ignore rule kept out of the counts, as growth over the check (`<rule>: <name> (<probe>)`
   * → items). Absent when nothing was ignored.
   */
  readonly ignored?: Readonly<Record<string, number>>
  /** Signals that could not be measured here (probe name → why); they decided nothing. */
  readonly unavailable?: Readonly<Record<string, string>>
  /**
   * Known leaks (the `knownLeaks` option and leakspec's built-in entries) that explained growth of a
   * leaking signal, after the diagnosis. A signal they explain entirely is no longer a leak; a report
   * whose every leak they explain is `clean`. Absent when no entry matched.
   */
  readonly known?: readonly KnownLeakMatch[]
  /** For each signal a known leak matched: what no entry explains, and whether that still leaks. */
  readonly knownRemainder?: readonly KnownLeakRemainder[]
}

/** No signal grew in a counted round: nothing leaks per call. */
export interface CleanReport extends ReportBase {
  readonly verdict: 'clean'
  readonly reason: string
}

/** At least one signal grew in each of the last counted rounds. */
export interface LeakFoundReport extends ReportBase {
  readonly verdict: 'leak'
  readonly reason: string
  /** The signals that leaked (never empty). */
  readonly leaks: readonly [SignalSummary, ...SignalSummary[]]
  /** Set when the check stopped before its rounds were done because memory grew too much. */
  readonly stoppedEarly: boolean
  /**
   * What decided: the doubling rounds (absent), the count schedule (`counts`: a resource count rose
   * with the calls from the first checkpoints on), or the counts before a call failed (`failure`).
   */
  readonly decidedBy?: 'counts' | 'failure'
  /** The call that failed, when the counts before it decided the leak. */
  readonly failure?: CheckFailure
  /** The count schedule's readings, when it decided. */
  readonly checkpoints?: CountCheckpoints
  /**
   * Resources the measured calls created and left open that leakspec closed after the verdict (the
   * `release` option), by signal key, so that the next test can open files and connect again.
   */
  readonly released?: Readonly<Record<string, number>>
  /**
   * Creation (add-site) stacks of leaked handles, fds and listeners, from a short diagnosis pass after
   * the verdict. Absent when no resource signal leaked.
   */
  readonly stacks?: ResourceStacks
  /**
   * What leaked, who holds it and where it was allocated, from heap snapshots after the verdict.
   * Set by failing assertions (`.not.toLeak()`, `assertNoLeaks`) unless `diagnose: false`.
   */
  readonly diagnosis?: Diagnosis
  /** Why the diagnosis was skipped (it would not have finished before the test timeout). */
  readonly diagnosisSkipped?: string
}

/** The measurement cannot be trusted or was cut short; there is no verdict. */
export interface InconclusiveReport extends ReportBase {
  readonly verdict: 'inconclusive'
  readonly reason: string
  /**
   * Why: no way to force GC; the time budget ran out before the verdict was decided; or the next
   * round would not have ended before the running test's timeout (matchers only).
   */
  readonly cause: 'gc-unavailable' | 'time-budget' | 'test-timeout'
}

/** The result of {@link measureLeaks}. */
export type LeakReport = CleanReport | LeakFoundReport | InconclusiveReport

/** The verdict of a check. */
export type Verdict = LeakReport['verdict']
