/**
 * Checks shared by the report integration tests (Vitest and Jest): what the merged report of the
 * fixture suites (test/fixtures/reports) must hold, and the summary table's rows.
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { LeakspecReport, ReportTest } from '../../src/report/schema.js'

/** The hostile test name of the fixtures. */
export const HOSTILE = '</script><img src=x onerror=alert(1)>'
export const HOSTILE_DESCRIBE = '<b>bold & "quoted"</b>'

/** Reads a report file. */
export function readReport(path: string): LeakspecReport {
  return JSON.parse(readFileSync(path, 'utf8')) as LeakspecReport
}

/** The table's rows (the lines after the header), as `[test, verdict]`. */
export function tableRows(output: string): Array<[string, string]> {
  const lines = output.split('\n')
  const start = lines.findIndex((line) => /^leakspec: \d+ leak checks? in \d+ tests?:/.test(line))
  if (start === -1) return []
  const rows: Array<[string, string]> = []
  for (const line of lines.slice(start + 2)) {
    const match = /^ (.+?)\s{2,}(LEAK|clean|INCONCLUSIVE|FAILED|ERROR)\s/.exec(line)
    if (!match) break
    rows.push([match[1]!, match[2]!])
  }
  return rows
}

function byName(report: LeakspecReport, name: string): ReportTest {
  const found = report.tests.find((test) => test.name === name)
  if (!found) throw new Error(`no test "${name}" in the report: ${report.tests.map((test) => test.name).join(' | ')}`)
  return found
}

/**
 * The whole fixture suite's report: 5 tests with 6 checks, leaks first, every field filled in.
 * @param hookName the name of the test run as a leak check (differs between the runners)
 */
export function expectFullReport(report: LeakspecReport, runner: 'vitest' | 'jest', hookName: string): void {
  expect(report.schemaVersion).toBe(1)
  expect(report.sources.map((source) => source.runner)).toContain(runner)
  expect(report.tests.map((test) => test.name).sort()).toEqual(
    [
      'heap: leaky function fails',
      'heap: clean function passes',
      `${HOSTILE_DESCRIBE} > ${HOSTILE}`,
      hookName,
      'hook: two checks in one test',
    ].sort(),
  )
  expect(report.summary).toMatchObject({ tests: 5, checks: 6, leak: 2, clean: 4, inconclusive: 0 })
  // Failing tests first.
  expect(report.tests.slice(0, 2).map((test) => test.checks[0]!.verdict)).toEqual(['leak', 'leak'])
  expect(report.tests.slice(2).every((test) => test.checks.every((check) => check.verdict === 'clean'))).toBe(true)

  const heap = byName(report, 'heap: leaky function fails')
  expect(heap.file).toBe(runner === 'vitest' ? 'heap.test.ts' : 'heap.test.js')
  expect(heap.status).toBe('failed')
  const heapCheck = heap.checks[0]!
  expect(heapCheck).toMatchObject({ source: 'matcher', verdict: 'leak', floor: 16 })
  expect(heapCheck.leaks.map((leak) => leak.key)).toEqual(['heap'])
  expect(heapCheck.heapPerCall).toBeGreaterThan(100)
  expect(heapCheck.rounds.length).toBeGreaterThanOrEqual(4)
  expect(heapCheck.rounds.filter((round) => round.counted).length).toBeGreaterThanOrEqual(3)
  expect(heapCheck.signals.find((signal) => signal.key === 'heap')?.status).toBe('leak')
  expect(heapCheck.diagnosis).toMatch(/Diagnosis|Diagnosis skipped/)

  const listener = byName(report, `${HOSTILE_DESCRIBE} > ${HOSTILE}`)
  expect(listener.titlePath).toEqual([HOSTILE_DESCRIBE, HOSTILE])
  const listenerCheck = listener.checks[0]!
  expect(listenerCheck.verdict).toBe('leak')
  expect(listenerCheck.listenersPerCall).toBe(1)
  // One listener per call on a long-lived emitter is decided by the count schedule, whose readings the report keeps.
  expect(listenerCheck.decidedBy).toBe('counts')
  expect(listenerCheck.checkpoints?.calls.slice(0, 4)).toEqual([0, 1, 2, 4])
  expect(listenerCheck.checkpoints?.counts['listeners:data']?.at(-1)).toBeGreaterThanOrEqual(16)
  expect(listenerCheck.diagnosis).toContain("'data' listeners")

  const hook = byName(report, hookName)
  expect(hook.hook?.status).toBe('clean')
  expect(hook.checks.map((check) => check.source)).toEqual(['hook'])
  expect(hook.checks[0]!.floor).toBe(64)

  const two = byName(report, 'hook: two checks in one test')
  expect(two.checks.map((check) => [check.source, check.verdict])).toEqual([
    ['matcher', 'clean'],
    ['matcher', 'clean'],
  ])
  // Never heap contents: the leaked objects' strings are nowhere in the report.
  expect(JSON.stringify(report)).not.toContain('SECRET-')
}
