/**
 * `leakspec/vitest/runner`: the Vitest test runner that re-runs selected tests as leak checks.
 * The `leakspec()` plugin installs it (Vitest's `runner` option); a project with its own custom
 * runner can extend {@link LeakspecRunner} instead.
 *
 * Why a runner subclass, not tags + `repeats`: `repeats` runs the hooks per repeat but its count is
 * fixed before the test starts, while the engine decides the number of calls as it goes (calibration,
 * doubling rounds, early exit) and must place forced GCs and readings between calls; and
 * `aroundEach` cannot run a test twice. A runner's `runTask` is called once per test, between
 * Vitest's own beforeEach and afterEach calls, on Vitest 4.1 and 5 alike.
 *
 * How a selected test runs (one result per test):
 * - `onBeforeTryTask` takes the beforeEach/afterEach lists of the test's describe chain aside, so
 *   Vitest's own hook calls around the test find none;
 * - `runTask` hands the engine (`runCheck`, through `runHookCheck`) a function that performs one
 *   repetition: beforeEach hooks (outermost first) → the test function → afterEach hooks (innermost
 *   first) → cleanups returned by beforeEach → `onTestFinished` callbacks registered in the repetition.
 *   Expect state (`expect.assertions`), mocks (`clearMocks`…) and snapshot counters are reset
 *   before, and assertion counts checked after, every repetition, as Vitest does for `repeats`;
 * - `onAfterRetryTask` puts the hook lists back.
 *
 * Hooks therefore run exactly once per repetition. `aroundEach` hooks and `test.extend` fixtures
 * wrap the whole check once (Vitest sets them up around `runTask`).
 */
import { test as vitestTest, TestRunner } from 'vitest'
import type { RunnerTestCase, RunnerTestFile, RunnerTestSuite } from 'vitest'
import { DEFAULT_OPTIONS, resolveOptions, type LeakOptions, type ResolvedLeakOptions } from '../core/options.js'
import { compileFileGlobs } from '../hook/glob.js'
import { resolveHookOptions, runHookCheck, TestAlreadyFailed, type HookCounts } from '../hook/check.js'
import { LEAK_TAG, wholeSuiteSelected } from '../hook/selection.js'
import type { LeakspecTaskMeta } from '../matchers/toLeak.js'
import { HOOK_CONFIG_KEY, RUNNER_MARK, RUNNER_TEST, type HookProvided, type LeakspecHookMeta } from './hook-shared.js'
import { DEFAULTS_KEY } from './plugin.js'
import './hook-types.js'

type Hook = (...args: unknown[]) => unknown
interface HookLists {
  beforeEach: Hook[]
  afterEach: Hook[]
}
/** The hook lists of one suite, taken aside while a selected test runs. */
interface TakenHooks {
  readonly lists: HookLists
  readonly beforeEach: Hook[]
  readonly afterEach: Hook[]
}
type AnySuite = RunnerTestSuite | RunnerTestFile
type TestLike = RunnerTestCase & {
  tags?: string[]
  concurrent?: boolean
  fails?: boolean
  onFinished?: Array<(context: unknown) => unknown> | undefined
  onFailed?: unknown[] | undefined
}
interface Selection {
  readonly explicit: boolean
  readonly serialized: boolean
}

function suiteChain(test: RunnerTestCase): AnySuite[] {
  const chain: AnySuite[] = []
  let suite: AnySuite | undefined = test.suite ?? test.file
  while (suite) {
    chain.push(suite)
    if ('filepath' in suite) break
    suite = suite.suite ?? suite.file
  }
  return chain
}

/**
 * Makes the test's AbortSignal behave as if each repetition had its own: listeners added to it
 * while a repetition runs are removed when it ends. Vitest 4.1 wraps every test function in
 * `withCancel`, which adds an `abort` listener per call and never removes it (Vitest 5 removes it);
 * without this, Vitest's own wrapper would leak one listener and about 500 B per repetition.
 * @returns the function that removes the listeners and ends the scope
 */
function scopeSignalListeners(signal: AbortSignal | undefined): () => void {
  if (!signal) return () => {}
  const added: Array<[string, unknown, unknown]> = []
  const add = signal.addEventListener
  Object.defineProperty(signal, 'addEventListener', {
    configurable: true,
    writable: true,
    value(this: AbortSignal, type: string, listener: unknown, options?: unknown) {
      if (listener) added.push([type, listener, options])
      return (add as (...args: unknown[]) => void).call(this, type, listener, options)
    },
  })
  return () => {
    delete (signal as { addEventListener?: unknown }).addEventListener
    for (const [type, listener, options] of added) {
      ;(signal.removeEventListener as (...args: unknown[]) => void).call(signal, type, listener, options)
    }
    added.length = 0
  }
}

function* testsOf(suite: AnySuite): Generator<TestLike> {
  for (const task of suite.tasks) {
    if (task.type === 'test') yield task as TestLike
    else if (task.type === 'suite') yield* testsOf(task)
  }
}

