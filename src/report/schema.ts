/**
 * The schema of `leakspec-report.json` (version 1): one file per run (or per merged set of shard
 * runs) listing every test that ran a leak check, with each check's round-by-round series, verdict
 * and diagnosis text.
 *
 * Compatibility: `schemaVersion` changes only when a field is removed or changes meaning; new
 * optional fields may appear in any version. A reader should ignore fields it does not know.
 *
 * Privacy: a report holds numbers, test and file names, signal keys (`handles:Timeout`),
 * constructor and property names and stack frames. It never holds heap contents (string values,
 * object contents): the diagnosis names kinds of objects, never their values.
 */
import type { KnownLeakMatch } from '../core/known.js'

/** The version of the schema this build writes and reads. */
export const REPORT_SCHEMA_VERSION = 1

/** The name of the JSON report file. */
export const REPORT_JSON_FILE = 'leakspec-report.json'

/** The name of the HTML report file. */
export const REPORT_HTML_FILE = 'leakspec-report.html'

/** The default report directory, relative to the runner's root directory. */
export const DEFAULT_REPORT_DIR = 'leakspec-report'

/** Environment variable that overrides the report directory (both runners and `leakspec merge`). */
export const REPORT_DIR_ENV = 'LEAKSPEC_REPORT_DIR'

/** A check's verdict: `clean`, `leak` or `inconclusive` (no verdict could be reached). */
export type ReportVerdict = 'clean' | 'leak' | 'inconclusive'

/** One doubling round of a check. */
export interface ReportRound {
  /** 1-based round number. */
  readonly round: number
  /** Calls in this round. */
  readonly calls: number
  /** Whether the round was one of the counted (deciding) rounds; `false` when unknown (old records). */
  readonly counted: boolean
  /** Heap growth per call in this round, bytes per call. */
  readonly heapPerCall: number
  /** Net change of each count signal in this round (only keys that changed), items. */
  readonly counts: Readonly<Record<string, number>>
}

/** The outcome of one signal of a check. */
export interface ReportSignal {
  /** `heap`, or `<probe>:<kind>` such as `handles:Timeout`, `listeners:abort`. */
  readonly key: string
  /** `bytes` for the heap, `count` for integer signals. */
  readonly unit: 'bytes' | 'count'
  /** `leak`: grew in each of the last counted rounds; `clean`: a counted round did not grow. */
  readonly status: 'clean' | 'leak' | 'undecided'
  /** Growth per call in the deciding rounds (bytes or items per call); 0 when clean. */
  readonly perCall: number
  /** Whether the evidence was marginal (near the floor, or falling across rounds). */
  readonly marginal: boolean
}

/** One leak check: a `toLeak` / `assertNoLeaks` call, or a test run as a leak check (the test hook). */
export interface ReportCheck {
  /** `matcher`: an `expect(fn).toLeak()` call; `hook`: the whole test run as a leak check. */
  readonly source: 'matcher' | 'hook'
  readonly verdict: ReportVerdict
  /** Why, in words (for example `grew in each of the last 3 rounds`). */
  readonly reason: string
  /** Why an inconclusive check has no verdict: `gc-unavailable` or `time-budget`. */
  readonly cause?: string
  /** Heap floor, bytes per call (growth below it in a counted round is clean). */
  readonly floor?: number
  /** Calls of the function in total (calibration and warm-up included). */
  readonly calls: number
  /** Full GCs forced. */
  readonly gcs: number
  /** Wall-clock time of the check, milliseconds. */
  readonly durationMs: number
  /** Calls in round 1. */
  readonly callsPerRound?: number
  /** How GC was forced: `exposed`, `fallback`, or `unavailable`. */
  readonly gc?: string
  /** Whether the function returned promises. */
  readonly async?: boolean
  /** Heap growth per call the verdict rests on, bytes per call: the leak's estimate, else the last round's. */
  readonly heapPerCall: number
  /** Handles and file descriptors left per call (sum over kinds that leaked), items per call. */
  readonly handlesPerCall: number
  /** Listeners left per call (sum over events that leaked), items per call. */
  readonly listenersPerCall: number
  /** The signals that leaked (empty unless `verdict` is `leak`). */
  readonly leaks: ReadonlyArray<{ readonly key: string; readonly perCall: number }>
  /** Every signal decided or watched (absent in records from older leakspec versions). */
  readonly signals: readonly ReportSignal[]
  /** Round by round series (warm-up excluded); empty when the count schedule decided before the rounds. */
  readonly rounds: readonly ReportRound[]
  /** What decided a leak before or without the heap rounds: the count schedule, or the counts before a failed call. */
  readonly decidedBy?: 'counts' | 'failure'
  /** The count schedule's readings: calls at each checkpoint, each count relative to the baseline (items). */
  readonly checkpoints?: { readonly calls: readonly number[]; readonly counts: Readonly<Record<string, readonly number[]>> }
  /** The call that failed after steady count growth (number, how, and the error in one sentence). */
  readonly failure?: { readonly call: number; readonly code: string; readonly message: string }
  /** Resources leakspec closed after the verdict so the next test could open and connect again, by signal key. */
  readonly released?: Readonly<Record<string, number>>
  /** The diagnosis text of a leak: what leaked, who holds it, where it was allocated. */
  readonly diagnosis?: string
  /**
   * Known leaks that explained growth of a leaking signal (reported, not failed): package, version,
   * link and what each explained. A check whose every leak they explain is `clean`.
   */
  readonly known?: readonly ReportKnownLeak[]
  /** The user's ignore rules and known-leak entries in force in this check, and which matched. */
  readonly rules?: { readonly configured: readonly string[]; readonly matched: readonly string[] }
}

