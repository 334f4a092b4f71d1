/**
 * Reports with real Vitest (4.1 on Node 20, 5 on Node 24): the fixture suite (test/fixtures/reports/
 * vitest) run as two shards with the blob reporter, then `vitest --merge-reports`. Task meta must
 * survive the blob round trip, each shard prints its table and writes its shard file, the merged run
 * prints the whole table and writes the JSON and HTML; `leakspec merge` of the shard files gives the
 * same tests; a run without leak checks prints nothing and writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT, type TestEnv } from './harness/envs.js'
import { run, type RunResult } from './harness/run.js'
import { chromiumStatus, renderReport } from './reports-chromium.js'
import { expectFullReport, HOSTILE, readReport, tableRows } from './reports-shared.js'

const HOOK_NAME = 'hook: clean tagged test'

describe.each([
  { env: 'vitest4', version: /^4\.1\./ },
  { env: 'vitest5', version: /^5\./ },
])('reports with $env', ({ env: envName, version }) => {
  let env: TestEnv
  let work: string
  const shards: RunResult[] = []
  let merged: RunResult
  let silent: RunResult
  let cliMerge: RunResult
  let silentLeftFiles = true

  const vitest = (args: readonly string[]): Promise<RunResult> =>
    run(env.node, [join(env.dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...args], {
      cwd: work,
      timeoutMs: 300_000,
      env: { CI: 'true' },
    })

  beforeAll(async () => {
    env = getEnv(envName)
    work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'reports', 'vitest'), 'reports-vitest', true)
    silent = await vitest(['plain.test.ts'])
    silentLeftFiles = existsSync(join(work, 'leakspec-report'))
    // One after the other: leak checks measure their own process, and the machine has few cores.
    for (const index of [1, 2]) shards.push(await vitest([`--shard=${index}/2`, '--reporter=blob', 'heap.test.ts', 'hook.test.ts']))
    merged = await vitest(['--merge-reports'])
    cliMerge = await run(
      env.node,
      [
        join(work, 'node_modules', 'leakspec', 'dist', 'cli', 'bin.js'),
        'merge',
        'leakspec-report/leakspec-report-shard-1-of-2.json',
        'leakspec-report/leakspec-report-shard-2-of-2.json',
        '--out',
        'merged-by-cli',
      ],
      { cwd: work, timeoutMs: 60_000 },
    )
  })

  it('each shard prints its own table and writes its shard file (no HTML)', () => {
    const rows = shards.flatMap((shard) => tableRows(shard.stdout))
    expect(rows.length, shards.map((shard) => shard.stdout + shard.stderr).join('\n')).toBe(6)
    for (const [index, shard] of shards.entries()) {
      expect(shard.stdout).toContain(`leakspec: report leakspec-report/leakspec-report-shard-${index + 1}-of-2.json`)
      const report = readReport(join(work, 'leakspec-report', `leakspec-report-shard-${index + 1}-of-2.json`))
      expect(report.sources).toEqual([expect.objectContaining({ runner: 'vitest', shard: `${index + 1}/2` })])
      expect(report.sources[0]!.runnerVersion).toMatch(version)
      expect(report.tests.every((test) => test.shard === `${index + 1}/2`)).toBe(true)
    }
  })

  it('prints a progress line while the long check runs', () => {
    const output = shards.map((shard) => shard.stdout).join('\n')
    expect(output).toMatch(new RegExp(`^leakspec: still checking hook\\.test\\.ts > ${HOOK_NAME} \\(\\d`, 'm'))
  })

  it('--merge-reports keeps the task meta: one table and one report for both shards', () => {
    expect(merged.code, merged.stdout + merged.stderr).toBe(1)
    const rows = tableRows(merged.stdout)
    expect(rows.map(([, verdict]) => verdict)).toEqual(['LEAK', 'LEAK', 'clean', 'clean', 'clean', 'clean'])
    expect(merged.stdout).toMatch(/^leakspec: 6 leak checks in 5 tests: 2 leak, 4 clean$/m)
    expect(merged.stdout).toContain('leakspec: report leakspec-report/leakspec-report.json, leakspec-report/leakspec-report.html')
    const report = readReport(join(work, 'leakspec-report', 'leakspec-report.json'))
    expectFullReport(report, 'vitest', HOOK_NAME)
    const html = readFileSync(join(work, 'leakspec-report', 'leakspec-report.html'), 'utf8')
    expect(html).not.toContain(HOSTILE)
    expect(html).not.toContain('<img')
    expect(html).not.toContain('SECRET-')
    expect(html.match(/<svg class="plot heap-plot"/g)?.length).toBe(6)
  })

  it('the heap diagnosis says what leaked, who holds it and where it was allocated', () => {
    const report = readReport(join(work, 'leakspec-report', 'leakspec-report.json'))
    const diagnosis = report.tests.find((test) => test.name === 'heap: leaky function fails')!.checks[0]!.diagnosis!
    expect(diagnosis).toMatch(/^Diagnosis \(/m)
    expect(diagnosis).toMatch(/held by: .*module scope \(heap\.test\.ts\) › kept/)
    expect(diagnosis).toMatch(/allocated in\*?: +\S+ \(heap\.test\.ts:\d+:\d+\)/)
    const html = readFileSync(join(work, 'leakspec-report', 'leakspec-report.html'), 'utf8')
    expect(html).toContain('module scope (heap.test.ts) › kept')
  })

  it('leakspec merge of the shard files gives the same tests and verdicts', () => {
    expect(cliMerge.code, cliMerge.stderr).toBe(0)
    expect(cliMerge.stdout).toMatch(/^leakspec: merged 2 file\(s\) into merged-by-cli\/leakspec-report\.json, merged-by-cli\/leakspec-report\.html$/m)
    const byCli = readReport(join(work, 'merged-by-cli', 'leakspec-report.json'))
    const byVitest = readReport(join(work, 'leakspec-report', 'leakspec-report.json'))
    const shape = (report: typeof byCli) => report.tests.map((test) => [test.name, test.checks.map((check) => check.verdict)])
    expect(shape(byCli)).toEqual(shape(byVitest))
    expect(byCli.sources.map((source) => source.shard)).toEqual(['1/2', '2/2'])
  })

  it('is silent when no test ran a leak check', () => {
    expect(silent.code, silent.stdout + silent.stderr).toBe(0)
    expect(silent.stdout).not.toMatch(/leakspec/)
    expect(silentLeftFiles).toBe(false)
  })

  it.runIf(envName === 'vitest5' && (chromiumStatus().available || process.env['CI'] === 'true'))(
    'the merged HTML renders in chromium with a plot per check',
    async () => {
      const status = chromiumStatus()
      if (!status.available) expect.fail(status.reason)
      const page = await renderReport(join(work, 'leakspec-report', 'leakspec-report.html'), join(work, 'leakspec-report.png'), 8)
      expect(page.consoleMessages).toEqual([])
      expect(page.pageErrors).toEqual([])
      expect(page.requests).toEqual([])
      expect(page.names[0]).toMatch(/leaky function fails|quoted/)
      expect(page.names).toContain(`<b>bold & "quoted"</b> > ${HOSTILE}`)
      for (const plot of page.plots) {
        expect(plot.width).toBeGreaterThan(400)
        expect(plot.colouredPixels).toBeGreaterThan(200)
      }
    },
  )
})