function relativePath(root: string, file: string): string {
  const normalizedRoot = root.replace(/\\/g, '/').replace(/\/$/, '')
  const normalized = file.replace(/\\/g, '/')
  return normalized.startsWith(`${normalizedRoot}/`) ? normalized.slice(normalizedRoot.length + 1) : normalized
}

/**
 * The leakspec runner: Vitest's `TestRunner` plus the leak-check hook for tests tagged `leak`,
 * tests declared with `leakTest`, files matching the plugin's `files` globs, and every test when
 * `LEAKSPEC=all` is set. Other tests run exactly as with Vitest's own runner.
 */
export class LeakspecRunner extends TestRunner {
  readonly #selected = new WeakMap<RunnerTestCase, Selection>()
  readonly #taken = new WeakMap<RunnerTestCase, TakenHooks[]>()
  readonly #wholeSuite: boolean
  #fileMatcher: ((path: string) => boolean) | undefined
  #defaults: ResolvedLeakOptions | undefined

  /** @param config Vitest's serialized project config (Vitest constructs the runner) */
  constructor(config: ConstructorParameters<typeof TestRunner>[0]) {
    super(config)
    ;(globalThis as Record<symbol, unknown>)[RUNNER_MARK] = true
    ;(globalThis as Record<symbol, unknown>)[RUNNER_TEST] = vitestTest
    this.#wholeSuite = wholeSuiteSelected()
  }

