/**
 * The matcher sidecar file: how `toLeak` checks in Jest test files (`leakspec/jest`) reach the
 * reporter in Jest's parent process. Jest has no per-test metadata channel, so the setup entry
 * rewrites one small JSON file per test file after each check, atomically, at
 * `<dir>/<first 16 hex digits of sha1(testPath)>.matchers.json`, where `<dir>` is
 * `$LEAKSPEC_JEST_RESULTS_DIR`. The `leakspec/jest-reporter` sets that variable (to a fresh
 * temporary directory, unless it is already set) before Jest starts its workers; without the
 * reporter nothing is written.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { LeakCheckRecord } from '../matchers/toLeak.js'
import { writeFileAtomic } from '../report/atomic.js'

/** Environment variable naming the directory of the Jest sidecar files (shared with the environment). */
export const RESULTS_DIR_ENV = 'LEAKSPEC_JEST_RESULTS_DIR'

/** `kind` of a matcher sidecar file. */
export const MATCHER_FILE_KIND = 'leakspec-jest-matchers'

/** The checks of one test. */
export interface MatcherFileTest {
  /** Jest's `currentTestName`: describe titles and the test title joined by spaces. */
  readonly fullName: string
  readonly checks: readonly LeakCheckRecord[]
}

/** The content of a matcher sidecar file. */
export interface MatcherFile {
  readonly kind: typeof MATCHER_FILE_KIND
  /** Format version; 1. */
  readonly version: 1
  /** Absolute path of the test file. */
  readonly testPath: string
  readonly tests: readonly MatcherFileTest[]
}

/** Path of the matcher sidecar file of a test file. */
export function matcherFilePath(dir: string, testPath: string): string {
  return join(dir, `${createHash('sha1').update(testPath).digest('hex').slice(0, 16)}.matchers.json`)
}

/** Records of the current test file, kept per process (each Jest test file has its own module registry). */
const files = new Map<string, Map<string, LeakCheckRecord[]>>()

/**
 * Adds a check record of the test `fullName` in `testPath` and rewrites the file. Does nothing when
 * `$LEAKSPEC_JEST_RESULTS_DIR` is not set (no reporter asked for records). Never throws: a record
 * that cannot be written must not fail the test.
 * @returns the path written, or `undefined`
 */
export function addMatcherRecord(testPath: string | undefined, fullName: string | undefined, record: LeakCheckRecord): string | undefined {
  const dir = process.env[RESULTS_DIR_ENV]
  if (!dir || !testPath) return undefined
  try {
    let tests = files.get(testPath)
    if (!tests) files.set(testPath, (tests = new Map()))
    const name = fullName ?? ''
    const list = tests.get(name) ?? []
    list.push(record)
    tests.set(name, list)
    const file: MatcherFile = {
      kind: MATCHER_FILE_KIND,
      version: 1,
      testPath,
      tests: [...tests].map(([testName, checks]) => ({ fullName: testName, checks })),
    }
    const path = matcherFilePath(dir, testPath)
    writeFileAtomic(path, `${JSON.stringify(file)}\n`)
    return path
  } catch {
    return undefined
  }
}
