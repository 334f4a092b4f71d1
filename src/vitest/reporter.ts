/**
 * The leakspec Vitest reporter (Vitest's main process). The `leakspec()` plugin adds it to every
 * run (once, whatever the number of projects); `leakspec({ report: false })` leaves it out.
 *
 * It reads `task.meta.leakspec` (the `toLeak` checks) and `task.meta.leakspecHook` (tests run as
 * leak checks) of each test when the run ends, prints the summary table and writes
 * `leakspec-report.json` and `leakspec-report.html`. Silent, and no files, when no test ran a leak
 * check. Task meta travels in blob reports, so `vitest --merge-reports` of sharded runs writes one
 * report for all shards; each shard run writes `leakspec-report-shard-<i>-of-<n>.json` only.
 */
import { relative } from 'node:path'
import type { HookRecord } from '../hook/check.js'
import { compileFileGlobs } from '../hook/glob.js'
import { LEAK_TAG, wholeSuiteSelected } from '../hook/selection.js'
import type { LeakCheckRecord } from '../matchers/toLeak.js'
import { toReportTest } from '../report/build.js'
import { finishRun } from '../report/finish.js'
import { resolveReportOptions, type LeakspecReportOptions, type ResolvedReportOptions } from '../report/options.js'
import { Progress } from '../report/progress.js'
import type { LeakspecReport, ReportTest } from '../report/schema.js'

/** The parts of Vitest's `TestCase` the reporter reads (Vitest 4.1 and 5). */
export interface TestCaseLike {
  readonly id: string
  readonly name: string
  readonly fullName?: string
  readonly tags?: readonly string[]
  readonly parent: { readonly type: string; readonly name?: string; readonly parent?: unknown }
  readonly module: { readonly moduleId: string }
  readonly project?: { readonly name?: string; readonly config?: { readonly root?: string } }
  meta(): object
  result(): { readonly state: string }
  diagnostic(): { readonly duration?: number } | undefined
}

/** The parts of Vitest's `TestModule` the reporter reads. */
export interface TestModuleLike {
  readonly moduleId: string
  readonly children: { allTests(): Iterable<TestCaseLike> }
}

/** The parts of the `Vitest` instance the reporter reads. */
export interface VitestLike {
  readonly version?: string
  readonly config: { readonly root: string; readonly shard?: { readonly index: number; readonly count: number } | undefined }
  readonly projects?: readonly unknown[]
  readonly logger?: { log(...args: unknown[]): void }
}

interface LeakspecMeta {
  leakspec?: { checks?: LeakCheckRecord[] }
  leakspecHook?: { result?: HookRecord; options?: unknown }
}

function titlePath(test: TestCaseLike): string[] {
  const titles = [test.name]
  let parent = test.parent as { type: string; name?: string; parent?: unknown } | undefined
  while (parent && parent.type === 'suite') {
    titles.unshift(parent.name ?? '')
    parent = parent.parent as typeof parent
  }
  return titles
}

function status(state: string): ReportTest['status'] {
  if (state === 'passed' || state === 'failed') return state
  if (state === 'skipped') return 'skipped'
  return 'unknown'
}

/**
 * The Vitest reporter. Normally added by the `leakspec()` plugin; list it yourself only when you
 * configure Vitest without the plugin: `reporters: ['default', new LeakspecReporter()]`.
 */
export class LeakspecReporter {
  readonly #options: ResolvedReportOptions
  readonly #files: ((path: string) => boolean) | undefined
  #vitest: VitestLike | undefined
  #progress: Progress | undefined
  /** The last report built (for tests and tools). */
  lastReport: LeakspecReport | undefined

  /**
   * @param options what to print and write (see `LeakspecReportOptions`)
   * @param hints the plugin's `files` globs, so that progress lines cover tests of those files
   * @throws {TypeError} for invalid options
   */
  constructor(options: LeakspecReportOptions = {}, hints: { files?: readonly string[] } = {}) {
    this.#options = resolveReportOptions(options, 'leakspec({ report })')
    this.#files = hints.files ? compileFileGlobs(hints.files, 'leakspec({ files })') : undefined
  }

  /** Vitest calls this first, with its instance. */
  onInit(vitest: VitestLike): void {
    this.#vitest = vitest
    this.#progress?.stop()
    this.#progress = new Progress({ afterMs: this.#options.progressAfterMs, write: (line) => this.#log(line) })
  }

  #log(text: string): void {
    const logger = this.#vitest?.logger
    if (logger) logger.log(text)
    else process.stdout.write(`${text}\n`)
  }

  #root(): string {
    return this.#vitest?.config.root ?? process.cwd()
  }

  /** Whether the test will run as a whole-test leak check (progress lines are for those). */
  #isHookCheck(test: TestCaseLike): boolean {
    if (test.tags?.includes(LEAK_TAG)) return true
    if ((test.meta() as LeakspecMeta).leakspecHook !== undefined) return true
    if (wholeSuiteSelected()) return true
    if (this.#files) {
      const root = test.project?.config?.root ?? this.#root()
      return this.#files(relative(root, test.module.moduleId).replace(/\\/g, '/'))
    }
    return false
  }

  /** A test is about to run: track it for progress lines when it is a leak check. */
  onTestCaseReady(test: TestCaseLike): void {
    if (!this.#progress || !this.#isHookCheck(test)) return
    this.#progress.start(test.id, `${relative(this.#root(), test.module.moduleId)} > ${titlePath(test).join(' > ')}`)
  }

  /** A test ended. */
  onTestCaseResult(test: TestCaseLike): void {
    this.#progress?.end(test.id)
  }

  /** Collects the tests that ran leak checks (exported for tests of the reporter). */
  collect(modules: readonly TestModuleLike[]): ReportTest[] {
    const root = this.#root()
    const several = (this.#vitest?.projects?.length ?? 1) > 1
    const shard = this.#vitest?.config.shard
    const tests: ReportTest[] = []
    for (const module of modules) {
      const file = relative(root, module.moduleId)
      for (const test of module.children.allTests()) {
        const meta = test.meta() as LeakspecMeta
        if (!meta.leakspec?.checks?.length && !meta.leakspecHook?.result) continue
        const duration = test.diagnostic()?.duration
        const built = toReportTest({
          file,
          titlePath: titlePath(test),
          ...(several && test.project?.name ? { project: test.project.name } : {}),
          status: status(test.result().state),
          ...(typeof duration === 'number' ? { durationMs: duration } : {}),
          ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
          ...(meta.leakspec?.checks ? { checks: meta.leakspec.checks } : {}),
          ...(meta.leakspecHook?.result ? { hook: meta.leakspecHook.result } : {}),
        })
        if (built) tests.push(built)
      }
    }
    return tests
  }

  /** The run ended: print the table and write the report (nothing when no test ran a leak check). */
  onTestRunEnd(modules: readonly TestModuleLike[]): void {
    this.#progress?.stop()
    const shard = this.#vitest?.config.shard
    const { report } = finishRun({
      tests: this.collect(modules),
      source: {
        runner: 'vitest',
        ...(this.#vitest?.version ? { runnerVersion: this.#vitest.version } : {}),
        ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
        createdAt: new Date().toISOString(),
      },
      options: this.#options,
      root: this.#root(),
      ...(shard ? { shard } : {}),
      log: (text) => this.#log(text),
      mergeHint: 'run `vitest --merge-reports` over the blob reports (or `npx leakspec merge <shard files> --out <dir>`) for the whole report',
    })
    this.lastReport = report
  }
}
