/**
 * Runs the Jest fixture suites (test/fixtures/jest) with the Jest of an integration environment, in
 * subprocesses, and reads their JSON reports (`--json --outputFile`).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { readJsonReport, type RunReport } from './json-report.js'
import { run, type RunResult } from './run.js'
import type { TestEnv } from './envs.js'

/** One way of running Jest: which suites, which node flags, which worker mode. */
export interface JestRunSpec {
  /** Name of the run; also names its report, cache folder and runtime records. */
  readonly name: string
  /** `LEAKSPEC_JEST_MODE` of test/fixtures/jest/jest.config.cjs: which suites run. */
  readonly mode: 'main' | 'pools' | 'teardown'
  /** Flags for node itself, for example `--expose-gc`. */
  readonly nodeArgs: readonly string[]
  /** Extra Jest CLI arguments, for example `--runInBand`. */
  readonly jestArgs: readonly string[]
  /** Extra environment variables. */
  readonly env?: Record<string, string>
  /** Run Jest under `ulimit -n` of this many files (absent: this process's limit). */
  readonly fileLimit?: number
}

/** What one Jest run left. */
export interface JestRun {
  readonly spec: JestRunSpec
  readonly result: RunResult
  readonly report: RunReport
}

/** The runtime record a fixture test writes (test/fixtures/jest/shared/runtime.cjs). */
export interface RuntimeRecord {
  readonly name: string
  readonly node: string
  readonly jest: string
  readonly leakspec: string
  readonly setupFile: string
  readonly gc: string
  readonly isMainThread: boolean
  readonly pid: number
  readonly ppid: number
  readonly workerId: string | null
}

/**
 * Runs Jest once in `work` (a copy of test/fixtures/jest inside the environment). Each run gets a
 * fresh cache folder, so Jest has no timings and uses workers whenever it may (two files or more,
 * `--maxWorkers` above 1).
 * @throws {Error} when Jest wrote no report (it crashed before running tests), with its output
 */
export async function runJest(env: TestEnv, work: string, spec: JestRunSpec): Promise<JestRun> {
  const output = join(work, `${spec.name}.json`)
  const result = await run(
    env.node,
    [
      ...spec.nodeArgs,
      join(env.dir, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--ci',
      '--testTimeout=60000',
      `--cacheDirectory=${join(work, '.jest-cache', spec.name)}`,
      '--json',
      `--outputFile=${output}`,
      ...spec.jestArgs,
    ],
    {
      cwd: work,
      timeoutMs: 600_000,
      env: {
        CI: 'true',
        LEAKSPEC_JEST_MODE: spec.mode,
        LEAKSPEC_JEST_RUN: spec.name,
        LEAKSPEC_FIXTURE_OUT: join(work, 'runtime'),
        ...spec.env,
      },
      ...(spec.fileLimit === undefined ? {} : { fileLimit: spec.fileLimit }),
    },
  )
  let report: RunReport
  try {
    report = readJsonReport(output, work)
  } catch (error) {
    throw new Error(
      `jest (${env.name}, run ${spec.name}) wrote no readable report (exit ${result.code}, ` +
        `${result.timedOut ? 'timed out' : 'finished'}): ${(error as Error).message}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    )
  }
  return { spec, result, report }
}

/** The runtime records written during the runs in `work`, by name. */
export function readRuntimeRecords(work: string): Map<string, RuntimeRecord> {
  const dir = join(work, 'runtime')
  const records = new Map<string, RuntimeRecord>()
  if (!existsSync(dir)) return records
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue
    const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RuntimeRecord
    records.set(record.name, record)
  }
  return records
}
