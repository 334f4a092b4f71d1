/**
 * Reports with real Jest (29 on Node 20, 30 on Node 24): the fixture suite (test/fixtures/reports/
 * jest) with `leakspec/jest` (matchers), the leakspec environment (a test run as a leak check) and
 * `leakspec/jest-reporter`. Jest 29 runs the suite whole: the reporter prints the table and writes
 * the JSON and HTML. Jest 30 runs it as two shards (`--shard`), each writing its shard file, merged
 * with `leakspec merge`. In both, a run without leak checks prints nothing and writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT, type TestEnv } from './harness/envs.js'
import { run, type RunResult } from './harness/run.js'
import { expectFullReport, HOSTILE, readReport, tableRows } from './reports-shared.js'

const HOOK_NAME = 'hook: clean test run as a leak check'

describe.each([
  { env: 'jest29', version: /^29\./, sharded: false },
  { env: 'jest30', version: /^30\./, sharded: true },
])('reports with $env', ({ env: envName, version, sharded }) => {
  let env: TestEnv
  let work: string
  const runs: RunResult[] = []
  let silent: RunResult
  let silentLeftFiles = true
  let cliMerge: RunResult | undefined

  const jest = (args: readonly string[]): Promise<RunResult> =>
    run(env.node, ['--expose-gc', join(env.dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...args], {
      cwd: work,
      timeoutMs: 300_000,
      env: { CI: 'true' },
    })

  beforeAll(async () => {
    env = getEnv(envName)
    work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'reports', 'jest'), 'reports-jest', true)
    silent = await jest(['--runInBand', 'plain'])
    silentLeftFiles = existsSync(join(work, 'leakspec-report'))
    // In band: leak checks measure their own process, and the machine has few cores.
    if (sharded) {
      for (const index of [1, 2]) runs.push(await jest(['--runInBand', `--shard=${index}/2`, 'heap', 'hook']))
      cliMerge = await run(
        env.node,
        [join(work, 'node_modules', 'leakspec', 'dist', 'cli', 'bin.js'), 'merge', 'leakspec-report', '--out', 'leakspec-report'],
        { cwd: work, timeoutMs: 60_000 },
      )
    } else {
      runs.push(await jest(['--runInBand', 'heap', 'hook']))
    }
  })

  it('prints the table of the tests that ran leak checks', () => {
    const rows = runs.flatMap((result) => tableRows(result.stderr))
    expect(rows.length, runs.map((result) => result.stdout + result.stderr).join('\n')).toBe(6)
    expect(rows.filter(([, verdict]) => verdict === 'LEAK').length).toBe(2)
    if (!sharded) expect(runs[0]!.stderr).toMatch(/^leakspec: 6 leak checks in 5 tests: 2 leak, 4 clean$/m)
  })

  it('prints a progress line while the long check runs', () => {
    expect(runs.map((result) => result.stderr).join('\n')).toMatch(
      new RegExp(`^leakspec: still checking hook\\.test\\.js > ${HOOK_NAME} \\(\\d`, 'm'),
    )
  })

  it.runIf(sharded)('each shard writes its shard file, and leakspec merge writes the whole report', () => {
    for (const [index, result] of runs.entries()) {
      expect(result.stderr).toContain(`leakspec: report leakspec-report/leakspec-report-shard-${index + 1}-of-2.json`)
      const report = readReport(join(work, 'leakspec-report', `leakspec-report-shard-${index + 1}-of-2.json`))
      expect(report.sources).toEqual([expect.objectContaining({ runner: 'jest', shard: `${index + 1}/2` })])
      expect(report.sources[0]!.runnerVersion).toMatch(version)
    }
    expect(cliMerge?.code, cliMerge?.stderr).toBe(0)
    expect(cliMerge?.stdout).toMatch(/^leakspec: 6 leak checks in 5 tests: 2 leak, 4 clean$/m)
    expect(cliMerge?.stdout).toContain('leakspec: merged 2 file(s) into leakspec-report/leakspec-report.json, leakspec-report/leakspec-report.html')
  })

  it('the report holds every check with its series, verdict and diagnosis', () => {
    if (!sharded) {
      expect(runs[0]!.stderr).toContain('leakspec: report leakspec-report/leakspec-report.json, leakspec-report/leakspec-report.html')
    }
    const report = readReport(join(work, 'leakspec-report', 'leakspec-report.json'))
    expectFullReport(report, 'jest', HOOK_NAME)
    expect(report.sources.every((source) => source.runnerVersion === undefined || version.test(source.runnerVersion))).toBe(true)
    const hook = report.tests.find((test) => test.name === HOOK_NAME)!
    expect(hook.status).toBe('passed')
    expect(hook.hook?.repetitions).toBeGreaterThan(100)
    const html = readFileSync(join(work, 'leakspec-report', 'leakspec-report.html'), 'utf8')
    expect(html).not.toContain(HOSTILE)
    expect(html).not.toContain('SECRET-')
    expect(html.match(/<svg class="plot heap-plot"/g)?.length).toBe(6)
  })

  it('is silent when no test ran a leak check', () => {
    expect(silent.code, silent.stdout + silent.stderr).toBe(0)
    expect(silent.stdout + silent.stderr).not.toMatch(/leakspec/)
    expect(silentLeftFiles).toBe(false)
  })
})
