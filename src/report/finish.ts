/**
 * What both reporters do when a run ends: build the report, print the table, write the files.
 */
import { relative } from 'node:path'
import { buildReport } from './build.js'
import { reportDir, shardJsonName, type ResolvedReportOptions } from './options.js'
import type { LeakspecReport, ReportSource, ReportTest } from './schema.js'
import { formatTable, formatUnmatchedRules } from './table.js'
import { writeReport } from './write.js'

/** Inputs of {@link finishRun}. */
export interface FinishRunInput {
  readonly tests: readonly ReportTest[]
  readonly source: ReportSource
  readonly options: ResolvedReportOptions
  /** The runner's root directory (report paths and the output directory are relative to it). */
  readonly root: string
  /** Set when the run was one shard of several. */
  readonly shard?: { readonly index: number; readonly count: number }
  /** Prints a block of text. */
  readonly log: (text: string) => void
  /** How to merge the shards, in words (printed after a shard's report). */
  readonly mergeHint?: string
}

/**
 * Builds the report; when any test ran a leak check, prints the table and writes the files
 * (a shard writes only `leakspec-report-shard-<i>-of-<n>.json`). Silent when no test ran a check.
 * @returns the report and the files written (none when no test ran a check)
 */
export function finishRun(input: FinishRunInput): { report: LeakspecReport; written: string[] } {
  const report = buildReport(input.tests, [input.source])
  if (report.tests.length === 0) return { report, written: [] }
  const dir = reportDir(input.options, input.root)
  let written: string[] = []
  let error: string | undefined
  try {
    written = input.shard
      ? writeReport(dir, report, { json: true, html: false, jsonName: shardJsonName(input.shard.index, input.shard.count) })
      : writeReport(dir, report, { json: input.options.json, html: input.options.html })
  } catch (caught) {
    error = `leakspec: could not write the report to ${dir}: ${(caught as Error).message}`
  }
  const lines: string[] = []
  if (input.options.table) lines.push('', formatTable(report))
  const unmatched = formatUnmatchedRules(report)
  if (unmatched !== '') lines.push(unmatched)
  if (written.length > 0) {
    lines.push(`leakspec: report ${written.map((path) => relative(process.cwd(), path) || path).join(', ')}`)
  }
  if (input.shard && written.length > 0 && input.mergeHint) lines.push(`leakspec: shard ${input.shard.index}/${input.shard.count}; ${input.mergeHint}`)
  if (error) lines.push(error)
  if (lines.length > 0) input.log(lines.join('\n'))
  return { report, written }
}
