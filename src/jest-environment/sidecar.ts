/**
 * The sidecar file: how the leakspec Jest environment hands the outcome of wrapped tests to a
 * reporter in Jest's parent process (Jest has no per-test metadata channel).
 *
 * One JSON file per test file, written in the environment's `teardown()` (which completes before
 * Jest reports the file), at `<dir>/<first 16 hex digits of sha1(testPath)>.json`, where `<dir>` is
 * `testEnvironmentOptions.leakspec.resultsDir`, else `$LEAKSPEC_JEST_RESULTS_DIR`, else
 * `<cacheDirectory>/leakspec`. A stale file is removed in `setup()`; the file only exists when the
 * test file ran at least one leak-checked test.
 */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { HookRecord } from '../hook/check.js'

/** Environment variable naming the sidecar directory. */
export const SIDECAR_DIR_ENV = 'LEAKSPEC_JEST_RESULTS_DIR'

/** One wrapped test in the sidecar file. */
export interface SidecarTest {
  /** Describe titles and the test title joined by spaces (Jest's `fullName`). */
  readonly fullName: string
  /** Describe titles, outermost first. */
  readonly ancestorTitles: readonly string[]
  /** The test's own title. */
  readonly title: string
  /** How the test ended in Jest. */
  readonly status: 'passed' | 'failed'
  /** The leak check: verdict (`status`), repetitions, hooks, timeouts and engine figures. */
  readonly leakspec: HookRecord
}

/** A test selected by the file globs or `LEAKSPEC=all` that was not run as a leak check. */
export interface SidecarSkipped {
  readonly fullName: string
  /** Why, in words (for example `test.concurrent`). */
  readonly reason: string
}

/** The content of a sidecar file. */
export interface SidecarFile {
  /** Format version; 1. */
  readonly version: 1
  /** Absolute path of the test file (Jest's `testFilePath`). */
  readonly testPath: string
  readonly tests: readonly SidecarTest[]
  readonly skipped: readonly SidecarSkipped[]
}

/**
 * Path of the sidecar file of a test file.
 * @param dir the sidecar directory
 * @param testPath absolute path of the test file, as Jest reports it (`testFilePath`)
 */
export function sidecarPath(dir: string, testPath: string): string {
  return join(dir, `${createHash('sha1').update(testPath).digest('hex').slice(0, 16)}.json`)
}
