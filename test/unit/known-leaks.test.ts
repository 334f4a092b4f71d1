/**
 * Known leaks: real leaks measured and diagnosed in this process (no mocks), matched by the built-in
 * registry and by user entries; a leak of the test's own next to a known one still fails; version
 * ranges gate entries; the run's end lists the user's rules that matched nothing.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { EventEmitter } from 'node:events'
import { performance } from 'node:perf_hooks'
import { afterAll, describe, expect, test } from 'vitest'
import { assertNoLeaks, LeakError, measureLeaks } from '../../src/index.js'
import { satisfies, isValidRange } from '../../src/core/range.js'
import type { KnownLeak, KnownLeakMatch } from '../../src/core/known.js'
import { matchers } from '../../src/matchers/matchers.js'
import { toRecord } from '../../src/matchers/toLeak.js'
import { toReportTest } from '../../src/report/build.js'
import { finishRun } from '../../src/report/finish.js'
import { resolveReportOptions } from '../../src/report/options.js'
import type { LeakspecReport } from '../../src/report/schema.js'
import type { LeakReport } from '../../src/core/report.js'

expect.extend(matchers)

const NODE_MAJOR = Number(process.versions.node.split('.')[0])
/** Reproduced: Node 20 keeps a WeakRef per AbortSignal.any() of a long-lived signal; Node 24 does not. */
const ABORT_ANY_LEAKS = NODE_MAJOR === 20

const marks: KnownLeak = {
  id: 'perf-marks',
  package: 'node',
  link: 'https://nodejs.org/api/perf_hooks.html#performanceclearmarksname',
  description: 'performance.mark() keeps every mark until performance.clearMarks()',
  constructorName: 'PerformanceMark',
}

describe('version ranges', () => {
  test('comparators, sets, wildcards', () => {
    expect(satisfies('20.20.2', '>=20.3.0 <21')).toBe(true)
    expect(satisfies('21.0.0', '>=20.3.0 <21')).toBe(false)
    expect(satisfies('20.2.9', '>=20.3.0 <21')).toBe(false)
    expect(satisfies('4.4.2', '<=4.4.2')).toBe(true)
    expect(satisfies('4.4.3', '<=4.4.2')).toBe(false)
    expect(satisfies('22.9.0', '20.x || 22')).toBe(true)
    expect(satisfies('24.1.0', '20.x || 22')).toBe(false)
    expect(satisfies('v24.1.0', '*')).toBe(true)
    expect(satisfies('not a version', '*')).toBe(false)
    expect(isValidRange('>=1.2 <2')).toBe(true)
    expect(isValidRange('~1.2.0')).toBe(false)
    expect(isValidRange('')).toBe(false)
  })
})

describe('options', () => {
  test('a bad entry is a TypeError naming the item and the fix', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [[{ id: 'x', package: 'p', link: 'l' }], /item 0 needs at least one of `constructorName`, `path` and `frame`/],
      [[{ package: 'p', link: 'l', path: 'a' }], /item 0 needs `id` as a non-empty string/],
      [[{ id: 'x', package: 'p', link: 'l', path: 'a', versions: '~1' }], /`versions` "~1", which is not a version range/],
      [[{ id: 'x', package: 'p', link: 'l', path: 'a', colour: 1 }], /unknown field `colour`/],
      [[marks, marks], /item 1 repeats the id "perf-marks"/],
      ['perf-marks', /`knownLeaks` must be an array of known-leak entries/],
    ]
    for (const [knownLeaks, message] of bad) {
      await expect(measureLeaks(() => {}, { knownLeaks } as never)).rejects.toThrow(TypeError)
      await expect(measureLeaks(() => {}, { knownLeaks } as never)).rejects.toThrow(message)
    }
  })
})

describe('built-in entries', () => {
  // In a fresh process, as a test file would meet it (fresh-process runs: a leak verdict in 8 of 8).
  test.runIf(ABORT_ANY_LEAKS)('Node 20: AbortSignal.any() of a long-lived signal is a known leak in node, reported and not failed', () => {
    const check = (which: 'with' | 'without') => {
      const result = spawnSync(process.execPath, ['--expose-gc', path.resolve(__dirname, '../fixtures/known/abort-any.mjs'), which], { encoding: 'utf8', timeout: 180_000 })
      expect(result.status, result.stderr).toBe(0)
      return JSON.parse(result.stdout.trim()) as { outcome: string; verdict: string; reason?: string; message?: string; known: KnownLeakMatch[] }
    }
    const without = check('without')
    const withRegistry = check('with')
    // Without the registry it is a leak, diagnosed as a WeakRef held by the long-lived signal.
    expect(without!.outcome).toBe('failed')
    expect(without!.message).toMatch(/\n  WeakRef  [\d.]+ per call/)
    expect(without!.message).toMatch(/<symbol kDependantSignals>: Set › entry › WeakRef/)
    // With it, the same growth passes and says which known leak it is.
    expect(withRegistry).toMatchObject({ outcome: 'passed', verdict: 'clean', reason: `every leaking signal (heap) is a known leak in node@${process.versions.node}` })
    expect(withRegistry!.known).toEqual([
      expect.objectContaining({ id: 'node-abortsignal-any', package: 'node', version: process.versions.node, builtin: true, signal: 'heap', link: 'https://github.com/nodejs/node/issues/55351' }),
    ])
    expect(withRegistry!.known[0]!.kinds).toEqual([expect.objectContaining({ name: 'WeakRef' })])
  }, 240_000)

  test.runIf(!ABORT_ANY_LEAKS)('Node 24: AbortSignal.any() of a long-lived signal is clean, no known leak needed', async () => {
    const root = new AbortController()
    const report = await measureLeaks(() => AbortSignal.any([root.signal]))
    expect(report.verdict).toBe('clean')
    expect(report.known).toBeUndefined()
  })
})

