/**
 * The plugin's part of the leak-check hook (Vitest main process): defines the `leak` tag, installs
 * the leakspec runner and hands the `files` globs to the workers.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { compileFileGlobs } from '../hook/glob.js'
import { LEAK_TAG } from '../hook/selection.js'
import { HOOK_CONFIG_KEY, type HookProvided } from './hook-shared.js'

/** The tag definition the plugin adds, so `strictTags` accepts `tags: ['leak']`. */
export const LEAK_TAG_DEFINITION = Object.freeze({
  name: LEAK_TAG,
  description: 'leakspec: run this test as a leak check (hooks and body repeated; verdict by the toLeak engine)',
})

/** The parts of a project the hook touches. */
interface HookProjectLike {
  readonly config: object
  provide?(key: string, value: unknown): void
}

interface HookConfigLike {
  runner?: string
  tags?: Array<{ name: string; description?: string }>
}

/** Absolute path of the built runner entry (`dist/vitest/runner.js`). */
export function runnerFilePath(): string {
  for (const candidate of ['./runner.js', './vitest/runner.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new Error('leakspec: the Vitest runner file is missing from the installed package; reinstall leakspec.')
}

/**
 * Validates the plugin's `files` option.
 * @throws {TypeError} when it is not an array of glob strings
 */
export function validateHookFiles(files: unknown): void {
  compileFileGlobs(files, 'leakspec({ files })')
}

/**
 * Configures one project for the hook: adds the `leak` tag definition, sets the runner (unless the
 * project has its own custom runner, which then must extend `LeakspecRunner`; the worker-side guard
 * says so when it does not) and provides the `files` globs.
 */
export function configureHook(project: HookProjectLike, files: readonly string[] | undefined): void {
  const config = project.config as HookConfigLike
  config.tags ??= []
  if (!config.tags.some((tag) => tag.name === LEAK_TAG)) config.tags.push({ ...LEAK_TAG_DEFINITION })
  if (config.runner === undefined || config.runner === '') config.runner = runnerFilePath()
  const provided: HookProvided = files === undefined ? {} : { files: [...files] }
  project.provide?.(HOOK_CONFIG_KEY, provided)
}
