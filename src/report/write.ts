/**
 * Writes the report files (JSON and HTML), each atomically (temporary file + rename).
 */
import { join } from 'node:path'
import { writeFileAtomic } from './atomic.js'
import { renderHtml } from './html.js'
import { REPORT_HTML_FILE, REPORT_JSON_FILE, type LeakspecReport } from './schema.js'

export { writeFileAtomic }

/** Serializes a report as the JSON file holds it (two-space indent, trailing newline). */
export function reportJson(report: LeakspecReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}

/** What {@link writeReport} writes. */
export interface WriteReportOptions {
  /** Write `leakspec-report.json`. @default true */
  readonly json?: boolean
  /** Write `leakspec-report.html`. @default true */
  readonly html?: boolean
  /** Name of the JSON file. @default 'leakspec-report.json' */
  readonly jsonName?: string
}

/**
 * Writes the report files into `dir`, each atomically.
 * @returns the paths written
 */
export function writeReport(dir: string, report: LeakspecReport, options: WriteReportOptions = {}): string[] {
  const written: string[] = []
  if (options.json !== false) {
    const path = join(dir, options.jsonName ?? REPORT_JSON_FILE)
    writeFileAtomic(path, reportJson(report))
    written.push(path)
  }
  if (options.html !== false) {
    const path = join(dir, REPORT_HTML_FILE)
    writeFileAtomic(path, renderHtml(report))
    written.push(path)
  }
  return written
}
