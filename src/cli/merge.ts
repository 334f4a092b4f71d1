/**
 * `leakspec merge <files…> [--out <dir>]`: merges leakspec reports of shard runs
 * (`leakspec-report-shard-<i>-of-<n>.json`, or any `leakspec-report.json`) and Jest sidecar files
 * into one `leakspec-report.json` + `leakspec-report.html`, and prints the summary table.
 */
import { statSync, readdirSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import process from 'node:process'
import { mergeInputs, readMergeInput, type MergeInput } from '../report/merge.js'
import { DEFAULT_REPORT_DIR, REPORT_DIR_ENV } from '../report/schema.js'
import { formatTable } from '../report/table.js'
import { writeReport } from '../report/write.js'
import type { CliCommand } from './command.js'

const HELP = `Usage: leakspec merge <file|dir>... [--out <dir>] [--no-html] [--quiet]

Merges leakspec report files of sharded runs (and Jest sidecar files) into one report.

  <file|dir>   leakspec-report*.json files; a directory stands for the leakspec-report*.json files in it
  --out <dir>  where to write leakspec-report.json and leakspec-report.html
               (default: $${REPORT_DIR_ENV}, else ${DEFAULT_REPORT_DIR})
  --no-html    write only the JSON file
  --quiet      do not print the summary table

Example (Jest, two shards on one machine):
  jest --shard=1/2 && jest --shard=2/2
  leakspec merge leakspec-report/leakspec-report-shard-*.json --out leakspec-report`

interface Parsed {
  readonly files: string[]
  readonly out: string
  readonly html: boolean
  readonly quiet: boolean
}

function parse(argv: readonly string[]): Parsed | { error: string } | 'help' {
  const files: string[] = []
  let out: string | undefined
  let html = true
  let quiet = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return 'help'
    if (arg === '--out' || arg === '-o') {
      const value = argv[++i]
      if (value === undefined || value === '') return { error: '--out needs a directory, for example --out leakspec-report' }
      out = value
    } else if (arg.startsWith('--out=')) {
      out = arg.slice('--out='.length)
      if (out === '') return { error: '--out needs a directory, for example --out=leakspec-report' }
    } else if (arg === '--no-html') html = false
    else if (arg === '--quiet') quiet = true
    else if (arg.startsWith('-')) return { error: `unknown option ${arg}` }
    else files.push(arg)
  }
  if (files.length === 0) return { error: 'no files to merge' }
  return { files, out: out ?? (process.env[REPORT_DIR_ENV] || DEFAULT_REPORT_DIR), html, quiet }
}

/** A directory argument stands for the report files in it (not the merged report itself). */
function expand(path: string): string[] {
  try {
    if (!statSync(path).isDirectory()) return [path]
  } catch {
    return [path]
  }
  return readdirSync(path)
    .filter((name) => /^leakspec-report.*\.json$/.test(name) && name !== 'leakspec-report.json')
    .sort()
    .map((name) => join(path, name))
}

/** The `merge` sub-command. */
export const command: CliCommand = {
  summary: 'merge report files of sharded runs into one leakspec-report.json and .html',
  async run(argv) {
    const parsed = parse(argv)
    if (parsed === 'help') {
      process.stdout.write(`${HELP}\n`)
      return 0
    }
    if ('error' in parsed) {
      process.stderr.write(`leakspec merge: ${parsed.error}.\n\n${HELP}\n`)
      return 2
    }
    const inputs: MergeInput[] = []
    const files = parsed.files.flatMap(expand)
    if (files.length === 0) {
      process.stderr.write(`leakspec merge: no leakspec-report*.json files in ${parsed.files.join(', ')}.\n`)
      return 2
    }
    for (const file of files) {
      try {
        inputs.push(readMergeInput(file))
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        const message = code === 'ENOENT' ? `${file} does not exist` : (error as Error).message
        process.stderr.write(`leakspec merge: ${message}\n`)
        return 2
      }
    }
    const report = mergeInputs(inputs)
    const dir = resolve(parsed.out)
    const written = writeReport(dir, report, { json: true, html: parsed.html })
    if (!parsed.quiet) {
      const table = formatTable(report)
      process.stdout.write(`${table === '' ? 'leakspec: no test in these files ran a leak check' : table}\n`)
    }
    process.stdout.write(
      `leakspec: merged ${files.length} file(s) into ${written.map((path) => relative(process.cwd(), path) || path).join(', ')}\n`,
    )
    return 0
  },
}
