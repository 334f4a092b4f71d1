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
export { toLeak, type ToLeakResult, type LeakCheckRecord, type LeakspecTaskMeta } from './matchers/toLeak.js'
export { matchers } from './matchers/matchers.js'
export type { MatcherContextLike } from './matchers/context.js'
export { assertNoPendingChecks } from './matchers/guard.js'
export { toBeCollected, type ToBeCollectedResult } from './matchers/toBeCollected.js'
export { watch, type WatchHandle } from './diagnose/watch.js'
export {
  diagnose,
  type DiagnoseOptions,
} from './diagnose/diagnose.js'
export type {
  AllocationSite,
  Diagnosis,
  LeakedKind,
  PathStep,
  StackFrame,
} from './core/diagnosis.js'
export { formatDiagnosis } from './diagnose/format.js'
export { BUILTIN_KNOWN_LEAKS } from './known/registry.js'
export type { KnownLeak, KnownLeakMatch, KnownLeakPattern, KnownLeakRemainder } from './core/known.js'
