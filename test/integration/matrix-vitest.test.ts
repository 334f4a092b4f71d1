// Compatibility matrix, Vitest side: the suite test/fixtures/matrix/vitest (one project per pool:
// forks, threads, vmForks, vmThreads; the one-line plugin at the root) runs with real Vitest 4.1 on
// Node 20 and Vitest 5 on Node 24, three ways: plain (with and without vi.useFakeTimers() in the
// test), with coverage-v8 on, and under Vitest's --inspect. In every cell the leaky function fails
// with a leak verdict and its clean twin passes. The process pools get --expose-gc from the plugin;
// the thread pools cannot take it and get GC from leakspec's runtime fallback (the footer says so).
// Messages are pinned in the main Vitest integration suite; here the verdicts and the cells are.
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, type TestEnv } from './harness/envs.js'
import type { TestOutcome } from './harness/json-report.js'
import { runVitestFixture, type VitestRun } from './harness/vitest.js'

const POOLS = ['forks', 'threads', 'vmForks', 'vmThreads'] as const
/** The pools whose workers are processes: the plugin adds --expose-gc there. */
const PROCESS_POOLS = new Set<string>(['forks', 'vmForks'])

/** Expected status of every test of a run, by full name. */
function expected(withFakeTimers: boolean, pools: readonly string[] = POOLS): Record<string, 'passed' | 'failed'> {
  const tests: Record<string, 'passed' | 'failed'> = {}
  for (const pool of pools) {
    tests[`${pool}: gc`] = 'passed'
    tests[`${pool}: clean passes`] = 'passed'
    tests[`${pool}: leaky fails`] = 'failed'
    if (withFakeTimers) {
      tests[`${pool}: fake timers, clean passes`] = 'passed'
      tests[`${pool}: fake timers, leaky fails`] = 'failed'
    }
  }
  return tests
}

/** A free TCP port on 127.0.0.1 (for --inspect: Vitest turns port 0 into its default, 9229). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Skips the fake-timer tests (they run in the plain column only, to keep CI time down). */
const WITHOUT_FAKE_TIMERS = ['--testNamePattern', '^(?!.*fake timers)']

const ENVS = [
  { env: 'vitest4', node: /^v20\./, vitest: /^4\.1\./ },
  { env: 'vitest5', node: /^v24\./, vitest: /^5\./ },
] as const

