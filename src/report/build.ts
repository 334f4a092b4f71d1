/**
 * Builds a {@link LeakspecReport} from what the runners hand over: the compact check records
 * (`task.meta.leakspec` in Vitest, sidecar files in Jest) and the test hook's records.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HookRecord } from '../hook/check.js'
import type { LeakCheckRecord } from '../matchers/toLeak.js'
import {
  REPORT_SCHEMA_VERSION,
  type LeakspecReport,
  type ReportCheck,
  type ReportHook,
  type ReportRound,
  type ReportSource,
  type ReportSummary,
  type ReportTest,
  type ReportUnmatchedRule,
} from './schema.js'

/** What a runner adapter knows about one test. */
export interface TestInput {
  readonly file: string
  readonly titlePath: readonly string[]
  readonly project?: string
  readonly status: ReportTest['status']
  readonly durationMs?: number
  readonly shard?: string
  /** Records of `toLeak` checks (and of the hook's check, which the hook also appends there). */
  readonly checks?: readonly LeakCheckRecord[]
  /** The test hook's record, when the whole test ran as a leak check. */
  readonly hook?: HookRecord
}

const RESOURCE_FAMILIES = new Set(['handles', 'fds', 'resources'])

function family(key: string): string {
  const colon = key.indexOf(':')
  return colon === -1 ? key : key.slice(0, colon)
}

function finite(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback
}

function roundsOf(record: LeakCheckRecord): ReportRound[] {
  if (record.rounds) {
    return record.rounds.map((round) => ({
      round: round.round,
      calls: round.calls,
      counted: round.counted,
      heapPerCall: finite(round.heapPerCall),
      counts: { ...round.counts },
    }))
  }
  // Records from before reports existed carry only the heap series.
  return record.heapPerCall.map((heapPerCall, index) => ({
    round: index + 1,
    calls: record.roundCalls[index] ?? 0,
    counted: false,
    heapPerCall: finite(heapPerCall),
    counts: {},
  }))
}

/**
 * Turns a check record into the report's form.
 * @param source `hook` when the record is the test hook's own check
 */
export function toReportCheck(record: LeakCheckRecord, source: ReportCheck['source']): ReportCheck {
  const rounds = roundsOf(record)
  const signals = (record.signals ?? []).map((signal) => ({ ...signal }))
  const leaks = record.leaks.map((leak) => ({ key: leak.key, perCall: leak.perCall }))
  const heapLeak = leaks.find((leak) => leak.key === 'heap')
  const lastCounted = [...rounds].reverse().find((round) => round.counted) ?? rounds[rounds.length - 1]
  const perCall = (accept: (key: string) => boolean): number =>
    leaks.filter((leak) => leak.key !== 'heap' && accept(family(leak.key))).reduce((sum, leak) => sum + leak.perCall, 0)
  return {
    source,
    verdict: record.verdict,
    reason: record.reason,
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    ...(record.floor !== undefined ? { floor: record.floor } : {}),
    calls: record.calls,
    gcs: record.gcs,
    durationMs: record.durationMs,
    ...(record.callsPerRound !== undefined ? { callsPerRound: record.callsPerRound } : {}),
    ...(record.gc !== undefined ? { gc: record.gc } : {}),
    ...(record.async !== undefined ? { async: record.async } : {}),
    heapPerCall: heapLeak ? heapLeak.perCall : finite(lastCounted?.heapPerCall),
    handlesPerCall: perCall((name) => RESOURCE_FAMILIES.has(name)),
    listenersPerCall: perCall((name) => name === 'listeners'),
    leaks,
    signals,
    rounds,
    ...(record.decidedBy !== undefined ? { decidedBy: record.decidedBy } : {}),
    ...(record.checkpoints !== undefined ? { checkpoints: record.checkpoints } : {}),
    ...(record.failure !== undefined ? { failure: record.failure } : {}),
    ...(record.released !== undefined ? { released: record.released } : {}),
    ...(record.diagnosis !== undefined ? { diagnosis: record.diagnosis } : {}),
    ...(record.known !== undefined && record.known.length > 0 ? { known: record.known.map((match) => ({ ...match, kinds: match.kinds.map((kind) => ({ ...kind })) })) } : {}),
    ...(record.rules !== undefined ? { rules: { configured: [...record.rules.configured], matched: [...record.rules.matched] } } : {}),
  }
}

function sameCheck(a: LeakCheckRecord, b: LeakCheckRecord): boolean {
  return a.verdict === b.verdict && a.calls === b.calls && a.gcs === b.gcs && a.durationMs === b.durationMs
}

/**
 * Turns what a runner knows about a test into the report's form; `undefined` when the test ran no
 * leak check. The hook's check is also in `checks` (the Vitest runner appends it there); it is
 * reported once, as the hook's.
 */