  #matchesFile(filepath: string): boolean {
    if (this.#fileMatcher === undefined) {
      const provided = this.injectValue(HOOK_CONFIG_KEY) as HookProvided | undefined
      this.#fileMatcher = compileFileGlobs(provided?.files, 'leakspec({ files })')
    }
    return this.#fileMatcher(relativePath(this.config.root, filepath))
  }

  #projectOptions: LeakOptions | undefined

  #projectDefaults(): ResolvedLeakOptions {
    if (this.#defaults === undefined) {
      const provided = this.injectValue(DEFAULTS_KEY) as LeakOptions | undefined
      this.#defaults = resolveOptions(provided, DEFAULT_OPTIONS, 'leakspec({ defaults })')
      this.#projectOptions = provided
    }
    return this.#defaults
  }

  /** Selects the tests of a file before it runs and makes concurrent selected tests run serially. */
  override async onBeforeRunSuite(suite: AnySuite): Promise<void> {
    await super.onBeforeRunSuite(suite)
    if (!('filepath' in suite) || suite.mode === 'skip') return
    const wholeFile = this.#wholeSuite || this.#matchesFile(suite.filepath)
    for (const test of testsOf(suite)) {
      const explicit =
        (test.tags?.includes(LEAK_TAG) ?? false) || (test.meta as { leakspecHook?: LeakspecHookMeta }).leakspecHook !== undefined
      if (!explicit && !wholeFile) continue
      // A test expected to fail is not a leak candidate; picked explicitly, it fails in runTask.
      if (test.fails && !explicit) continue
      let serialized = false
      if (test.concurrent) {
        // Never measure a test against others: it runs on its own, between its concurrent siblings.
        serialized = true
        test.concurrent = false
        for (const parent of suiteChain(test)) {
          if (!('filepath' in parent) && parent.concurrent) parent.concurrent = false
        }
      }
      this.#selected.set(test, { explicit, serialized })
    }
  }

  override onBeforeTryTask(test: RunnerTestCase, options?: { retry: number; repeats: number }): void {
    ;(super.onBeforeTryTask as (test: RunnerTestCase, options?: unknown) => void).call(this, test, options)
    if (this.#selected.has(test) && !this.#taken.has(test)) this.#takeHooks(test)
  }

  /** Runs the test function, or, for a selected test, the whole leak check. */
  async runTask(test: RunnerTestCase): Promise<void> {
    const fn = TestRunner.getTestFn(test)
    if (!fn) throw new Error('Test function is not found. Did you add it using `setFn`?')
    const selection = this.#selected.get(test)
    if (!selection) {
      await fn()
      return
    }
    await this.#check(test as TestLike, fn, selection)
  }

  /** Puts the hook lists back after Vitest's afterEach call (Vitest 4.1 and 5 call this after each try). */
  async onAfterRetryTask(test: RunnerTestCase, options?: unknown): Promise<void> {
    this.#restoreHooks(test)
    const parent = (TestRunner.prototype as { onAfterRetryTask?: (test: RunnerTestCase, options?: unknown) => unknown })
      .onAfterRetryTask
    if (parent) await parent.call(this, test, options)
  }

  override onAfterRunTask(test: RunnerTestCase): void {
    if (test.type === 'test') this.#restoreHooks(test)
    super.onAfterRunTask(test)
  }

  #takeHooks(test: RunnerTestCase): void {
    const taken: TakenHooks[] = []
    for (const suite of suiteChain(test)) {
      const lists = TestRunner.getSuiteHooks(suite as RunnerTestSuite) as unknown as HookLists
      taken.push({ lists, beforeEach: lists.beforeEach, afterEach: lists.afterEach })
      lists.beforeEach = []
      lists.afterEach = []
    }
    this.#taken.set(test, taken)
  }

  #restoreHooks(test: RunnerTestCase): void {
    const taken = this.#taken.get(test)
    if (!taken) return
    for (const entry of taken) {
      entry.lists.beforeEach = entry.beforeEach
      entry.lists.afterEach = entry.afterEach
    }
    this.#taken.delete(test)
  }

  async #runHooks(hooks: readonly Hook[], args: readonly unknown[], collect?: unknown[]): Promise<void> {
    if (this.config.sequence.hooks === 'parallel') {
      const results = await Promise.all(hooks.map((hook) => hook(...args)))
      collect?.push(...results)
      return
    }
    for (const hook of hooks) {
      const result = await hook(...args)
      collect?.push(result)
    }
  }

  async #check(test: TestLike, fn: () => unknown, selection: Selection): Promise<void> {
    if (test.fails) {
      throw new TypeError(
        `leakspec: test "${test.name}" is declared with test.fails, so it cannot be run as a leak check ` +
          '(every repetition must pass). Fix: remove the `leak` tag (or leakTest) from it.',
      )
    }
    const taken = this.#taken.get(test) ?? []
    const stack = this.config.sequence.hooks === 'stack'
    const outerFirst = [...taken].reverse()
    const suite = test.suite ?? test.file
    const args = [test.context, suite]
    const hooks: HookCounts = {
      beforeEach: taken.reduce((sum, entry) => sum + entry.beforeEach.length, 0),
      afterEach: taken.reduce((sum, entry) => sum + entry.afterEach.length, 0),
    }
    const testTimeout = test.timeout > 0 ? test.timeout : Infinity
    const hookTimeout = this.config.hookTimeout > 0 ? this.config.hookTimeout : Infinity
    const meta = test.meta as { leakspecHook?: LeakspecHookMeta; leakspec?: LeakspecTaskMeta }
    const options = resolveHookOptions(
      this.#projectDefaults(),
      meta.leakspecHook?.options,
      testTimeout + hookTimeout * (hooks.beforeEach + hooks.afterEach),
      `leakTest("${test.name}")`,
      this.#projectOptions,
    )
    const timeoutNote = Number.isFinite(testTimeout)
      ? `Vitest's ${testTimeout} ms test timeout applies to each repetition, not to the whole check`
      : 'the test has no timeout'

    let index = 0
    const repeat = async (): Promise<void> => {
      index++
      if (index > 1) {
        // What Vitest does before each try: reset expect state, mocks (per config) and snapshot counters.
        super.onBeforeTryTask(test)
      }
      const cleanups: unknown[] = []
      let failure: { error: unknown } | undefined
      const releaseSignal = scopeSignalListeners(test.context.signal)
      try {
        for (const entry of outerFirst) await this.#runHooks(entry.beforeEach, args, cleanups)
        await fn()
        super.onAfterTryTask(test)
      } catch (error) {
        failure = { error }
      } finally {
        releaseSignal()
        // Async assertions of this repetition were awaited by Vitest's wrapper; do not keep them.
        ;(test as { promises?: unknown[] | undefined }).promises = undefined
      }
      try {
        for (const entry of taken) {
          await this.#runHooks(stack ? [...entry.afterEach].reverse() : entry.afterEach, args)
        }
        const callbacks = cleanups.filter((cleanup): cleanup is () => unknown => typeof cleanup === 'function')
        await this.#runHooks(stack ? callbacks.reverse() : callbacks, [])
      } catch (error) {
        failure ??= { error }
      }
      const finished = test.onFinished
      test.onFinished = undefined
      if (finished?.length) {
        try {
          await this.#runHooks(stack ? [...finished].reverse() : finished, [test.context])
        } catch (error) {
          failure ??= { error }
        }
      }
      if (failure) throw failure.error
      if (test.result?.state === 'fail') throw new TestAlreadyFailed()
      // A passed repetition's onTestFailed callbacks are not needed any more.
      test.onFailed = undefined
    }

    const result = await runHookCheck({
      testName: test.fullName ?? test.name,
      repeat,
      options,
      hooks,
      timeoutNote,
      serialized: selection.serialized,
      chooseCallsPerRound:
        this.#projectOptions?.callsPerRound === undefined && meta.leakspecHook?.options?.callsPerRound === undefined,
    })
    meta.leakspecHook = { ...meta.leakspecHook, result: result.record }
    if (result.record.check) {
      meta.leakspec = { checks: [...(meta.leakspec?.checks ?? []), result.record.check] }
    }
    if (result.error !== undefined) throw result.error
  }
}

export default LeakspecRunner
