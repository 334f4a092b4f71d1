/**
 * `toLeak`: the runner-neutral matcher. Works with any Jest-compatible `expect.extend`
 * (Vitest 4.1 and 5, Jest 29 and 30). The runner inverts `.not`; `pass` is true when fn leaks.
 */
import { assertFunction, measureResolved, withLedger } from '../check.js'
import type { ResourceLedger } from '../core/release.js'
import { LeakCheckError } from '../core/errors.js'
import { DEFAULT_OPTIONS, resolveOptions, type LeakOptions, type ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import type { CheckLimits, CheckToken } from '../core/sampler.js'
import { withDiagnosis } from '../diagnose/diagnose.js'
import { applyKnownLeaks } from '../known/apply.js'
import type { KnownLeakMatch } from '../core/known.js'
import { ruleUse, type RuleUse } from '../known/rules.js'
import type { MatcherContextLike } from './context.js'
import { timeLeftMs } from './time-left.js'
import { formatClean, formatInconclusive, formatLeak, signalName } from '../message/format.js'
import { formatDiagnosis } from '../diagnose/format.js'
import { formatResourceStacks } from '../diagnose/stacks.js'
import { noteOverlap, track } from './guard.js'
import { assertPlacement } from './placement.js'
import { epochNow } from '../core/clock.js'

/** What `toLeak` resolves to: the standard matcher result plus the report (kept by Jest reporters). */
export interface ToLeakResult {
  readonly pass: boolean
  readonly message: () => string
  readonly report: LeakReport
}

/** A compact, JSON-friendly record of one check, stored in Vitest's `task.meta.leakspec`. */
export interface LeakCheckRecord {
  readonly verdict: LeakReport['verdict']
  readonly reason: string
  readonly leaks: ReadonlyArray<{ readonly key: string; readonly perCall: number }>
  readonly calls: number
  readonly gcs: number
  readonly durationMs: number
  readonly heapPerCall: readonly number[]
  readonly roundCalls: readonly number[]
  /** Heap floor of the check, bytes per call (absent in records written before reports existed). */
  readonly floor?: number
  /** Round by round figures: calls, counted flag, heap growth per call (bytes) and count signal changes (items). */
  readonly rounds?: ReadonlyArray<{
    readonly round: number
    readonly calls: number
    readonly counted: boolean
    readonly heapPerCall: number
    readonly counts: Readonly<Record<string, number>>
  }>
  /** Every signal decided or watched: `heap` or `<probe>:<kind>`, its unit, status and growth per call. */
  readonly signals?: ReadonlyArray<{
    readonly key: string
    readonly unit: 'bytes' | 'count'
    readonly status: 'clean' | 'leak' | 'undecided'
    readonly perCall: number
    readonly marginal: boolean
  }>
  /** What decided a leak: the count schedule (`counts`) or the counts before a failed call (`failure`). */
  readonly decidedBy?: 'counts' | 'failure'
  /** The count schedule's readings (calls, and each count relative to the baseline), when it decided. */
  readonly checkpoints?: { readonly calls: readonly number[]; readonly counts: Readonly<Record<string, readonly number[]>> }
  /** The call that failed, when the counts before it decided the leak. */
  readonly failure?: { readonly call: number; readonly code: string; readonly message: string }
  /** Resources closed after the verdict (the `release` option), by signal key. */
  readonly released?: Readonly<Record<string, number>>
  /** Calls in round 1 after calibration. */
  readonly callsPerRound?: number
  /** How GC was forced (`exposed`, `fallback`…), or `unavailable`. */
  readonly gc?: string
  /** Whether the checked function returned promises. */
  readonly async?: boolean
  /** Why an inconclusive check has no verdict (`gc-unavailable`, `time-budget`). */
  readonly cause?: string
  /**
   * The diagnosis of a leak as text: creation stacks of leaked resources and what leaked, who holds it
   * and where it was allocated (names, counts, sizes and stack frames; never heap contents).
   */
  readonly diagnosis?: string
  /** Known leaks that explained growth: `known leak in <package>@<version> (<link>)`, with what each explained. */
  readonly known?: readonly KnownLeakMatch[]
  /** The user's ignore rules and known-leak entries in force, and which matched (absent when there were none). */
  readonly rules?: RuleUse
}

/** The shape of `task.meta.leakspec`. */
export interface LeakspecTaskMeta {
  readonly checks: LeakCheckRecord[]
}

let defaults: ResolvedLeakOptions = DEFAULT_OPTIONS

/**
 * Sets the defaults `toLeak` starts from (used by the runner plugins).
 * @throws {TypeError} for invalid options
 */
export function setMatcherDefaults(options: LeakOptions | undefined, where = 'leakspec() plugin'): void {
  defaults = resolveOptions(options, DEFAULT_OPTIONS, where)
}

/** The compact record of one check, as stored in `task.meta.leakspec.checks` (also used by the test hook). */
export function toRecord(report: LeakReport): LeakCheckRecord {
  return {
    verdict: report.verdict,
    reason: report.reason,
    leaks: report.verdict === 'leak' ? report.leaks.map((signal) => ({ key: signal.key, perCall: signal.perCall })) : [],
    calls: report.calls,
    gcs: report.gcs,
    durationMs: report.durationMs,
    heapPerCall: report.rounds.map((round) => round.heapPerCall),
    roundCalls: report.rounds.map((round) => round.calls),
    floor: report.options.floor,
    rounds: report.rounds.map((round) => ({
      round: round.round,
      calls: round.calls,
      counted: round.counted,
      heapPerCall: round.heapPerCall,
      counts: { ...round.counts },
    })),
    signals: report.signals.map((signal) => ({
      key: signal.key,
      unit: signal.unit,
      status: signal.status,
      perCall: signal.perCall,
      marginal: signal.marginal,
    })),
    ...(report.verdict === 'leak' && report.decidedBy !== undefined ? { decidedBy: report.decidedBy } : {}),
    ...(report.verdict === 'leak' && report.checkpoints !== undefined
      ? { checkpoints: { calls: [...report.checkpoints.calls], counts: Object.fromEntries(Object.entries(report.checkpoints.counts).map(([key, values]) => [key, [...values]])) } }
      : {}),
    ...(report.verdict === 'leak' && report.failure !== undefined ? { failure: { ...report.failure } } : {}),
    ...(report.verdict === 'leak' && report.released !== undefined ? { released: { ...report.released } } : {}),
    callsPerRound: report.callsPerRound,
    gc: report.gc,
    async: report.async,
    ...(report.verdict === 'inconclusive' ? { cause: report.cause } : {}),
    ...(report.verdict === 'leak' ? diagnosisText(report) : {}),
    ...(report.known !== undefined ? { known: report.known.map((match) => ({ ...match, kinds: match.kinds.map((kind) => ({ ...kind })) })) } : {}),
    ...rulesOf(report),
  }
}

function rulesOf(report: LeakReport): { rules?: RuleUse } {
  const use = ruleUse(report)
  return use.configured.length > 0 ? { rules: use } : {}
}

/** The diagnosis parts of a leak report as text (resource stacks, skipped note, heap diagnosis). */
function diagnosisText(report: LeakReport & { verdict: 'leak' }): { diagnosis?: string } {
  const parts: string[] = []
  if (report.stacks !== undefined) parts.push(formatResourceStacks(report.stacks, signalName))
  if (report.diagnosisSkipped !== undefined) parts.push(`Diagnosis skipped: ${report.diagnosisSkipped}.`)
  if (report.diagnosis !== undefined) parts.push(formatDiagnosis(report.diagnosis))
  return parts.length === 0 ? {} : { diagnosis: parts.join('\n\n') }
}

/** Appends the check's record to `task.meta.leakspec.checks`; returns a function that replaces it (after the diagnosis). */
function record(context: MatcherContextLike, report: LeakReport): (report: LeakReport) => void {
  const meta = context.task?.meta as Record<string, unknown> | undefined
  if (!meta) return () => {}
  const existing = meta['leakspec'] as LeakspecTaskMeta | undefined
  const checks = existing?.checks ?? []
  const index = checks.push(toRecord(report)) - 1
  meta['leakspec'] = { checks }
  return (updated) => {
    checks[index] = toRecord(updated)
  }
}

/**
 * The check must end before the test times out, with a margin for the failure message (5 % of the
 * time left, at least 250 ms). Without a known timeout there is no limit beyond `timeBudget`.
 */
function checkLimits(timeLeft: number | undefined): CheckLimits {
  if (timeLeft === undefined) return {}
  return { testTimeLeftMs: Math.max(0, timeLeft - Math.max(250, timeLeft * 0.05)) }
}

/**
 * `await expect(fn).not.toLeak(options?)` passes when each call of `fn` leaves nothing behind;
 * `await expect(fn).toLeak(options?)` passes when it does. Must be awaited.
 *
 * @throws {TypeError} synchronously, when the received value is not a function or options are invalid
 * @returns a promise of the matcher result; it rejects with a {@link LeakCheckError} when no verdict
 *   can be reached (fn threw, rejected or never settled, GC unavailable, budget exhausted)
 */
export function toLeak(this: MatcherContextLike, received: unknown, options?: LeakOptions): Promise<ToLeakResult> {
  const hint = `expect(fn).${this.isNot ? 'not.' : ''}toLeak(${options === undefined ? '' : 'options'})`
  assertFunction(received, hint)
  assertPlacement(this, hint)
  const resolved = resolveOptions(options, defaults, 'toLeak')
  const token: CheckToken = { aborted: false }
  const context = this
  const checkStarted = epochNow()
  const run = async (): Promise<ToLeakResult> => {
    return withLedger(resolved, (ledger) => measureAndJudge(ledger))
  }
  const measureAndJudge = async (ledger: ResourceLedger | undefined): Promise<ToLeakResult> => {
    let report: LeakReport
    try {
      report = await measureResolved(received, resolved, token, checkLimits(timeLeftMs(context, checkStarted)), ledger)
    } catch (error) {
      if (error instanceof LeakCheckError && error.code === 'ABANDONED') {
        // The test already failed through the unawaited guard; resolve quietly so that the
        // abandoned promise does not also surface as an unhandled rejection. The result is made
        // to agree with whichever form was used, because it is never looked at.
        return { pass: !context.isNot, message: () => error.message, report: undefined as never }
      }
      if (error instanceof LeakCheckError && error.code === 'OVERLAP') noteOverlap()
      throw error
    }
    const update = record(context, report)
    // Only a failing `.not.toLeak()` shows the message, so only it pays for the diagnosis.
    if (report.verdict === 'leak' && context.isNot === true) {
      report = await withDiagnosis(received, report, resolved, timeLeftMs(context, checkStarted))
      if (ledger !== undefined) report = await ledger.release(report)
      // Known leaks are matched on the diagnosis: what they explain is reported, not failed.
      report = applyKnownLeaks(report)
      update(report)
    }
    if (report.verdict === 'inconclusive') {
      throw new LeakCheckError(
        report.cause === 'gc-unavailable' ? 'GC_UNAVAILABLE' : 'INCONCLUSIVE',
        formatInconclusive(report, hint),
        { report },
      )
    }
    const leaked = report.verdict === 'leak'
    return {
      pass: leaked,
      message: () => (report.verdict === 'leak' ? formatLeak(report, hint) : formatClean(report as never, hint)),
      report,
    }
  }
  return track(run(), token, hint)
}

