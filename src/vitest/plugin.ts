/**
 * The Vitest plugin: one line in `vitest.config` registers the matchers in every project and makes
 * GC available. Runs in Vitest's main process through `configureVitest` (once per project).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describeValue, resolveOptions, type LeakOptions } from '../core/options.js'
import { configureHook, validateHookFiles } from './hook-plugin.js'
import { resolveReportOptions, type LeakspecReportOptions } from '../report/options.js'
import { LeakspecReporter } from './reporter.js'
import { createBrowserCommands } from './browser-commands.js'

/** Options of the {@link leakspec} plugin. */
export interface LeakspecPluginOptions {
  /** Defaults for every `toLeak` in the project (and every test run as a leak check); each call can still override them. */
  defaults?: LeakOptions
  /**
   * Globs (relative to the project root) of test files whose every test runs as a leak check,
   * for example `['**\/*.leak.test.ts']`. Single tests: tag them `leak` or use `leakTest`; the whole
   * suite: set `LEAKSPEC=all`.
   */
  files?: string[]
  /**
   * The leak-check report: after the run, a table of the tests that ran leak checks, and
   * `leakspec-report.json` + `leakspec-report.html` in `outputDir` (see `LeakspecReportOptions`).
   * Nothing is printed or written when no test ran a leak check. `false` leaves the reporter out.
   * @default {}
   */
  report?: LeakspecReportOptions | false
}

/** The subset of Vitest's `configureVitest` context the plugin uses. */
export interface ConfigureVitestContextLike {
  readonly project: {
    readonly config: {
      setupFiles: string[]
      execArgv?: string[]
      pool?: string
      browser?: { enabled?: boolean; commands?: Record<string, unknown> }
    }
    provide?(key: string, value: unknown): void
  }
  /** The Vitest instance (its `config.reporters` gets the leakspec reporter). */
  readonly vitest?: { readonly config: { reporters: unknown[] } }
}

/** The plugin object (a Vite plugin with Vitest's `configureVitest` hook). */
export interface LeakspecVitestPlugin {
  readonly name: 'leakspec'
  configureVitest(context: ConfigureVitestContextLike): void
}

/** Key under which the plugin provides its defaults to test workers (`inject`). */
export const DEFAULTS_KEY = 'leakspec:defaults'

function setupFilePath(name = 'setup'): string {
  for (const candidate of [`./${name}.js`, `./vitest/${name}.js`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new Error(`leakspec: the Vitest ${name} file is missing from the installed package; reinstall leakspec.`)
}

const FORK_POOLS = new Set(['forks', 'vmForks'])

/** Marks a Vitest instance that has the leakspec reporter (configureVitest runs once per project). */
const REPORTER_MARK = Symbol.for('leakspec.vitest.reporter')

function addReporter(vitest: { readonly config: { reporters: unknown[] } }, options: LeakspecReportOptions | undefined, files: readonly string[] | undefined): void {
  const holder = vitest as unknown as Record<symbol, unknown>
  if (holder[REPORTER_MARK]) return
  holder[REPORTER_MARK] = true
  vitest.config.reporters.push(new LeakspecReporter(options ?? {}, files ? { files } : {}))
}

/**
 * The leakspec Vitest plugin. Add it to `plugins` in `vitest.config.ts`:
 *
 * ```ts
 * import { defineConfig } from 'vitest/config'
 * import { leakspec } from 'leakspec/vitest'
 * export default defineConfig({ plugins: [leakspec()] })
 * ```
 *
 * In each Node project it adds the `leakspec/vitest/setup` file (which registers `toLeak`
 * and the unawaited guard) and, for the `forks` and `vmForks` pools, `--expose-gc` to `execArgv`.
 * Thread pools cannot take that flag; there leakspec uses the runtime fallback to force GC.
 * In each Browser Mode project (`browser.enabled`) it adds `leakspec/vitest/browser` (the page's
 * `toLeak`) and the browser commands that force GC and read the page's heap over the Chrome DevTools
 * Protocol (Playwright provider, Chromium).
 *
 * @param options plugin options; `defaults` apply to every `toLeak` in the project
 * @throws {TypeError} for unknown plugin options or invalid defaults
 */
export function leakspec(options: LeakspecPluginOptions = {}): LeakspecVitestPlugin {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `leakspec: leakspec(options) takes an object; received ${describeValue(options)}. Fix: call leakspec() or leakspec({ defaults: { rounds: 8 } }).`,
    )
  }
  for (const key of Object.keys(options)) {
    if (key !== 'defaults' && key !== 'files' && key !== 'report') {
      throw new TypeError(
        `leakspec: unknown leakspec() plugin option \`${key}\`. Known options: defaults, files, report. ` +
          `Fix: put check options under \`defaults\`, for example leakspec({ defaults: { ${key}: … } }).`,
      )
    }
  }
  // Validate now, in the config process, so a typo fails at start-up rather than in every test.
  resolveOptions(options.defaults, undefined, 'leakspec({ defaults })')
  const defaults = options.defaults
  validateHookFiles(options.files)
  const files = options.files
  const report = options.report
  // Validate now; the reporter itself is made once per Vitest instance, below.
  if (report !== false) resolveReportOptions(report, 'leakspec({ report })')
  return {
    name: 'leakspec',
    configureVitest({ project, vitest }) {
      if (report !== false && vitest) addReporter(vitest, report, files)
      const config = project.config
      if (config.browser?.enabled) {
        // Browser Mode: the page's toLeak (leakspec/vitest/browser) and the commands it asks to force
        // GC and read the heap over the Chrome DevTools Protocol.
        const setup = setupFilePath('browser')
        if (!config.setupFiles.includes(setup)) config.setupFiles.push(setup)
        const commands = (config.browser.commands ??= {})
        for (const [name, command] of Object.entries(createBrowserCommands(defaults))) commands[name] ??= command
        return
      }
      const setup = setupFilePath()
      if (!config.setupFiles.includes(setup)) config.setupFiles.push(setup)
      if (config.pool !== undefined && FORK_POOLS.has(config.pool)) {
        config.execArgv ??= []
        if (!config.execArgv.includes('--expose-gc')) config.execArgv.push('--expose-gc')
      }
      if (defaults !== undefined) project.provide?.(DEFAULTS_KEY, defaults)
      configureHook(project, files)
    },
  }
}
