/**
 * Constants and types shared by the Vitest side of the leak-check hook (plugin, runner, `leakTest`).
 * Imports no Vitest runtime code, so the plugin can use it in Vitest's main process.
 */
import type { LeakOptions } from '../core/options.js'
import type { HookRecord } from '../hook/check.js'

/** Key under which the plugin provides the hook configuration to test workers (`inject`). */
export const HOOK_CONFIG_KEY = 'leakspec:hook'

/** Set on `globalThis` by the leakspec runner when it is constructed in a worker. */
export const RUNNER_MARK: unique symbol = Symbol.for('leakspec.vitest.runner') as never

/** Where the leakspec runner puts Vitest's `test` for `leakTest` (the same module instance test files import). */
export const RUNNER_TEST: unique symbol = Symbol.for('leakspec.vitest.test') as never

/** What the plugin provides to the runner under {@link HOOK_CONFIG_KEY}. */
export interface HookProvided {
  /** Globs (relative to the project root) of files whose every test is a leak check. */
  readonly files?: readonly string[]
}

/**
 * The shape of `task.meta.leakspecHook`: the options a test was declared with (`leakTest`) and,
 * once it ran, the outcome of its leak check. The engine's figures are also appended to
 * `task.meta.leakspec.checks`, like a `toLeak` check.
 */
export interface LeakspecHookMeta {
  /** Options given to `leakTest(name, fn, options)`. */
  readonly options?: LeakOptions
  /** Set after the test ran as a leak check. */
  readonly result?: HookRecord
}

/** Whether the leakspec runner runs in this worker. */
export function leakspecRunnerActive(): boolean {
  return (globalThis as Record<symbol, unknown>)[RUNNER_MARK] === true
}
