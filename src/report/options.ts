/**
 * Options of the leakspec reporters (the Vitest plugin's `report` option and the Jest reporter's
 * options), validated once.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { describeValue } from '../core/options.js'
import { DEFAULT_REPORT_DIR, REPORT_DIR_ENV } from './schema.js'

/** What the reporters print and write. Every field is optional. */
export interface LeakspecReportOptions {
  /**
   * Directory of `leakspec-report.json` and `leakspec-report.html`, relative to the runner's root
   * directory. The `LEAKSPEC_REPORT_DIR` environment variable overrides it.
   * @default 'leakspec-report'
   */
  outputDir?: string
  /** Write `leakspec-report.json`. @default true */
  json?: boolean
  /** Write `leakspec-report.html`. @default true */
  html?: boolean
  /** Print the summary table after the run. @default true */
  table?: boolean
  /**
   * Print a progress line for a leak check still running after this many milliseconds (and again
   * at that interval); 0 turns progress lines off.
   * @default 10000
   */
  progressAfterMs?: number
}

/** Options with defaults applied. */
export interface ResolvedReportOptions {
  readonly outputDir: string
  readonly json: boolean
  readonly html: boolean
  readonly table: boolean
  readonly progressAfterMs: number
}

const KNOWN = ['outputDir', 'json', 'html', 'table', 'progressAfterMs'] as const

/**
 * Validates report options.
 * @param where how the user wrote them, for messages (`leakspec({ report })`)
 * @throws {TypeError} naming the key, the value received and the fix
 */
export function resolveReportOptions(options: unknown, where: string): ResolvedReportOptions {
  if (options === undefined || options === null) options = {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `leakspec: ${where} takes an object; received ${describeValue(options)}. Fix: for example { outputDir: 'leakspec-report' }.`,
    )
  }
  const given = options as Record<string, unknown>
  for (const key of Object.keys(given)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(`leakspec: unknown report option \`${key}\` in ${where}. Known options: ${KNOWN.join(', ')}.`)
    }
  }
  for (const key of ['json', 'html', 'table'] as const) {
    if (given[key] !== undefined && typeof given[key] !== 'boolean') {
      throw new TypeError(
        `leakspec: report option \`${key}\` in ${where} must be true or false; received ${describeValue(given[key])}. Fix: { ${key}: false }.`,
      )
    }
  }
  const dir = given['outputDir']
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) {
    throw new TypeError(
      `leakspec: report option \`outputDir\` in ${where} must be a directory path; received ${describeValue(dir)}. Fix: { outputDir: 'leakspec-report' }.`,
    )
  }
  const after = given['progressAfterMs']
  if (after !== undefined && (typeof after !== 'number' || !Number.isFinite(after) || after < 0)) {
    throw new TypeError(
      `leakspec: report option \`progressAfterMs\` in ${where} must be a number of milliseconds >= 0; received ${describeValue(after)}. ` +
        'Fix: { progressAfterMs: 10000 }, or 0 to turn progress lines off.',
    )
  }
  return {
    outputDir: (dir as string | undefined) ?? DEFAULT_REPORT_DIR,
    json: (given['json'] as boolean | undefined) ?? true,
    html: (given['html'] as boolean | undefined) ?? true,
    table: (given['table'] as boolean | undefined) ?? true,
    progressAfterMs: (after as number | undefined) ?? 10_000,
  }
}

/** The report directory: `$LEAKSPEC_REPORT_DIR`, else `outputDir`, resolved against `root`. */
export function reportDir(options: ResolvedReportOptions, root: string): string {
  const dir = process.env[REPORT_DIR_ENV] || options.outputDir
  return isAbsolute(dir) ? dir : resolve(join(root, dir))
}

/** The JSON file name of one shard's report: `leakspec-report-shard-1-of-2.json`. */
export function shardJsonName(index: number, count: number): string {
  return `leakspec-report-shard-${index}-of-${count}.json`
}
