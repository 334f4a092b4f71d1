/**
 * Runs the repository's TypeScript compiler on a tsconfig in a subprocess.
 */
import { join } from 'node:path'
import { ROOT } from './envs.js'
import { run, type RunResult } from './run.js'

/**
 * `tsc -p <project>` with the repository's TypeScript, run from `project` so that bare imports
 * resolve from there (for example from an integration environment's node_modules).
 */
export function tsc(project: string, args: readonly string[] = []): Promise<RunResult> {
  return run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--pretty', 'false', ...args], {
    cwd: project,
    timeoutMs: 300_000,
  })
}
