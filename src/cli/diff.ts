/**
 * `leakspec diff <before.heapsnapshot> <after.heapsnapshot>`: what grew between two heap snapshots of
 * one process, and who holds it — the start of turning a production leak into a regression test.
 */
import process from 'node:process'
import { diffSnapshotFiles, formatSnapshotDiff, SnapshotDiffError } from '../diagnose/snapshot-diff.js'
import type { CliCommand } from './command.js'

/** Where the command writes: standard output and standard error, and whether stderr is a terminal. */
export interface DiffOutput {
  /** Writes to standard output. */
  readonly out: (text: string) => void
  /** Writes to standard error. */
  readonly err: (text: string) => void
  /** Whether to print progress lines on standard error. @default false */
  readonly progress?: boolean
}

const USAGE = `Usage: leakspec diff [options] <before.heapsnapshot> <after.heapsnapshot>

Compares two heap snapshots of one process, the older first: which kinds of object grew (count and
self bytes, most bytes added first), and the shortest path from a GC root to an object added of each
of the top kinds — the same diagnosis a failing toLeak prints.

Snapshots from Chrome DevTools, v8.writeHeapSnapshot() and node --heapsnapshot-signal have the same
format; gzip-compressed files are read as they are. Files are streamed, never read whole.

Options:
  --top N     how many kinds to list (default 10); the first 5 get a retainer path
  --json      print the result as JSON instead of text
  -h, --help  show this help

Exit codes: 0 done · 1 a file is missing, unreadable, not a heap snapshot, truncated, or the two come
from different processes · 2 wrong arguments (also: the same file twice, or the files in the wrong order)

Example:
  node --heapsnapshot-signal=SIGUSR2 server.js &
  kill -USR2 <pid>        # before: writes Heap.<date>.<time>.<pid>.0.001.heapsnapshot
  # ... let the process run (send traffic) ...
  kill -USR2 <pid>        # after: Heap.<...>.002.heapsnapshot
  leakspec diff Heap.*.001.heapsnapshot Heap.*.002.heapsnapshot`

interface Parsed {
  readonly files: string[]
  readonly top: number
  readonly json: boolean
  readonly help: boolean
}

function usageError(message: string): SnapshotDiffError {
  return new SnapshotDiffError('usage', message)
}

function parseArgs(argv: readonly string[]): Parsed {
  const files: string[] = []
  let top = 10
  let json = false
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      files.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-h' || arg === '--help') help = true
    else if (arg === '--json') json = true
    else if (arg === '--top' || arg.startsWith('--top=')) {
      const value = arg === '--top' ? argv[++i] : arg.slice('--top='.length)
      if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000) {
        throw usageError(`--top needs a whole number from 1 to 10000, received ${value === undefined ? 'nothing' : JSON.stringify(value)}. Example: --top 20`)
      }
      top = Number(value)
    } else if (arg.startsWith('-') && arg !== '-') {
      throw usageError(`unknown option ${arg}. The options are --top N, --json and --help.`)
    } else files.push(arg)
  }
  return { files, top, json, help }
}

/**
 * Runs `leakspec diff` with the arguments after `diff`.
 * @returns the exit code: 0 done, 1 a bad file, 2 wrong arguments
 */
export async function runDiff(argv: readonly string[], output: DiffOutput): Promise<number> {
  try {
    const args = parseArgs(argv)
    if (args.help) {
      output.out(`${USAGE}\n`)
      return 0
    }
    if (args.files.length !== 2) {
      throw usageError(
        `needs two heap snapshot files, the older first; received ${args.files.length === 0 ? 'none' : args.files.length === 1 ? 'one' : args.files.length}.`,
      )
    }
    const [before, after] = args.files as [string, string]
    const diff = await diffSnapshotFiles(before, after, {
      top: args.top,
      ...(output.progress ? { onProgress: (message: string) => output.err(`${message}\n`) } : {}),
    })
    output.out(args.json ? `${JSON.stringify(diff, null, 2)}\n` : `${formatSnapshotDiff(diff)}\n`)
    return 0
  } catch (error) {
    if (!(error instanceof SnapshotDiffError)) throw error
    const hint = error.kind === 'usage' ? '\n\nUsage: leakspec diff [--top N] [--json] <before.heapsnapshot> <after.heapsnapshot>\n(leakspec diff --help for more)' : ''
    output.err(`leakspec diff: ${error.message}${hint}\n`)
    return error.kind === 'usage' ? 2 : 1
  }
}

/** The `diff` sub-command. */
export const command: CliCommand = {
  summary: 'what grew between two heap snapshots of one process, and who holds it',
  run: (argv) =>
    runDiff(argv, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      progress: process.stderr.isTTY === true,
    }),
}
