/**
 * The report model: records → tests and checks, ordering, totals, the terminal table, options and
 * progress lines.
 */
import { describe, expect, it } from 'vitest'
import { buildReport, sortTests, summarize, toReportCheck, toReportTest } from '../../src/report/build.js'
import { resolveReportOptions } from '../../src/report/options.js'
import { Progress } from '../../src/report/progress.js'
import { formatTable } from '../../src/report/table.js'
import { CLEAN, HEAP_LEAK, HOOK_CLEAN, HOOK_FAILED, HOSTILE_NAME, LISTENER_LEAK, OLD_STYLE } from '../fixtures/reports/records.js'

const SOURCE = { runner: 'vitest', createdAt: '2026-01-01T00:00:00.000Z' }

describe('records to report', () => {
  it('keeps the per-round series, signals, floor and diagnosis of a check', () => {
    const check = toReportCheck(HEAP_LEAK, 'matcher')
    expect(check.rounds.map((round) => round.heapPerCall)).toEqual(HEAP_LEAK.heapPerCall)
    expect(check.rounds.filter((round) => round.counted).map((round) => round.round)).toEqual([5, 6, 7, 8])
    expect(check.heapPerCall).toBe(572.3)
    expect(check.floor).toBe(16)
    expect(check.signals).toHaveLength(2)
    expect(check.diagnosis).toContain('held by:')
  })

  it('sums handles and listeners per call from the leaked count signals', () => {
    const check = toReportCheck(LISTENER_LEAK, 'matcher')
    expect(check.handlesPerCall).toBe(1)
    expect(check.listenersPerCall).toBe(1)
    expect(check.heapPerCall).toBe(69.1)
  })

  it('a clean check reports the growth of its last counted round', () => {
    expect(toReportCheck(CLEAN, 'matcher').heapPerCall).toBe(1.1)
  })

  it('reads records written before reports existed (heap series only)', () => {
    const check = toReportCheck(OLD_STYLE, 'matcher')
    expect(check.rounds).toEqual([
      { round: 1, calls: 33, counted: false, heapPerCall: 100, counts: {} },
      { round: 2, calls: 65, counted: false, heapPerCall: 20, counts: {} },
      { round: 3, calls: 129, counted: false, heapPerCall: 3, counts: {} },
    ])
    expect(check.signals).toEqual([])
    expect(check.heapPerCall).toBe(3)
  })

  it('reports the hook check once, even though the runner also appends it to the matcher records', () => {
    const test = toReportTest({ file: 'a.test.ts', titlePath: ['t'], status: 'passed', checks: [HOOK_CLEAN.check!], hook: HOOK_CLEAN })!
    expect(test.checks.map((check) => check.source)).toEqual(['hook'])
    expect(test.hook).toEqual({ status: 'clean', repetitions: 1200 })
  })

  it('skips tests without checks, keeps a hook test that failed before a verdict', () => {
    expect(toReportTest({ file: 'a.test.ts', titlePath: ['t'], status: 'passed', checks: [] })).toBeUndefined()
    const failed = toReportTest({ file: 'a.test.ts', titlePath: ['t'], status: 'failed', hook: HOOK_FAILED })!
    expect(failed.checks).toEqual([])
    expect(failed.hook).toEqual({ status: 'failed', repetitions: 3, failedAt: 3 })
  })

  it('orders leaks first, then failures before a verdict, inconclusive, clean; then by file and name', () => {
    const inconclusive = { ...CLEAN, verdict: 'inconclusive' as const, cause: 'time-budget' }
    const tests = [
      toReportTest({ file: 'b.test.ts', titlePath: ['clean b'], status: 'passed', checks: [CLEAN] })!,
      toReportTest({ file: 'a.test.ts', titlePath: ['clean a'], status: 'passed', checks: [CLEAN] })!,
      toReportTest({ file: 'c.test.ts', titlePath: ['unsure'], status: 'failed', checks: [inconclusive] })!,
      toReportTest({ file: 'c.test.ts', titlePath: ['failed'], status: 'failed', hook: HOOK_FAILED })!,
      toReportTest({ file: 'z.test.ts', titlePath: ['leak'], status: 'failed', checks: [CLEAN, HEAP_LEAK] })!,
    ]
    expect(sortTests(tests).map((test) => test.name)).toEqual(['leak', 'failed', 'unsure', 'clean a', 'clean b'])
    expect(summarize(tests)).toEqual({ tests: 5, checks: 5, clean: 3, leak: 1, inconclusive: 1, failedBeforeVerdict: 1 })
  })

  it('builds a versioned report', () => {
    const report = buildReport([], [SOURCE], new Date(0))
    expect(report).toMatchObject({ schemaVersion: 1, createdAt: '1970-01-01T00:00:00.000Z', sources: [SOURCE], tests: [] })
    expect(report.leakspecVersion).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('terminal table', () => {
  it('is empty when no test ran a leak check', () => {
    expect(formatTable(buildReport([], [SOURCE]))).toBe('')
  })

  it('has a row per check, failing tests first, with the figures of each', () => {
    const report = buildReport(
      [
        toReportTest({ file: 'c.test.ts', titlePath: ['clean'], status: 'passed', checks: [CLEAN] })!,
        toReportTest({ file: 'l.test.ts', titlePath: ['outer', 'listeners'], status: 'failed', checks: [LISTENER_LEAK, CLEAN] })!,
        toReportTest({ file: 'h.test.ts', titlePath: ['hook'], status: 'failed', hook: HOOK_FAILED })!,
      ],
      [SOURCE],
    )
    expect(formatTable(report).split('\n')).toEqual([
      'leakspec: 3 leak checks in 3 tests: 1 leak, 2 clean, 1 failed before a verdict',
      ' test                                verdict  heap/call  handles/call  listeners/call  calls  GCs    time',
      ' l.test.ts > outer > listeners (#1)  LEAK        69.1 B             1               1   4160   24   1.9 s',
      ' l.test.ts > outer > listeners (#2)  clean        1.1 B             0               0   1139   21  899 ms',
      ' h.test.ts > hook                    FAILED           -             -               -      3    -       -',
      ' c.test.ts > clean                   clean        1.1 B             0               0   1139   21  899 ms',
    ])
  })

  it('shortens long names in the middle', () => {
    const report = buildReport(
      [toReportTest({ file: 'a.test.ts', titlePath: ['x'.repeat(100), HOSTILE_NAME], status: 'passed', checks: [CLEAN] })!],
      [SOURCE],
    )
    const row = formatTable(report, { nameWidth: 40 }).split('\n')[2]!
    expect(row).toMatch(/^ a\.test\.ts > x+…src=x onerror=alert\(1\)>  clean/)
    expect(row.indexOf('  clean')).toBe(41)
  })
})

describe('report options', () => {
  it('has defaults', () => {
    expect(resolveReportOptions(undefined, 'x')).toEqual({
      outputDir: 'leakspec-report',
      json: true,
      html: true,
      table: true,
      progressAfterMs: 10_000,
    })
  })

  it.each([
    [{ outDir: 'x' }, /unknown report option `outDir` in leakspec\(\{ report \}\)\. Known options: outputDir, json, html, table, progressAfterMs\./],
    [{ html: 'yes' }, /report option `html` in leakspec\(\{ report \}\) must be true or false; received "yes" \(string\)\. Fix: \{ html: false \}\./],
    [{ outputDir: '' }, /report option `outputDir` .* must be a directory path/],
    [{ progressAfterMs: -1 }, /`progressAfterMs` .* must be a number of milliseconds >= 0; received -1 \(number\)/],
    ['dir', /leakspec\(\{ report \}\) takes an object; received "dir" \(string\)/],
  ])('rejects %j with a TypeError naming the fix', (options, message) => {
    expect(() => resolveReportOptions(options, 'leakspec({ report })')).toThrow(TypeError)
    expect(() => resolveReportOptions(options, 'leakspec({ report })')).toThrow(message)
  })
})

describe('progress lines', () => {
  it('prints tests running longer than the threshold, until they end', () => {
    let clock = 0
    const lines: string[] = []
    const progress = new Progress({ afterMs: 10_000, write: (line) => lines.push(line), now: () => clock })
    progress.start('a', 'a.test.ts > slow check')
    progress.start('b', 'b.test.ts > quick check')
    clock = 5_000
    expect(progress.tick()).toEqual([])
    progress.end('b')
    clock = 12_000
    expect(progress.tick()).toEqual(['leakspec: still checking a.test.ts > slow check (12.0 s)'])
    progress.end('a')
    clock = 30_000
    expect(progress.tick()).toEqual([])
    expect(lines).toHaveLength(1)
  })

  it('prints nothing when turned off', () => {
    let clock = 0
    const progress = new Progress({ afterMs: 0, write: () => {}, now: () => clock })
    progress.start('a', 'a')
    clock = 1e9
    expect(progress.tick()).toEqual([])
    progress.stop()
  })
})
