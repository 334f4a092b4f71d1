/** The shape of a sub-command of the `leakspec` command (each module under `src/cli/` exports one as `command`). */

/** A sub-command: its one-line description and its entry point. */
export interface CliCommand {
  /** One line for `leakspec --help`. */
  readonly summary: string
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  readonly run: (argv: readonly string[]) => Promise<number>
}
