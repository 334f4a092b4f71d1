/**
 * The leakspec Jest reporter (Jest's parent process), `leakspec/jest-reporter`:
 *
 * ```js
 * // jest.config.js
 * module.exports = { reporters: ['default', 'leakspec/jest-reporter'] }
 * // options: ['leakspec/jest-reporter', { outputDir: 'leakspec-report', html: true }]
 * ```
 *
 * Jest has no per-test metadata channel, so the worker side writes sidecar files that the reporter
 * reads when a test file's result arrives: `leakspec/jest` writes one per test file with the
 * `toLeak` checks (`<hash>.matchers.json`), the leakspec environment one with the tests it ran as
 * leak checks (`<hash>.json`). Both go to `$LEAKSPEC_JEST_RESULTS_DIR`, which the reporter sets to
 * a fresh temporary directory before Jest starts its workers (unless it is already set), and
 * removes when the process exits.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { sidecarPath, type SidecarFile } from '../jest-environment/sidecar.js'
import { wholeSuiteSelected } from '../hook/selection.js'
import { toReportTest, type TestInput } from '../report/build.js'
import { finishRun } from '../report/finish.js'
import { resolveReportOptions, type LeakspecReportOptions, type ResolvedReportOptions } from '../report/options.js'
import { Progress } from '../report/progress.js'
import type { LeakspecReport, ReportTest } from '../report/schema.js'
import { MATCHER_FILE_KIND, matcherFilePath, RESULTS_DIR_ENV, type MatcherFile } from './matcher-file.js'

/** The parts of Jest's global config the reporter reads. */
export interface JestGlobalConfigLike {
  readonly rootDir: string
  readonly shard?: { readonly shardIndex: number; readonly shardCount: number } | null
}

/** The parts of Jest's project config the reporter reads. */
interface JestProjectConfigLike {
  readonly rootDir?: string
  readonly cacheDirectory?: string
  readonly testEnvironment?: string
  readonly testEnvironmentOptions?: Record<string, unknown>
}

/** The parts of Jest's `Test` the reporter reads. */
export interface JestTestLike {
  readonly path: string
  readonly context?: { readonly config?: JestProjectConfigLike }
}

/** The parts of Jest's per-file result the reporter reads. */
export interface JestTestResultLike {
  readonly testFilePath: string
  readonly testResults: ReadonlyArray<{
    readonly fullName: string
    readonly title: string
    readonly ancestorTitles: readonly string[]
    readonly status: string
    readonly duration?: number | null
  }>
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch {
    return undefined
  }
}

function jestVersion(rootDir: string): string | undefined {
  try {
    const load = createRequire(join(rootDir, 'package.json'))
    return (JSON.parse(readFileSync(load.resolve('jest/package.json'), 'utf8')) as { version?: string }).version
  } catch {
    return undefined
  }
}

/**
 * The Jest reporter: after the run, the table of tests that ran leak checks, and
 * `leakspec-report.json` + `leakspec-report.html` in `outputDir`. Silent when no test ran a leak
 * check. A shard (`jest --shard=i/n`) writes `leakspec-report-shard-<i>-of-<n>.json`; merge the
 * shards with `npx leakspec merge`.
 */
export class LeakspecJestReporter {
  readonly #global: JestGlobalConfigLike
  readonly #options: ResolvedReportOptions
  readonly #dir: string
  readonly #ownDir: boolean
  readonly #tests: ReportTest[] = []
  readonly #progress: Progress
  /** The last report built (for tests and tools). */
  lastReport: LeakspecReport | undefined

