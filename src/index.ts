/**
 * `leakspec`: leak assertions for unit tests, runner-neutral.
 */
export { measureLeaks, assertNoLeaks } from './check.js'
export { LeakError, LeakCheckError, type LeakCheckErrorCode } from './core/errors.js'
export { DEFAULT_OPTIONS, type LeakOptions, type ResolvedLeakOptions } from './core/options.js'
export type {
  LeakReport,
  CleanReport,
  LeakFoundReport,
  InconclusiveReport,
  RoundRecord,
  SignalSummary,
  LeakSeries,
  Verdict,
} from './core/report.js'
export type { CountProbe } from './core/probes/probe.js'
export { toLeak, matchers, type MatcherContextLike, type ToLeakResult, type LeakCheckRecord, type LeakspecTaskMeta } from './matchers/toLeak.js'
export { assertNoPendingChecks } from './matchers/guard.js'
export { toBeCollected, type ToBeCollectedResult } from './matchers/toBeCollected.js'
export { watch, type WatchHandle } from './diagnose/watch.js'
export {
  diagnose,
  type Diagnosis,
  type DiagnoseOptions,
  type LeakedKind,
  type AllocationSite,
} from './diagnose/diagnose.js'
export { formatDiagnosis } from './diagnose/format.js'
export type { StackFrame } from './diagnose/frames.js'
export type { PathStep } from './diagnose/describe.js'
export {
  BUILTIN_KNOWN_LEAKS,
  type KnownLeak,
  type KnownLeakMatch,
  type KnownLeakPattern,
  type KnownLeakRemainder,
} from './known/registry.js'