export function toReportTest(input: TestInput): ReportTest | undefined {
  const hookCheck = input.hook?.check
  const checks: ReportCheck[] = []
  for (const record of input.checks ?? []) {
    if (hookCheck && sameCheck(record, hookCheck)) continue
    checks.push(toReportCheck(record, 'matcher'))
  }
  if (hookCheck) checks.push(toReportCheck(hookCheck, 'hook'))
  if (checks.length === 0 && !input.hook) return undefined
  const hook: ReportHook | undefined = input.hook
    ? {
        status: input.hook.status,
        repetitions: input.hook.repetitions,
        ...(input.hook.failedAt !== undefined ? { failedAt: input.hook.failedAt } : {}),
      }
    : undefined
  return {
    file: input.file.replace(/\\/g, '/'),
    titlePath: [...input.titlePath],
    name: input.titlePath.join(' > '),
    ...(input.project ? { project: input.project } : {}),
    status: input.status,
    ...(input.durationMs !== undefined ? { durationMs: input.durationMs } : {}),
    ...(input.shard !== undefined ? { shard: input.shard } : {}),
    ...(hook ? { hook } : {}),
    checks,
  }
}

/** How bad a test's outcome is, for ordering: 0 leak, 1 hook failure/error, 2 inconclusive, 3 clean. */
export function severity(test: ReportTest): number {
  if (test.checks.some((check) => check.verdict === 'leak')) return 0
  if (test.hook && (test.hook.status === 'failed' || test.hook.status === 'error')) return 1
  if (test.checks.some((check) => check.verdict === 'inconclusive')) return 2
  return 3
}

/** The worst verdict of a test, as one word (`leak`, `failed`, `error`, `inconclusive`, `clean`). */
export function testVerdict(test: ReportTest): string {
  if (test.checks.some((check) => check.verdict === 'leak')) return 'leak'
  if (test.hook && (test.hook.status === 'failed' || test.hook.status === 'error')) return test.hook.status
  if (test.checks.some((check) => check.verdict === 'inconclusive')) return 'inconclusive'
  return 'clean'
}

/** Orders tests: failing ones first, then by file, project and name. */
export function sortTests(tests: readonly ReportTest[]): ReportTest[] {
  return [...tests].sort(
    (a, b) =>
      severity(a) - severity(b) ||
      a.file.localeCompare(b.file) ||
      (a.project ?? '').localeCompare(b.project ?? '') ||
      a.name.localeCompare(b.name),
  )
}

/** Totals over tests. */
export function summarize(tests: readonly ReportTest[]): ReportSummary {
  const checks = tests.flatMap((test) => test.checks)
  return {
    tests: tests.length,
    checks: checks.length,
    clean: checks.filter((check) => check.verdict === 'clean').length,
    leak: checks.filter((check) => check.verdict === 'leak').length,
    inconclusive: checks.filter((check) => check.verdict === 'inconclusive').length,
    failedBeforeVerdict: tests.filter((test) => test.hook && (test.hook.status === 'failed' || test.hook.status === 'error'))
      .length,
  }
}

let version: string | undefined

/** The installed leakspec version (from its package.json), or `0.0.0` when it cannot be found. */
export function leakspecVersion(): string {
  if (version !== undefined) return version
  version = '0.0.0'
  try {
    let dir = dirname(fileURLToPath(import.meta.url))
    for (let depth = 0; depth < 5; depth++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
        if (manifest.name === 'leakspec' && typeof manifest.version === 'string') {
          version = manifest.version
          break
        }
      } catch {
        // no package.json at this level
      }
      dir = dirname(dir)
    }
  } catch {
    // import.meta.url unavailable
  }
  return version
}

/**
 * Builds the report of a run (or of merged runs).
 * @param tests the tests that ran leak checks (any order)
 * @param sources where the data came from
 * @param now the creation time (for tests)
 */
export function buildReport(tests: readonly ReportTest[], sources: readonly ReportSource[], now = new Date()): LeakspecReport {
  const sorted = sortTests(tests)
  const unmatched = unmatchedRules(sorted)
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    leakspecVersion: leakspecVersion(),
    createdAt: now.toISOString(),
    sources: sources.map((source) => ({ ...source })),
    summary: summarize(sorted),
    tests: sorted,
    ...(unmatched.length > 0 ? { unmatchedRules: unmatched } : {}),
  }
}

/** The user's rules that were in force in some check of the run and matched in none, in the order first seen. */
export function unmatchedRules(tests: readonly ReportTest[]): ReportUnmatchedRule[] {
  const inForce = new Map<string, number>()
  const matched = new Set<string>()
  for (const check of tests.flatMap((test) => test.checks)) {
    for (const rule of check.rules?.configured ?? []) inForce.set(rule, (inForce.get(rule) ?? 0) + 1)
    for (const rule of check.rules?.matched ?? []) matched.add(rule)
  }
  return [...inForce].filter(([rule]) => !matched.has(rule)).map(([rule, checks]) => ({ rule, checks }))
}