  /**
   * Jest constructs the reporter with its global config and the options given in `reporters`.
   * @throws {TypeError} for invalid options
   */
  constructor(globalConfig: JestGlobalConfigLike, options?: LeakspecReportOptions) {
    this.#global = globalConfig
    this.#options = resolveReportOptions(options, "reporters: [['leakspec/jest-reporter', options]]")
    const given = process.env[RESULTS_DIR_ENV]
    this.#ownDir = !given
    this.#dir = given || mkdtempSync(join(tmpdir(), 'leakspec-jest-'))
    // Jest starts its workers after the reporters, and they inherit the environment.
    process.env[RESULTS_DIR_ENV] = this.#dir
    if (this.#ownDir) {
      const dir = this.#dir
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    }
    this.#progress = new Progress({
      afterMs: this.#options.progressAfterMs,
      write: (line) => process.stderr.write(`${line}\n`),
    })
  }

  #mayBeHookCheck(test: JestTestLike): boolean {
    if (wholeSuiteSelected()) return true
    return /leakspec/.test(test.context?.config?.testEnvironment ?? '')
  }

  /** A test case started (Jest 29.6+): track it for progress lines when it may be a leak check. */
  onTestCaseStart(test: JestTestLike, info: { readonly fullName: string }): void {
    if (!this.#mayBeHookCheck(test)) return
    this.#progress.start(`${test.path}\u0000${info.fullName}`, `${relative(this.#global.rootDir, test.path)} > ${info.fullName}`)
  }

  /** A test case ended. */
  onTestCaseResult(test: JestTestLike, result: { readonly fullName: string }): void {
    this.#progress.end(`${test.path}\u0000${result.fullName}`)
  }

  /** A test file ended: read its sidecar files. */
  onTestFileResult(test: JestTestLike, result: JestTestResultLike): void {
    this.#tests.push(...this.collectFile(test, result))
  }

  /** Reads the sidecar files of one test file (exported for tests of the reporter). */
  collectFile(test: JestTestLike, result: JestTestResultLike): ReportTest[] {
    const project = test.context?.config ?? {}
    const environmentOptions = project.testEnvironmentOptions?.['leakspec'] as { resultsDir?: string } | undefined
    const environmentDir = environmentOptions?.resultsDir ?? this.#dir
    const sidecar = readJson<SidecarFile>(sidecarPath(environmentDir, result.testFilePath))
    const matchers = readJson<MatcherFile>(matcherFilePath(this.#dir, result.testFilePath))
    const inputs = new Map<string, { checks: TestInput['checks']; hook?: TestInput['hook'] }>()
    if (matchers?.kind === MATCHER_FILE_KIND) {
      for (const entry of matchers.tests) inputs.set(entry.fullName, { checks: entry.checks })
    }
    if (sidecar?.testPath === result.testFilePath) {
      for (const entry of sidecar.tests) {
        const known = inputs.get(entry.fullName)
        inputs.set(entry.fullName, { checks: known?.checks ?? [], hook: entry.leakspec })
      }
    }
    const file = relative(this.#global.rootDir, result.testFilePath)
    const shard = this.#global.shard ? `${this.#global.shard.shardIndex}/${this.#global.shard.shardCount}` : undefined
    const tests: ReportTest[] = []
    for (const [fullName, data] of inputs) {
      const assertion = result.testResults.find((candidate) => candidate.fullName === fullName)
      const built = toReportTest({
        file,
        titlePath: assertion ? [...assertion.ancestorTitles, assertion.title] : [fullName],
        status:
          assertion?.status === 'passed' || assertion?.status === 'failed'
            ? assertion.status
            : assertion?.status === 'pending' || assertion?.status === 'skipped'
              ? 'skipped'
              : 'unknown',
        ...(typeof assertion?.duration === 'number' ? { durationMs: assertion.duration } : {}),
        ...(shard ? { shard } : {}),
        ...(data.checks ? { checks: data.checks } : {}),
        ...(data.hook ? { hook: data.hook } : {}),
      })
      if (built) tests.push(built)
    }
    return tests
  }

  /** The run ended: print the table and write the report (nothing when no test ran a leak check). */
  onRunComplete(): void {
    this.#progress.stop()
    const shard = this.#global.shard ? { index: this.#global.shard.shardIndex, count: this.#global.shard.shardCount } : undefined
    const version = jestVersion(this.#global.rootDir)
    const { report } = finishRun({
      tests: this.#tests,
      source: {
        runner: 'jest',
        ...(version ? { runnerVersion: version } : {}),
        ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
        createdAt: new Date().toISOString(),
      },
      options: this.#options,
      root: this.#global.rootDir,
      ...(shard ? { shard } : {}),
      log: (text) => process.stderr.write(`${text}\n`),
      mergeHint: 'merge the shards with `npx leakspec merge <shard files> --out <dir>`',
    })
    this.lastReport = report
    this.#tests.length = 0
  }

  /** Jest asks reporters for an error to fail the run with; leak checks fail their tests instead. */
  getLastError(): Error | undefined {
    return undefined
  }
}
