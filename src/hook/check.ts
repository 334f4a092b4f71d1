/**
 * The runner-neutral part of the test hook: given a function that performs ONE repetition of a
 * test (its beforeEach hooks, its body, its afterEach hooks), run the `toLeak` engine (`runCheck`)
 * over it and turn the outcome into what the test must fail with, if anything, plus a record.
 *
 * The runner adapters (`leakspec/vitest` runner, `leakspec/jest-environment`) build the repetition;
 * rounds, GC, probes and the verdict are the engine's, unchanged.
 */
import { LeakCheckError, LeakError } from '../core/errors.js'
import { resolveOptions, type LeakOptions, type ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import { now } from '../core/clock.js'
import { runCheck } from '../core/sampler.js'
import { toRecord, type LeakCheckRecord } from '../matchers/toLeak.js'
import { formatInconclusive, formatLeak } from '../message/format.js'
import { describeError } from '../core/call-errors.js'

/**
 * Default heap floor of a wrapped test, in bytes per repetition (the `toLeak` default is 16 B per
 * call). A repetition runs the runner's hook, timeout and expect machinery around the test, and
 * clean Vitest 4.1 repetitions were measured settling by 20–40 B per repetition in the last rounds
 * on a loaded machine; leaks worth a test-level check are hundreds of bytes per run. Set `floor`
 * (project defaults or per test) to use another value.
 */
export const HOOK_FLOOR = 64

/**
 * Default time budget of a wrapped test, in milliseconds (the `toLeak` default is 4000). A
 * repetition costs a runner's hooks and wrappers, and a forced GC in a runner's worker costs more
 * than in a small process (Jest 29 workers: about 100 ms per GC in the fixture suite), so at 4 s a
 * leaking test often ran out of budget before its counted rounds. Clean tests still stop at their
 * first counted round. Set `timeBudget` (project defaults or per test) to use another value.
 */
export const HOOK_TIME_BUDGET = 10_000

/** Longest per-repetition limit leakspec accepts as `callTimeout`, in milliseconds (24 h). */
const MAX_CALL_TIMEOUT = 24 * 60 * 60 * 1000

/**
 * Thrown by a repetition when the runner already recorded the test's failure without an exception
 * (for example a failed `expect.soft` in Vitest). The test fails with the errors the runner holds;
 * leakspec adds nothing.
 */
export class TestAlreadyFailed extends Error {
  override readonly name = 'TestAlreadyFailed'
  constructor() {
    super('leakspec: the test recorded a failure during this repetition')
  }
}

/** How many hooks each repetition runs. */
export interface HookCounts {
  /** beforeEach hooks, over the whole describe chain. */
  readonly beforeEach: number
  /** afterEach hooks, over the whole describe chain. */
  readonly afterEach: number
}

/** What the runner adapter hands to {@link runHookCheck}. */
export interface HookCheckPlan {
  /** The test's full name as the runner shows it. */
  readonly testName: string
  /** Performs one repetition; rejects with the test's (or a hook's) error. */
  readonly repeat: () => Promise<void>
  /** Resolved check options (see {@link resolveHookOptions}). */
  readonly options: ResolvedLeakOptions
  /** The hooks a repetition runs (for messages and the record). */
  readonly hooks: HookCounts
  /** How the runner's timeout applies to the wrapped test, in words (for messages and the record). */
  readonly timeoutNote: string
  /** Set when the test was declared concurrent and is run serially for the check. */
  readonly serialized?: boolean
  /**
   * Let the hook choose `callsPerRound` from the pre-warm timing (see {@link hookCallsPerRound});
   * `false` when the user set it. @default true
   */
  readonly chooseCallsPerRound?: boolean
}

/** The outcome of a wrapped test, as stored in Vitest's `task.meta.leakspecHook.result` and Jest's sidecar file. */
export interface HookRecord {
  /**
   * `clean` / `leak` / `inconclusive`: the verdict; `failed`: the test itself failed (on its first
   * repetition, or on a later one: see `failedAt`); `error`: the check could not run (for example a
   * repetition never settled).
   */
  readonly status: 'clean' | 'leak' | 'inconclusive' | 'failed' | 'error'
  /** Repetitions run (each: beforeEach hooks, the test, afterEach hooks). */
  readonly repetitions: number
  /** Hooks per repetition. */
  readonly hooks: HookCounts
  /** Per-repetition time limit used by the check (its `callTimeout`), in milliseconds. */
  readonly repetitionTimeoutMs: number
  /** How the runner's timeout was applied or extended, in words. */
  readonly timeoutNote: string
  /** `true` when a concurrent test was run serially for the check. */
  readonly serialized: boolean
  /** The repetition (1-based) that failed, for `failed` and `error`. */
  readonly failedAt?: number
  /** The engine's figures, when the check reached a verdict. */
  readonly check?: LeakCheckRecord
}

/** What {@link runHookCheck} resolves to. */
export interface HookCheckResult {
  /** The engine's report, when the check reached a verdict. */
  readonly report?: LeakReport
  /**
   * What the test must fail with; `undefined` when it passes (clean) or when the runner already
   * holds the failure (see {@link TestAlreadyFailed}); `failed` tells the two apart.
   */
  readonly error?: unknown
  /** Whether the test must end failed. */
  readonly failed: boolean
  readonly record: HookRecord
}

/**
 * Resolves the options of one wrapped test: the project defaults, the hook's own defaults for
 * `floor` and `timeBudget`, a per-repetition time limit (`callTimeout`) no smaller than the test's
 * own timeout plus its hooks', and the test's options.
 * @param base the project defaults
 * @param perTest options given to `leakTest` (validated here)
 * @param repetitionTimeout the test's timeout plus its hooks' timeouts, in milliseconds (0 or
 *   non-finite: no runner limit)
 * @param projectOptions the project defaults as the user wrote them: `floor` and `timeBudget` they
 *   leave out are {@link HOOK_FLOOR} and {@link HOOK_TIME_BUDGET} (unless the test sets them)
 * @throws {TypeError} for invalid per-test options
 */
export function resolveHookOptions(
  base: ResolvedLeakOptions,
  perTest: LeakOptions | undefined,
  repetitionTimeout: number,
  where: string,
  projectOptions?: LeakOptions,
): ResolvedLeakOptions {
  const hookDefaults: { floor?: number; timeBudget?: number; callTimeout?: number } = {}
  if (projectOptions?.floor === undefined && base.floor < HOOK_FLOOR) hookDefaults.floor = HOOK_FLOOR
  if (projectOptions?.timeBudget === undefined && base.timeBudget < HOOK_TIME_BUDGET) {
    hookDefaults.timeBudget = HOOK_TIME_BUDGET
  }
  if (Number.isFinite(repetitionTimeout) && repetitionTimeout > base.callTimeout) {
    hookDefaults.callTimeout = Math.min(Math.ceil(repetitionTimeout), MAX_CALL_TIMEOUT)
  }
  return resolveOptions(perTest, resolveOptions(hookDefaults, base, where), where)
}

/**
 * The longest a whole check can take, in milliseconds: the time budget plus room for the
 * calibration, warm-up and reading calls that run before the budget is first consulted (each up to
 * `callTimeout`). Jest applies one timeout to the whole wrapped test, so the environment raises the
 * test's timeout to this.
 */
export function wholeCheckTimeLimit(options: ResolvedLeakOptions): number {
  return Math.min(options.timeBudget + 16 * options.callTimeout, 2 ** 31 - 1)
}

/** Pre-warming runs repetitions in chunks of this many. */
const PRE_WARM_CHUNK = 8
/** Pre-warming stops after this many repetitions at most. */
export const PRE_WARM_MAX_REPETITIONS = 256
/** Pre-warming stops after this much time at most, in milliseconds. */
const PRE_WARM_MAX_MS = 1000

class PreWarmFailure extends Error {
  readonly call: number
  constructor(call: number, cause: unknown) {
    super(`leakspec: repetition ${call} failed`, { cause })
    this.call = call
  }
}

/**
 * Runs repetitions before the engine calibrates, until their time per repetition has settled: a
 * repetition runs far more cold code than a typical checked function (the runner's hook, timeout and
 * expect machinery), and calibrated cold (measured: 3–6 ms per repetition for the first test of a
 * Vitest 5 file), the engine picks rounds of two or three calls, where per-round noise of a few
 * kilobytes reads as hundreds of bytes per call. Chunks of {@link PRE_WARM_CHUNK}; stops when a
 * chunk is no more than 25 % slower than the one before and at least two chunks ran, or after
 * {@link PRE_WARM_MAX_REPETITIONS} repetitions or {@link PRE_WARM_MAX_MS}.
 * @returns the number of repetitions run
 */
async function preWarm(repeat: () => Promise<void>): Promise<{ repetitions: number; msPerRepetition: number }> {
  const started = now()
  let call = 0
  let previous = Infinity
  for (let chunk = 1; call < PRE_WARM_MAX_REPETITIONS; chunk++) {
    const chunkStarted = now()
    for (let i = 0; i < PRE_WARM_CHUNK; i++) {
      call++
      try {
        await repeat()
      } catch (error) {
        throw new PreWarmFailure(call, error)
      }
    }
    const perCall = (now() - chunkStarted) / PRE_WARM_CHUNK
    if ((chunk >= 2 && perCall <= previous * 1.25) || now() - started > PRE_WARM_MAX_MS) {
      previous = perCall
      break
    }
    previous = perCall
  }
  return { repetitions: call, msPerRepetition: previous }
}

/** Fewest calls in the first round the hook chooses. */
const MIN_HOOK_CALLS_PER_ROUND = 4

/**
 * Calls in the first round for a wrapped test, from the warm time of a repetition: the largest power
 * of two (from {@link MIN_HOOK_CALLS_PER_ROUND} to 32) whose calls fit a quarter of the time budget. The
 * engine's own calibration times cold calls and subtracts the planned GCs, and in runner workers,
 * where a forced GC costs 50–200 ms, it chose one or two calls per round; the heap of a runner's
 * worker also moves by some kilobytes per round whatever the calls, and divided by one or two
 * calls that read as hundreds of bytes per call (false leaks in the Jest 30 and Vitest 5 fixtures).
 * A test too slow for this many calls runs out of budget and is reported `inconclusive`.
 */
export function hookCallsPerRound(options: ResolvedLeakOptions, msPerRepetition: number): number {
  const callsPerL0 = options.warmup + 2 ** options.rounds - 1 + options.rounds + 1
  // A quarter of the budget for the calls: the rest is for the forced GCs (costly in runner workers)
  // and for repetitions that run slower than the warm ones timed here (a loaded CI machine).
  const fit = Math.min(options.timeBudget, HOOK_TIME_BUDGET) / 4 / (callsPerL0 * Math.max(msPerRepetition, 1e-3))
  let calls = MIN_HOOK_CALLS_PER_ROUND
  while (calls * 2 <= Math.min(fit, 32)) calls *= 2
  return calls
}

/** The first line of every message about a wrapped test. */
export function hookHint(plan: Pick<HookCheckPlan, 'testName' | 'hooks' | 'timeoutNote'>): string {
  return (
    `leakspec: leak check of test "${plan.testName}" (each call is one repetition: ` +
    `${plan.hooks.beforeEach} beforeEach hook(s), the test, ${plan.hooks.afterEach} afterEach hook(s); ${plan.timeoutNote})`
  )
}

/**
 * Runs the check over the plan's repetitions.
 *
 * - The first repetition failing is the test's own failure: the test fails with that very error,
 *   never with a leak verdict.
 * - A later repetition failing fails the test with a `LeakCheckError` (`FN_THREW` / `FN_REJECTED`)
 *   that names the repetition and carries the test's error as `cause`.
 * - A leak fails with a `LeakError` in the `toLeak` message format; `inconclusive` fails with a
 *   `LeakCheckError` (`INCONCLUSIVE` / `GC_UNAVAILABLE`); `clean` passes.
 *
 * Never rejects for the test's own errors; they come back in `error`.
 */
export async function runHookCheck(plan: HookCheckPlan): Promise<HookCheckResult> {
  let repetitions = 0
  const repeat = (): Promise<void> => {
    repetitions++
    return plan.repeat()
  }
  const hint = hookHint(plan)
  const base = {
    hooks: plan.hooks,
    repetitionTimeoutMs: plan.options.callTimeout,
    timeoutNote: plan.timeoutNote,
    serialized: plan.serialized === true,
  }
  let report: LeakReport
  let warmedUp = 0
  try {
    const warm = await preWarm(repeat)
    warmedUp = warm.repetitions
    const options =
      plan.chooseCallsPerRound === false || plan.options.callsPerRound !== 'auto'
        ? plan.options
        : resolveOptions({ callsPerRound: hookCallsPerRound(plan.options, warm.msPerRepetition) }, plan.options)
    report = await runCheck(repeat, options)
  } catch (caught) {
    let error = caught
    if (error instanceof PreWarmFailure) {
      error = new LeakCheckError('FN_REJECTED', error.message, { cause: error.cause, call: error.call - warmedUp })
    }
    if (!(error instanceof LeakCheckError)) {
      return { error, failed: true, record: { ...base, status: 'error', repetitions } }
    }
    // The engine numbers its own calls; the repetitions before it are the pre-warm's.
    const call = error.call === undefined ? repetitions : error.call + warmedUp
    if (error.code === 'FN_THREW' || error.code === 'FN_REJECTED') {
      const cause = error.cause
      const record: HookRecord = { ...base, status: 'failed', repetitions, failedAt: call }
      if (cause instanceof TestAlreadyFailed) return { failed: true, record }
      if (call === 1) return { error: cause, failed: true, record }
      return {
        error: new LeakCheckError(
          error.code,
          `leakspec: test "${plan.testName}" passed ${call - 1} repetition(s) of its leak check, then failed on ` +
            `repetition ${call}: ${describeError(cause)}. This is not a leak verdict: a test run as a leak check must ` +
            'pass every time it runs, and this one may depend on state left by an earlier run (the error is the cause).',
          { cause, call },
        ),
        failed: true,
        record,
      }
    }
    if (error.code === 'CALL_TIMEOUT') {
      return {
        error: new LeakCheckError(
          'CALL_TIMEOUT',
          `leakspec: repetition ${call} of test "${plan.testName}" did not finish within ${plan.options.callTimeout} ms ` +
            `(the test's timeout plus its hooks'). This is not a leak verdict. ` +
            'Fix: make every run of the test settle, or raise its timeout (or the `callTimeout` option).',
          { call },
        ),
        failed: true,
        record: { ...base, status: 'error', repetitions, failedAt: call },
      }
    }
    return { error, failed: true, record: { ...base, status: 'error', repetitions } }
  }
  const record: HookRecord = { ...base, status: report.verdict, repetitions, check: toRecord(report) }
  if (report.verdict === 'leak') return { report, error: new LeakError(formatLeak(report, hint), report), failed: true, record }
  if (report.verdict === 'inconclusive') {
    return {
      report,
      error: new LeakCheckError(
        report.cause === 'gc-unavailable' ? 'GC_UNAVAILABLE' : 'INCONCLUSIVE',
        formatInconclusive(report, hint),
        { report },
      ),
      failed: true,
      record,
    }
  }
  return { report, failed: false, record }
}
