/**
 * Reads the JSON report that Vitest (`--reporter=json --outputFile=…`) and Jest (`--json
 * --outputFile=…`) write; both use the same shape for per-test results.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

/** One test's outcome. */
export interface TestOutcome {
  /** `describe` titles and the test title joined by spaces. */
  readonly fullName: string
  readonly status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled'
  /** Failure texts (message and stack), empty when it passed. */
  readonly failureMessages: readonly string[]
  /** Vitest's `task.meta` (absent in Jest). */
  readonly meta?: Record<string, unknown>
  /** Test file, relative to the run's root. */
  readonly file: string
  /** Duration in milliseconds, when the runner reports it. */
  readonly duration?: number | null
}

/** The parsed report: totals, outcomes by full name, and file-level errors. */
export interface RunReport {
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly numTotalTests: number
  readonly tests: ReadonlyMap<string, TestOutcome>
  /** Errors of whole files (a file that failed to load), keyed by file. */
  readonly fileErrors: ReadonlyMap<string, string>
}

interface RawReport {
  numPassedTests: number
  numFailedTests: number
  numTotalTests: number
  testResults: Array<{
    name: string
    status?: string
    message?: string
    assertionResults: Array<{
      fullName: string
      status: TestOutcome['status']
      failureMessages?: string[] | null
      meta?: Record<string, unknown>
      duration?: number | null
    }>
  }>
}

/**
 * Parses a runner's JSON report.
 * @param file path of the JSON file
 * @param root folder that file names are made relative to
 * @throws {Error} when two tests share a full name (the fixtures must keep names unique)
 */
export function readJsonReport(file: string, root: string): RunReport {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawReport
  const tests = new Map<string, TestOutcome>()
  const fileErrors = new Map<string, string>()
  for (const result of raw.testResults) {
    const name = relative(root, result.name)
    if (result.message) fileErrors.set(name, result.message)
    for (const assertion of result.assertionResults) {
      if (tests.has(assertion.fullName)) throw new Error(`two tests are named "${assertion.fullName}"`)
      tests.set(assertion.fullName, {
        fullName: assertion.fullName,
        status: assertion.status,
        failureMessages: assertion.failureMessages ?? [],
        ...(assertion.meta ? { meta: assertion.meta } : {}),
        file: name,
        duration: assertion.duration ?? null,
      })
    }
  }
  return {
    numPassedTests: raw.numPassedTests,
    numFailedTests: raw.numFailedTests,
    numTotalTests: raw.numTotalTests,
    tests,
    fileErrors,
  }
}

/**
 * The outcome of one test by full name.
 * @throws {Error} listing the known names when there is no such test
 */
export function outcome(report: RunReport, fullName: string): TestOutcome {
  const found = report.tests.get(fullName)
  if (!found) throw new Error(`no test named "${fullName}"; the report has: ${[...report.tests.keys()].join(' | ')}`)
  return found
}