/**
 * A known leak that explained growth in a check, shown as `known leak in <package>@<version> (<link>)`:
 * the same record the check's report holds (`KnownLeakMatch`, every field documented there).
 */
export type ReportKnownLeak = KnownLeakMatch

/** A user's ignore rule or known-leak entry that matched nothing in any check of the run (a stale entry?). */
export interface ReportUnmatchedRule {
  /** The rule as written: `ignoreTypes: 'Timeout'`, `knownLeaks: 'legacy-cache'`. */
  readonly rule: string
  /** In how many checks it was in force. */
  readonly checks: number
}

/** How a test run as a leak check (the test hook) ended. */
export interface ReportHook {
  /** `clean` / `leak` / `inconclusive`, or `failed` (the test itself failed) / `error` (the check could not run). */
  readonly status: 'clean' | 'leak' | 'inconclusive' | 'failed' | 'error'
  /** Repetitions of the test run. */
  readonly repetitions: number
  /** The repetition (1-based) that failed, for `failed` and `error`. */
  readonly failedAt?: number
}

/** A test that ran at least one leak check. */
export interface ReportTest {
  /** Test file, relative to the run's root directory, with `/` separators. */
  readonly file: string
  /** Describe titles and the test title, outermost first. */
  readonly titlePath: readonly string[]
  /** The titles joined with ` > `. */
  readonly name: string
  /** The Vitest project, when the run had several. */
  readonly project?: string
  /** How the test ended in the runner. */
  readonly status: 'passed' | 'failed' | 'skipped' | 'unknown'
  /** The test's duration as the runner measured it, milliseconds. */
  readonly durationMs?: number
  /** The shard that ran it (`1/2`), when the run was sharded. */
  readonly shard?: string
  /** Set when the whole test ran as a leak check. */
  readonly hook?: ReportHook
  /** The checks, in the order they ran. */
  readonly checks: readonly ReportCheck[]
}

/** Totals over a report. */
export interface ReportSummary {
  /** Tests that ran at least one leak check. */
  readonly tests: number
  /** Checks in all. */
  readonly checks: number
  readonly clean: number
  readonly leak: number
  readonly inconclusive: number
  /** Tests run as leak checks that failed or errored before a verdict. */
  readonly failedBeforeVerdict: number
}

/** Where a report's data came from (one entry per run; several after a merge). */
export interface ReportSource {
  /** `vitest` or `jest`. */
  readonly runner: string
  /** The runner's version, when known. */
  readonly runnerVersion?: string
  /** The shard, `index/count`, when the run was sharded. */
  readonly shard?: string
  /** When that run's report was made (ISO 8601). */
  readonly createdAt: string
}

/** The whole file. */
export interface LeakspecReport {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION
  /** The leakspec version that wrote the file. */
  readonly leakspecVersion: string
  /** When the file was written (ISO 8601). */
  readonly createdAt: string
  /** The runs the data came from. */
  readonly sources: readonly ReportSource[]
  readonly summary: ReportSummary
  /** Tests with leak checks: failing ones first, then by file and name. */
  readonly tests: readonly ReportTest[]
  /**
   * The user's ignore rules and known-leak entries that matched nothing in any check of the run, so
   * stale entries are noticed (leakspec's built-in known leaks are not listed). Absent when none.
   */
  readonly unmatchedRules?: readonly ReportUnmatchedRule[]
}
