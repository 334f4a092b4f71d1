// Compatibility matrix, Jest side: the suite test/fixtures/matrix/jest (real timers in one file,
// jest.useFakeTimers() active during the check in the other) runs with real Jest 29 on Node 20 and
// Jest 30 on Node 24, with coverage on (the v8 provider and the default babel one, two workers) and
// under node --inspect=0 (in band: Jest strips --inspect from its workers' flags, so a debugged
// Jest run is `node --inspect … jest --runInBand`). In every cell the leaky function fails with a
// leak verdict and its clean twin passes. The plain cells (every worker mode, fake timers, ESM) are
// in the main Jest integration suite (harness/jest-suite.ts).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT, type TestEnv } from './harness/envs.js'
import { runJest, type JestRun, type JestRunSpec } from './harness/jest.js'

const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'real timers: runtime': 'passed',
  'real timers: clean passes': 'passed',
  'real timers: leaky fails': 'failed',
  'fake timers: runtime': 'passed',
  'fake timers: clean passes': 'passed',
  'fake timers: leaky fails': 'failed',
}

const RUNS: readonly JestRunSpec[] = [
  { name: 'coverage-v8', mode: 'main', nodeArgs: ['--expose-gc'], jestArgs: ['--coverage', '--coverageProvider=v8', '--maxWorkers=2'] },
  { name: 'coverage-babel', mode: 'main', nodeArgs: ['--expose-gc'], jestArgs: ['--coverage', '--coverageProvider=babel', '--maxWorkers=2'] },
  { name: 'inspect', mode: 'main', nodeArgs: ['--expose-gc', '--inspect=0'], jestArgs: ['--runInBand'] },
]

interface Cell {
  readonly run: JestRun
  /** Functions of subjects.cjs covered, from coverage-summary.json (coverage runs only). */
  readonly coveredFunctions?: number
}

const ENVS = [
  { env: 'jest29', node: /^v20\./ },
  { env: 'jest30', node: /^v24\./ },
] as const

describe.each(ENVS)('compatibility matrix: $env', (spec) => {
  let env: TestEnv
  const cells = new Map<string, Cell>()

  beforeAll(async () => {
    env = getEnv(spec.env)
    const work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'matrix', 'jest'), 'matrix-jest', true)
    // One after the other: leak checks measure their own process, and the machine has few cores.
    for (const runSpec of RUNS) {
      const run = await runJest(env, work, runSpec)
      const summary = join(work, 'coverage', 'coverage-summary.json')
      let coveredFunctions: number | undefined
      if (runSpec.name.startsWith('coverage') && existsSync(summary)) {
        coveredFunctions = (JSON.parse(readFileSync(summary, 'utf8')) as { total: { functions: { covered: number } } }).total.functions.covered
      }
      cells.set(runSpec.name, { run, ...(coveredFunctions === undefined ? {} : { coveredFunctions }) })
    }
  })

  /** The runtime lines the fixture prints (`matrix runtime: {...}`), one per file. */
  const runtimes = (run: JestRun): Array<{ inspector: string | null; gc: string; pid: number }> =>
    [...(run.result.stdout + run.result.stderr).matchAll(/matrix runtime: (\{.*\})/g)].map((match) => JSON.parse(match[1]!))

  const expectCell = (name: string): JestRun => {
    const { run } = cells.get(name)!
    const { report, result } = run
    for (const [file, message] of report.fileErrors) expect(message, `${name} ${file}`).not.toMatch(/Test suite failed to run/)
    const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
    expect(statuses, `${name}\n${result.stderr.slice(-3000)}`).toEqual(EXPECTED)
    for (const found of report.tests.values()) {
      if (found.fullName.includes('leaky')) {
        // A leak verdict, never an error: the message is the leak evidence.
        expect(found.failureMessages[0], `${name} › ${found.fullName}`).toMatch(
          /^Error: expect\(fn\)\.not\.toLeak\(options\)\n\nExpected the function not to leak, but it leaks about [\d.]+ (?:B|kB) of heap per call\./,
        )
        expect(found.failureMessages[0]).toMatch(/· gc exposed/)
      }
    }
    expect(result.code, name).toBe(1)
    expect(result.timedOut, name).toBe(false)
    return run
  }

  it('runs the expected Node', () => {
    const run = cells.get('inspect')!.run
    const version = /Node(?:\.js)? (v\d+)/.exec(run.result.stderr)?.[1]
    if (version !== undefined) expect(version).toMatch(spec.node)
    expect(runtimes(run).every((runtime) => runtime.gc === 'function')).toBe(true)
  })

  it.each(['coverage-v8', 'coverage-babel'])('%s, two workers: leaky fails, clean passes, and coverage was collected', (name) => {
    const run = expectCell(name)
    expect(cells.get(name)?.coveredFunctions, name).toBeGreaterThan(0)
    // Two files on two workers: two processes.
    expect(new Set(runtimes(run).map((runtime) => runtime.pid)).size, name).toBe(2)
  })

  it('under node --inspect=0 (in band): leaky fails, clean passes, with the inspector open', () => {
    const run = expectCell('inspect')
    const seen = runtimes(run)
    expect(seen.length).toBe(2)
    for (const runtime of seen) expect(runtime.inspector, JSON.stringify(seen)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//)
  })
})
