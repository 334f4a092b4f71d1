/**
 * The runner-neutral API: `measureLeaks` (a report) and `assertNoLeaks` (throws on a leak).
 */
import { LeakCheckError, LeakError } from './core/errors.js'
import { describeValue, resolveOptions, type LeakOptions, type ResolvedLeakOptions } from './core/options.js'
import type { LeakReport } from './core/report.js'
import { ResourceLedger } from './core/release.js'
import { runCheck, type CheckLimits, type CheckToken } from './core/sampler.js'
import { withDiagnosis } from './diagnose/diagnose.js'
import { explainResourceLeaks } from './diagnose/resources.js'
import { applyKnownLeaks } from './known/apply.js'
import { formatInconclusive, formatLeak } from './message/format.js'

/** Throws the `TypeError` for a receiver that is not a function. */
export function assertFunction(fn: unknown, where: string): asserts fn is () => unknown {
  if (typeof fn !== 'function') {
    throw new TypeError(
      `leakspec: ${where} needs a function to call repeatedly; received ${describeValue(fn)}. ` +
        'Fix: wrap the code in a function, for example `() => client.request(\'/ping\')`.',
    )
  }
}

/**
 * Runs a check with already resolved options (used by the matchers too). After a `leak` verdict on a
 * handle, fd or listener signal, a short diagnosis pass adds their creation stacks (`report.stacks`).
 */
export async function measureResolved(
  fn: () => unknown,
  options: ResolvedLeakOptions,
  token?: CheckToken,
  limits?: CheckLimits,
  ledger?: ResourceLedger,
): Promise<LeakReport> {
  const report = await runCheck(fn, options, [], token, limits)
  const explained = await explainResourceLeaks(fn, report)
  return ledger === undefined ? explained : ledger.release(explained)
}

/**
 * Runs `body` with a {@link ResourceLedger} when the `release` option is on, and stops it afterwards.
 * `body` releases through the ledger (after the check and again after a diagnosis).
 */
export async function withLedger<T>(options: ResolvedLeakOptions, body: (ledger: ResourceLedger | undefined) => Promise<T>): Promise<T> {
  const ledger = options.release ? new ResourceLedger() : undefined
  try {
    return await body(ledger)
  } finally {
    ledger?.stop()
  }
}

/**
 * Calls `fn` repeatedly in doubling rounds, forcing GC between rounds, and decides whether each call
 * leaves memory or handles behind.
 *
 * @param fn the code to check; may return a promise, which is awaited before the next call
 * @param options see {@link LeakOptions}; every field has a default
 * @returns the report; `verdict` is `'clean'`, `'leak'` or `'inconclusive'` (with `reason`)
 * @throws {TypeError} when `fn` is not a function or an option is invalid
 * @throws {LeakCheckError} when `fn` throws, rejects or never settles, or another check is running
 * @example
 * const report = await measureLeaks(() => parser.parse(doc))
 * if (report.verdict === 'leak') console.log(report.leaks)
 */
export async function measureLeaks(fn: () => unknown, options?: LeakOptions): Promise<LeakReport> {
  assertFunction(fn, 'measureLeaks(fn)')
  const resolved = resolveOptions(options, undefined, 'measureLeaks')
  return withLedger(resolved, (ledger) => measureResolved(fn, resolved, undefined, undefined, ledger))
}

/**
 * Like {@link measureLeaks}, but throws when the function leaks, with the same message `toLeak` prints.
 *
 * @returns the clean report (also when known leaks explain every leaking signal: `report.known` lists them)
 * @throws {LeakError} when a signal grew in each of the counted rounds (the message holds the evidence)
 * @throws {LeakCheckError} when no verdict could be reached (`code` says why) or `fn` failed
 * @throws {TypeError} when `fn` is not a function or an option is invalid
 * @example
 * test('parse does not leak', async () => {
 *   await assertNoLeaks(() => parser.parse(doc))
 * })
 */
export async function assertNoLeaks(fn: () => unknown, options?: LeakOptions): Promise<LeakReport> {
  assertFunction(fn, 'assertNoLeaks(fn)')
  const resolved = resolveOptions(options, undefined, 'assertNoLeaks')
  const hint = 'assertNoLeaks(fn)'
  const report = await withLedger(resolved, async (ledger) => {
    const measured = await measureResolved(fn, resolved, undefined, undefined, ledger)
    if (measured.verdict !== 'leak') return measured
    const diagnosed = await withDiagnosis(fn, measured, resolved)
    // Known leaks are matched on the diagnosis: a leak they explain entirely resolves as clean.
    return applyKnownLeaks(ledger === undefined ? diagnosed : await ledger.release(diagnosed))
  })
  if (report.verdict === 'leak') throw new LeakError(formatLeak(report, hint), report)
  if (report.verdict === 'inconclusive') {
    throw new LeakCheckError(
      report.cause === 'gc-unavailable' ? 'GC_UNAVAILABLE' : 'INCONCLUSIVE',
      formatInconclusive(report, hint),
      { report },
    )
  }
  return report
}