describe('user entries', () => {
  afterAll(() => performance.clearMarks())

  test('a leak the user declares known passes; the same leak without the entry, or outside its versions, fails', async () => {
    const mark = (): unknown => performance.mark('request')
    const report = await assertNoLeaks(mark, { knownLeaks: [marks] })
    expect(report.verdict).toBe('clean')
    expect(report.known?.[0]).toMatchObject({ id: 'perf-marks', builtin: false, version: process.versions.node })
    expect(report.known![0]!.kinds.map((kind) => kind.name)).toContain('PerformanceMark')

    const outside = { ...marks, versions: '<1' }
    const failure = await assertNoLeaks(mark, { knownLeaks: [outside] }).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(LeakError)
    expect((failure as LeakError).report.known).toBeUndefined()
  }, 120_000)

  test('a leak of its own next to a known one still fails, and the message says which part is known', async () => {
    const kept: object[] = []
    let id = 0
    const both = (): void => {
      performance.mark('request')
      kept.push({ id: id++, owner: 'own leak' })
    }
    const failure = (await assertNoLeaks(both, { knownLeaks: [marks] }).catch((error: unknown) => error)) as LeakError
    expect(failure).toBeInstanceOf(LeakError)
    const message = failure.message
    expect(message).toContain('Known leaks (reported, not failed):')
    expect(message).toMatch(new RegExp(`known leak in node@${process.versions.node.replace(/\./g, '\\.')} \\(https://nodejs\\.org/api/perf_hooks\\.html#performanceclearmarksname\\) \\[knownLeaks\\]: heap — PerformanceMark 1 per call`))
    expect(message).toMatch(/heap not explained by a known leak: [\d.]+ B per call \(floor 16 B per call\) — still a leak/)
    expect(message).toMatch(/held by: .* kept: Array › \[\d+\]: Object/)
    expect(failure.report.verdict).toBe('leak')
  }, 120_000)
})

describe('the end of a run', () => {
  let scratch: string | undefined
  afterAll(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true })
  })

  test('lists the ignore rules and known-leak entries that matched nothing; the JSON and HTML name the known leak', async () => {
    const reports: LeakReport[] = []
    // A known leak the user declared, which matches.
    reports.push(await assertNoLeaks(() => performance.mark('request'), { knownLeaks: [marks] }))
    // An ignore rule that keeps listeners out (the same function added again and again: one array slot,
    // 8 B, per call, below the heap floor), one that keeps nothing out, and a known entry that matches nothing.
    const emitter = new EventEmitter()
    emitter.setMaxListeners(0)
    const onData = (): void => {}
    const stale: KnownLeak = { id: 'legacy-cache', package: 'node', link: 'https://example.invalid/issue/1', path: /legacyCache: Map/ }
    reports.push(
      await measureLeaks(
        () => {
          emitter.on('data', onData)
        },
        { ignoreEvents: ['data', 'close'], knownLeaks: [stale] },
      ),
    )
    performance.clearMarks()
    emitter.removeAllListeners()
    expect(reports[1]!.ignored).toMatchObject({ 'ignoreEvents: data (listeners)': expect.any(Number) })
    expect(reports.map((report) => report.verdict)).toEqual(['clean', 'clean'])
    const tests = reports.map((report, index) => toReportTest({ file: 'known.test.ts', titlePath: [`check ${index + 1}`], status: 'passed', checks: [toRecord(report)] })!)
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-known-'))
    let printed = ''
    const { report, written } = finishRun({
      tests,
      source: { runner: 'vitest', createdAt: new Date().toISOString() },
      options: resolveReportOptions({ outputDir: scratch }, 'test'),
      root: scratch,
      log: (text) => (printed += text),
    })
    expect(printed).toContain('leakspec: known leaks (reported, not failed):')
    expect(printed).toMatch(/known\.test\.ts > check 1: known leak in node@[\d.]+ \(https:\/\/nodejs\.org\/api\/perf_hooks\.html#performanceclearmarksname\) — heap [\d.]+ B per call/)
    expect(printed).toContain(
      "leakspec: 2 ignore rules or known-leak entries matched nothing in this run (stale? remove or update them): ignoreEvents: 'close' (in force in 1 check), knownLeaks: 'legacy-cache' (in force in 1 check)",
    )
    expect(report.unmatchedRules).toEqual([
      { rule: "ignoreEvents: 'close'", checks: 1 },
      { rule: "knownLeaks: 'legacy-cache'", checks: 1 },
    ])
    const json = JSON.parse(fs.readFileSync(written.find((file) => file.endsWith('.json'))!, 'utf8')) as LeakspecReport
    const known = json.tests.flatMap((entry) => entry.checks).flatMap((check) => check.known ?? [])
    expect(known).toEqual([expect.objectContaining({ id: 'perf-marks', package: 'node', link: marks.link })])
    expect(json.unmatchedRules).toHaveLength(2)
    const html = fs.readFileSync(written.find((file) => file.endsWith('.html'))!, 'utf8')
    expect(html).toContain(`known leak in node@${process.versions.node} (https://nodejs.org/api/perf_hooks.html#performanceclearmarksname)`)
    expect(html).toContain('Ignore rules and known-leak entries that matched nothing')
  }, 120_000)
})
