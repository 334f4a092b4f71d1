/**
 * The `leakspec` command: one sub-command a module under `src/cli/`, dispatched from the table
 * below. Each sub-command module exports a `command` (`CliCommand`, from `command.ts`): a one-line
 * `summary` for the help text and `run(argv): Promise<number>` (the exit code).
 */
import process from 'node:process'
import type { CliCommand } from './command.js'


/** Sub-commands by name, loaded on demand so `leakspec --help` stays instant. */
const commands: Record<string, () => Promise<CliCommand>> = {
  // Each command adds one line here:
  merge: async () => (await import('./merge.js')).command,
  diff: async () => (await import('./diff.js')).command,
}

function usage(): string {
  const names = Object.keys(commands).sort()
  return [
    'Usage: leakspec <command> [options]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name}`),
    '',
    'Run `leakspec <command> --help` for the options of a command.',
  ].join('\n')
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`)
    return name === undefined ? 2 : 0
  }
  const load = commands[name]
  if (!load) {
    process.stderr.write(`leakspec: unknown command '${name}'.\n\n${usage()}\n`)
    return 2
  }
  const command = await load()
  return command.run(rest)
}
