/**
 * Shared by the hook integration tests (hook-vitest, hook-jest): copies a hook fixture suite into
 * an environment's work dir with its own copy of the built leakspec (work/<name>/node_modules, so
 * concurrent integration files never replace each other's copy), runs the runner there, and reads
 * the JSON report, the per-file hook/body counts and (Jest) the sidecar files.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { prepareWork, ROOT, type TestEnv } from './harness/envs.js'
import { readJsonReport, type RunReport, type TestOutcome } from './harness/json-report.js'
import { run, type RunResult } from './harness/run.js'

/** What one fixture run left. */
export interface HookRun {
  readonly result: RunResult
  readonly report: RunReport
  readonly work: string
  /** Hook and body call counts by test file name, then by counter key, then by what was counted. */
  readonly counts: Record<string, { counts: Record<string, Record<string, number>>; order: Record<string, string[]> }>
}

/** Which runner and how to start it. */
export interface HookRunSpec {
  readonly runner: 'vitest' | 'jest'
  /** Extra CLI arguments (a file filter, for example). */
  readonly args?: readonly string[]
  /** Extra environment variables (`LEAKSPEC=all`). */
  readonly env?: Record<string, string>
  /** Name of the work dir and report. */
  readonly name: string
}

/**
 * Copies test/fixtures/hook/<runner> into the environment and runs it.
 * @throws {Error} when the runner wrote no report, with its output
 */
export async function runHookFixture(env: TestEnv, spec: HookRunSpec): Promise<HookRun> {
  const work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'hook', spec.runner), spec.name)
  const target = join(work, 'node_modules', 'leakspec')
  mkdirSync(target, { recursive: true })
  cpSync(join(ROOT, 'dist'), join(target, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
  const output = join(work, 'report.json')
  const countsDir = join(work, 'counts')
  const args =
    spec.runner === 'vitest'
      ? [
          join(env.dir, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--reporter=default',
          '--reporter=json',
          `--outputFile.json=${output}`,
        ]
      : [
          '--expose-gc',
          join(env.dir, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--ci',
          `--cacheDirectory=${join(work, '.jest-cache')}`,
          '--json',
          `--outputFile=${output}`,
        ]
  const result = await run(env.node, [...args, ...(spec.args ?? [])], {
    cwd: work,
    timeoutMs: 600_000,
    env: {
      CI: 'true',
      HOOK_COUNTS_DIR: countsDir,
      LEAKSPEC_JEST_RESULTS_DIR: join(work, 'sidecar'),
      ...spec.env,
    },
  })
  let report: RunReport
  try {
    report = readJsonReport(output, work)
  } catch (error) {
    throw new Error(
      `${spec.runner} (${env.name}) wrote no readable report (exit ${result.code}): ${(error as Error).message}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    )
  }
  const counts: HookRun['counts'] = {}
  if (existsSync(countsDir)) {
    for (const file of readdirSync(countsDir)) {
      counts[file.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(countsDir, file), 'utf8')) as HookRun['counts'][string]
    }
  }
  return { result, report, work, counts }
}

/** The sidecar files a Jest run left, by test file path. */
export function readSidecars(work: string): Array<{
  testPath: string
  tests: Array<{ fullName: string; status: string; leakspec: HookResultLike }>
  skipped: Array<{ fullName: string; reason: string }>
}> {
  const dir = join(work, 'sidecar')
  if (!existsSync(dir)) return []
  return readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')))
}

/** The fields of a hook record the tests read. */
export interface HookResultLike {
  readonly status: string
  readonly repetitions: number
  readonly hooks: { beforeEach: number; afterEach: number }
  readonly timeoutNote: string
  readonly serialized: boolean
  readonly failedAt?: number
  readonly check?: { verdict: string; leaks: Array<{ key: string; perCall: number }> }
}

/** `task.meta.leakspecHook.result` of a Vitest test. */
export function vitestHookResult(test: TestOutcome): HookResultLike | undefined {
  return (test.meta?.['leakspecHook'] as { result?: HookResultLike } | undefined)?.result
}

/** First failure message of a test (with a readable assertion message when it passed). */
export function firstFailure(test: TestOutcome): string {
  return test.failureMessages[0] ?? `(${test.fullName} has no failure message; status ${test.status})`
}
