// DOM environments through real runners (test/envs/dom, Node 24): Vitest 4.1 with `--environment
// jsdom` and `--environment happy-dom`, and Jest 30 with jest-environment-jsdom, each on the fixture
// suite test/fixtures/dom. Every leaky case fails under its DOM signal (a listener named by target and
// event with its add site, detached nodes, an observer still observing), the React component that
// adds a `window` listener in useEffect without cleanup fails with that listener, and every clean
// twin (the fixed component included) passes. Repeated fresh-process figures: bench/dom/run.mjs.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT } from './harness/envs.js'
import { outcome, readJsonReport, type RunReport } from './harness/json-report.js'
import { run, type RunResult } from './harness/run.js'
import { runVitestFixture } from './harness/vitest.js'

interface DomRun {
  readonly result: RunResult
  readonly report: RunReport
}

/** Leaky case → what its failure message must say (a regular expression on the message). */
const LEAKY: ReadonlyArray<readonly [string, RegExp]> = [
  ['leaky: a resize listener on window per call', /each call leaves about 1 'resize' listener on window, added at dom\.test\.[cm]js:\d+:\d+/],
  ["leaky: with diagnose 'full', a resize listener on window per call", /each call leaves about 1 'resize' listener on window, added at dom\.test\.[cm]js:\d+:\d+/],
  ['leaky: a click listener on a kept element per call', /each call leaves about 1 'click' listener on <button>, added at dom\.test\.[cm]js:\d+:\d+/],
  ['leaky: detached nodes kept', /each call leaves about \d detached DOM nodes?, created at dom\.test\.[cm]js:\d+:\d+/],
  ['leaky: a MutationObserver never disconnected', /1 MutationObserver still observing, created at dom\.test\.[cm]js:\d+:\d+/],
  ['leaky: a React component adds a resize listener in useEffect without cleanup', /1 'resize' listener on window, added at components\.[cm]js:\d+:\d+/],
]

const CLEAN = [
  'clean: a resize listener on window added and removed',
  'clean: a click listener with once, fired',
  'clean: a div appended and removed',
  'clean: a MutationObserver disconnected',
  'clean: the fixed React component removes its listener',
]

const RUNS = [
  { name: 'Vitest 4.1 with jsdom', runner: 'vitest', environment: 'jsdom', userAgent: /jsdom/ },
  { name: 'Vitest 4.1 with happy-dom', runner: 'vitest', environment: 'happy-dom', userAgent: /HappyDOM/ },
  { name: 'Jest 30 with jest-environment-jsdom', runner: 'jest', environment: 'jsdom', userAgent: /jsdom/ },
] as const

async function runJestDom(): Promise<DomRun & { runtime: Record<string, string> }> {
  const env = getEnv('dom')
  const work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'dom'), 'dom-jest', true)
  const output = join(work, 'report.json')
  const result = await run(
    env.node,
    ['--expose-gc', join(env.dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--runInBand', `--cacheDirectory=${join(work, '.jest-cache')}`, '--json', `--outputFile=${output}`],
    { cwd: work, timeoutMs: 600_000, env: { CI: 'true' } },
  )
  let report: RunReport
  try {
    report = readJsonReport(output, work)
  } catch (error) {
    throw new Error(`jest wrote no readable report (exit ${result.code}): ${(error as Error).message}\n${result.stdout}\n${result.stderr}`)
  }
  const { readFileSync } = await import('node:fs')
  const runtime = JSON.parse(readFileSync(join(work, 'runtime.json'), 'utf8')) as Record<string, string>
  return { result, report, runtime }
}

describe.each(RUNS)('$name', (spec) => {
  let domRun: DomRun
  let runtime: Record<string, string> | undefined

  beforeAll(async () => {
    if (spec.runner === 'jest') {
      const jest = await runJestDom()
      domRun = jest
      runtime = jest.runtime
    } else {
      const vitest = await runVitestFixture(getEnv('dom'), 'dom', [`--environment=${spec.environment}`])
      domRun = vitest
      runtime = vitest.report.tests.get('runtime')?.meta?.['runtime'] as Record<string, string> | undefined
    }
  }, 900_000)

  it('runs in the intended DOM environment on Node 24, with no unhandled errors', () => {
    expect(runtime?.['node']).toMatch(/^v24\./)
    expect(runtime?.['userAgent']).toMatch(spec.userAgent)
    // Every test ran (Jest also puts the failures of a file in its file-level message).
    expect(domRun.report.numTotalTests).toBe(1 + LEAKY.length + CLEAN.length)
    if (spec.runner === 'vitest') expect(domRun.report.fileErrors.size).toBe(0)
    expect(domRun.result.timedOut).toBe(false)
    expect(domRun.result.stdout + domRun.result.stderr).not.toMatch(/Unhandled (Errors|Rejection)/i)
  })

  it.each(LEAKY)('%s: fails under its DOM signal, with where the items came from', (name, says) => {
    const test = outcome(domRun.report, name)
    expect(test.status).toBe('failed')
    const message = test.failureMessages.join('\n')
    expect(message).toMatch(/expect\(fn\)\.not\.toLeak\((?:options)?\)/)
    expect(message).toMatch(says)
  })

  it("a listener leak is explained by its add site without the heap snapshot; diagnose: 'full' takes it", () => {
    const plain = outcome(domRun.report, 'leaky: a resize listener on window per call').failureMessages.join('\n')
    expect(plain).toMatch(/Diagnosis skipped: the heap snapshot \(about \d+\.\d s at this heap size, \d+ MB\) was not taken: .*pass \{ diagnose: 'full' \} \(or call diagnose\(fn, report\)\) for who holds them\./)
    expect(plain).not.toMatch(/^\s*Diagnosis \(\d+ more calls/m)
    const full = outcome(domRun.report, "leaky: with diagnose 'full', a resize listener on window per call").failureMessages.join('\n')
    expect(full).toMatch(/Diagnosis \(\d+ more calls with allocation tracking, then one heap snapshot/)
    expect(full).not.toContain('Diagnosis skipped')
  })

  it.each(CLEAN)('%s: passes', (name) => {
    const test = outcome(domRun.report, name)
    expect(test.failureMessages.join('\n')).toBe('')
    expect(test.status).toBe('passed')
  })
})
