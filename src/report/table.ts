/**
 * The terminal summary: one row per leak check, failing tests first.
 *
 * ```
 * leakspec: 3 leak checks in 3 tests: 1 leak, 2 clean
 *  test                                   verdict   heap/call  handles/call  listeners/call  calls  GCs    time
 *  client.test.ts > buggy client leaks    LEAK       1.1 kB             0               1    480   22  1.4 s
 * ```
 */
import { knownLeakLabel } from '../core/known.js'
import { formatBytes } from '../message/format.js'
import { testVerdict } from './build.js'
import type { LeakspecReport, ReportCheck, ReportTest } from './schema.js'

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Widest the test column may be, characters. @default 60 */
  readonly nameWidth?: number
}

function shorten(text: string, width: number): string {
  if (text.length <= width) return text
  const keep = width - 1
  const head = Math.ceil(keep * 0.4)
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`
}

/** Formats a count per call: `0`, `1`, `0.50`. */
export function formatPerCall(value: number): string {
  if (value === 0) return '0'
  const rounded = Math.round(value)
  return Math.abs(value - rounded) < 0.05 ? String(rounded) : value.toFixed(2)
}

/** Formats milliseconds: `85 ms`, `4.2 s`, `2.1 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  return `${(ms / 60_000).toFixed(1)} min`
}

function verdictWord(test: ReportTest, check: ReportCheck | undefined): string {
  const word = check ? check.verdict : testVerdict(test)
  return word === 'clean' ? 'clean' : word.toUpperCase()
}

function testLabel(test: ReportTest): string {
  return `${test.project ? `[${test.project}] ` : ''}${test.file} > ${test.name}`
}

/**
 * The summary table as plain text (no colours), or `''` when the report has no tests.
 */
export function formatTable(report: LeakspecReport, options: TableOptions = {}): string {
  if (report.tests.length === 0) return ''
  const nameWidth = options.nameWidth ?? 60
  const header = ['test', 'verdict', 'heap/call', 'handles/call', 'listeners/call', 'calls', 'GCs', 'time']
  const rows: string[][] = []
  for (const test of report.tests) {
    const label = testLabel(test)
    if (test.checks.length === 0) {
      const hook = test.hook
      rows.push([shorten(label, nameWidth), verdictWord(test, undefined), '-', '-', '-', String(hook?.repetitions ?? '-'), '-', '-'])
      continue
    }
    test.checks.forEach((check, index) => {
      const name = test.checks.length > 1 ? `${label} (#${index + 1})` : label
      rows.push([
        shorten(name, nameWidth),
        verdictWord(test, check),
        formatBytes(check.heapPerCall),
        formatPerCall(check.handlesPerCall),
        formatPerCall(check.listenersPerCall),
        String(check.calls),
        String(check.gcs),
        formatDuration(check.durationMs),
      ])
    })
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd()
  const summary = report.summary
  const parts = [`${summary.leak} leak`, `${summary.clean} clean`]
  if (summary.inconclusive > 0) parts.push(`${summary.inconclusive} inconclusive`)
  if (summary.failedBeforeVerdict > 0) parts.push(`${summary.failedBeforeVerdict} failed before a verdict`)
  const title =
    `leakspec: ${summary.checks} leak check${summary.checks === 1 ? '' : 's'} in ${summary.tests} test` +
    `${summary.tests === 1 ? '' : 's'}: ${parts.join(', ')}`
  return [title, ` ${line(header)}`, ...rows.map((row) => ` ${line(row)}`), ...knownLeakLines(report)].join('\n')
}

/** `leakspec: known leaks (reported, not failed):` and one line per check and known leak; none when no check matched one. */
export function knownLeakLines(report: LeakspecReport): string[] {
  const lines: string[] = []
  for (const test of report.tests) {
    for (const check of test.checks) {
      for (const match of check.known ?? []) {
        const what = match.signal === 'heap' ? `heap ${formatBytes(match.bytesPerCall)} per call` : match.signal
        lines.push(`  ${testLabel(test)}: ${knownLeakLabel(match)} — ${what}`)
      }
    }
  }
  return lines.length === 0 ? [] : ['leakspec: known leaks (reported, not failed):', ...lines]
}

/** The end-of-run line listing the user's ignore rules and known-leak entries that matched nothing; `''` when there are none. */
export function formatUnmatchedRules(report: LeakspecReport): string {
  const rules = report.unmatchedRules ?? []
  if (rules.length === 0) return ''
  const listed = rules.map((entry) => `${entry.rule} (in force in ${entry.checks} check${entry.checks === 1 ? '' : 's'})`)
  return (
    `leakspec: ${rules.length} ignore rule${rules.length === 1 ? '' : 's'} or known-leak entr${rules.length === 1 ? 'y' : 'ies'} ` +
    `matched nothing in this run (stale? remove or update ${rules.length === 1 ? 'it' : 'them'}): ${listed.join(', ')}`
  )
}