describe.each(ENVS)('compatibility matrix: $env', (spec) => {
  let env: TestEnv
  let plain: VitestRun
  let coverage: VitestRun
  let coveredFunctions: number | undefined
  /** The --inspect column, one run per pool (see below), by pool. */
  const inspect = new Map<string, { run: VitestRun; port: number }>()

  beforeAll(async () => {
    env = getEnv(spec.env)
    // One after the other (and files one at a time): leak checks measure their own process, and
    // the machine has few cores.
    plain = await runVitestFixture(env, 'matrix/vitest', ['--no-file-parallelism'])
    coverage = await runVitestFixture(env, 'matrix/vitest', [
      '--no-file-parallelism',
      '--coverage.enabled',
      '--coverage.provider=v8',
      '--coverage.reporter=json-summary',
      '--coverage.include=subjects.ts',
      // The leaky tests fail by design; Vitest writes no coverage report for a failed run without this.
      '--coverage.reportOnFailure',
      ...WITHOUT_FAKE_TIMERS,
    ])
    // Read now: the next run replaces the work dir.
    const summary = join(coverage.work, 'coverage', 'coverage-summary.json')
    if (existsSync(summary)) {
      coveredFunctions = (JSON.parse(readFileSync(summary, 'utf8')) as { total: { functions: { covered: number } } }).total.functions.covered
    }
    // One run per pool: Vitest opens the inspector on the same port in every worker, and a worker
    // of the next pool can start before the last one has closed it (the inspector then stays shut).
    // Even so, Vitest 4 sometimes opens it twice for one project ("Starting inspector on …
    // failed: address already in use", and that worker runs without it): such a run is repeated,
    // at most twice, so that the cell really runs under the inspector.
    for (const pool of POOLS) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const port = await freePort()
        const run = await runVitestFixture(env, 'matrix/vitest', ['--no-file-parallelism', `--inspect=127.0.0.1:${port}`, `--project=${pool}`, ...WITHOUT_FAKE_TIMERS])
        inspect.set(pool, { run, port })
        const opened = (run.report.tests.get(`${pool}: gc`)?.meta?.['matrix'] as { inspector: string | null } | undefined)?.inspector
        if (opened || !/Starting inspector on .* failed: address already in use/.test(run.result.stdout + run.result.stderr)) break
      }
    }
  })

  /** Statuses of the tests that ran (the fake-timer tests are skipped outside the plain column). */
  const statuses = (run: VitestRun): Record<string, string> =>
    Object.fromEntries([...run.report.tests.values()].filter((found) => found.status !== 'skipped').map((found) => [found.fullName, found.status]))
  const checks = (found: TestOutcome): Array<{ verdict: string }> =>
    ((found.meta?.['leakspec'] as { checks?: Array<{ verdict: string }> } | undefined)?.checks ?? [])
  /** Every cell: the leaky test failed with a leak verdict (never an error), the clean one passed clean. */
  const expectVerdicts = (run: VitestRun, label: string): void => {
    for (const found of run.report.tests.values()) {
      if (found.fullName.endsWith(': gc') || found.status === 'skipped') continue
      const verdict = checks(found)[0]?.verdict
      if (found.fullName.includes('leaky')) {
        expect(verdict, `${label} › ${found.fullName}: ${found.failureMessages[0] ?? ''}`).toBe('leak')
        expect(found.failureMessages[0], `${label} › ${found.fullName}`).toMatch(/^Error: expect\(fn\)\.not\.toLeak\(\)\n\nExpected the function not to leak, but it leaks about/)
      } else {
        expect(verdict, `${label} › ${found.fullName}: ${found.failureMessages[0] ?? ''}`).toBe('clean')
      }
    }
  }
  /** The footer of a leak message says where GC came from: exposed in process pools, the fallback in threads. */
  const expectGcSources = (run: VitestRun, label: string, pools: readonly string[] = POOLS): void => {
    for (const pool of pools) {
      const message = run.report.tests.get(`${pool}: leaky fails`)?.failureMessages[0] ?? ''
      expect(message, `${label} › ${pool}`).toMatch(new RegExp(`· gc ${PROCESS_POOLS.has(pool) ? 'exposed' : 'fallback'}`))
    }
  }
  const expectClean = (run: VitestRun, label: string, withFakeTimers: boolean, pools: readonly string[] = POOLS): void => {
    expect([...run.report.fileErrors], label).toEqual([])
    expect(statuses(run), `${label}\n${run.result.stdout.slice(-3000)}\n${run.result.stderr.slice(-3000)}`).toEqual(expected(withFakeTimers, pools))
    expect(run.result.timedOut, label).toBe(false)
    expect(run.result.stdout + run.result.stderr, label).not.toMatch(/Unhandled (Errors|Rejection)/i)
  }

  it('runs the expected Node and Vitest', () => {
    expect(/\bRUN\s+v(\S+)/.exec(plain.result.stdout)?.[1]).toMatch(spec.vitest)
    const node = /Node(?:\.js)? (v\d+\.\d+\.\d+)/.exec(plain.result.stdout)?.[1]
    if (node !== undefined) expect(node).toMatch(spec.node)
  })

  it('every pool, with real and with fake timers: leaky fails, clean passes', () => {
    expectClean(plain, 'plain', true)
    expectVerdicts(plain, 'plain')
    expectGcSources(plain, 'plain')
  })

  it('every pool with coverage-v8 on: leaky fails, clean passes, and coverage was collected', () => {
    expectClean(coverage, 'coverage', false)
    expectVerdicts(coverage, 'coverage')
    expectGcSources(coverage, 'coverage')
    expect(coveredFunctions, `no coverage-summary.json\n${coverage.result.stdout.slice(-2000)}`).toBeGreaterThan(0)
  })

  it('every pool under --inspect: leaky fails, clean passes, with the inspector open in each worker', () => {
    for (const pool of POOLS) {
      const { run, port } = inspect.get(pool)!
      expectClean(run, `inspect ${pool}`, false, [pool])
      expectVerdicts(run, `inspect ${pool}`)
      expectGcSources(run, `inspect ${pool}`, [pool])
      const runtime = run.report.tests.get(`${pool}: gc`)?.meta?.['matrix'] as { inspector: string | null } | undefined
      expect(`${pool}: ${runtime?.inspector ?? 'no inspector'}`, `${run.result.stdout.slice(0, 1500)}\n${run.result.stderr.slice(0, 1500)}`).toMatch(
        new RegExp(`^${pool}: ws://127\\.0\\.0\\.1:${port}/`),
      )
    }
    // And not in the other columns.
    const plainRuntime = plain.report.tests.get('forks: gc')?.meta?.['matrix'] as { inspector: string | null } | undefined
    expect(plainRuntime?.inspector).toBeNull()
  })
})
