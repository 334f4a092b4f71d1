/**
 * Runs a command in a subprocess with a time limit and collects its output.
 */
import { spawn } from 'node:child_process'

/** What a finished subprocess left. */
export interface RunResult {
  /** Exit code, or `null` when it was killed. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Wall-clock time, in milliseconds. */
  readonly durationMs: number
  /** `true` when the time limit killed it. */
  readonly timedOut: boolean
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd: string
  /** Extra environment variables (on top of a cleaned copy of this process's). */
  readonly env?: Record<string, string>
  /** Kill the process after this many milliseconds. @default 300000 */
  readonly timeoutMs?: number
  /**
   * Runs the command under this limit of open files (`ulimit -n`, through bash), as on a machine
   * whose default limit is low (macOS: 256). Absent: the limit this process has.
   */
  readonly fileLimit?: number
}

/**
 * The environment for a child test runner: this process's, without the variables the outer
 * Vitest set for its own workers (a child Vitest or Jest must not think it is a worker) and
 * without NODE_OPTIONS, plus NO_COLOR so messages are plain text.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('JEST') || key === 'NODE_OPTIONS' || key === 'TEST') continue
    if (key === 'NODE_ENV' || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', ...extra }
}

/**
 * Runs `command args` and resolves when it exits (never rejects for a non-zero exit).
 * @throws {Error} only when the process cannot be started
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const limit = options.fileLimit
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 16)) {
      throw new TypeError(`run: fileLimit must be an integer of at least 16; received ${limit}`)
    }
    // `exec "$0" "$@"`: bash sets the limit, then becomes the command (no quoting of the arguments).
    const [file, argv] = limit === undefined ? [command, args] : ['bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, command, ...args]]
    const child = spawn(file, argv, { cwd: options.cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 300_000)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut })
    })
  })
}
