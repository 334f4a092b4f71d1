/**
 * Runs a fixture suite with the Vitest of an integration environment, in a subprocess, and reads
 * its JSON report.
 */
import { join } from 'node:path'
import { prepareWork, ROOT, type TestEnv } from './envs.js'
import { readJsonReport, type RunReport } from './json-report.js'
import { run, type RunResult } from './run.js'

/** A finished Vitest run: the process result, the parsed report and the work dir it ran in. */
export interface VitestRun {
  readonly result: RunResult
  readonly report: RunReport
  readonly work: string
}

/**
 * Copies `test/fixtures/<fixture>` into the environment with its own copy of the built leakspec, and runs
 * `vitest run` with the default reporter (kept in `result.stdout`) and the JSON reporter.
 * @param fixture folder under test/fixtures, for example `vitest`
 * @param args extra Vitest CLI arguments
 * @param options `fileLimit`: run under `ulimit -n` of this many files; `env`: extra environment variables
 * @throws {Error} when Vitest wrote no report (it crashed before running tests), with its output
 */
export async function runVitestFixture(
  env: TestEnv,
  fixture: string,
  args: readonly string[] = [],
  options: { readonly fileLimit?: number; readonly env?: Record<string, string> } = {},
): Promise<VitestRun> {
  const work = prepareWork(env, join(ROOT, 'test', 'fixtures', fixture), fixture, true)
  const output = join(work, 'report.json')
  const result = await run(
    env.node,
    [
      join(env.dir, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
      ...args,
    ],
    {
      cwd: work,
      timeoutMs: 600_000,
      env: { CI: 'true', ...options.env },
      ...(options.fileLimit === undefined ? {} : { fileLimit: options.fileLimit }),
    },
  )
  let report: RunReport
  try {
    report = readJsonReport(output, work)
  } catch (error) {
    throw new Error(
      `vitest (${env.name}) wrote no readable report (exit ${result.code}, ${result.timedOut ? 'timed out' : 'finished'}): ` +
        `${(error as Error).message}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    )
  }
  return { result, report, work }
}
