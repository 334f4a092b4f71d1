/**
 * `leakTest(name, fn, options?)`: declares a Vitest test that runs as a leak check (the same as
 * `test(name, { tags: ['leak'] }, fn)`, with per-test check options).
 */
import type { TestContext } from 'vitest'
import { assertFunction } from '../check.js'
import { DEFAULT_OPTIONS, describeValue, resolveOptions, type LeakOptions } from '../core/options.js'
import { LEAK_TAG } from '../hook/selection.js'
import { leakspecRunnerActive, RUNNER_TEST } from './hook-shared.js'
import './hook-types.js'

type RunnerTestFunction = (name: string, options: object, fn: LeakTestFunction) => void

/** A test function as `leakTest` accepts it. */
export type LeakTestFunction = (context: TestContext) => unknown

/**
 * Declares a test that runs as a leak check: its beforeEach hooks, body and afterEach hooks are
 * repeated in the doubling rounds of the `toLeak` engine, and the test fails when each repetition
 * leaves memory or handles behind. Needs the `leakspec()` plugin (which installs the runner).
 *
 * @param name the test's name
 * @param fn the test body, exactly as for `test()`
 * @param options check options for this test (see `LeakOptions`), over the plugin's `defaults`
 * @throws {TypeError} when `name` is not a string, `fn` is not a function, an option is invalid, or
 *   the leakspec runner is not active in this project
 * @example
 * leakTest('request does not leak', async () => {
 *   await client.request('/ping')
 * })
 */
export function leakTest(name: string, fn: LeakTestFunction, options?: LeakOptions): void {
  if (typeof name !== 'string') {
    throw new TypeError(
      `leakspec: leakTest(name, fn) takes the test's name first; received ${describeValue(name)}. Fix: leakTest('does not leak', () => { … }).`,
    )
  }
  assertFunction(fn, `leakTest("${name}", fn)`)
  resolveOptions(options, DEFAULT_OPTIONS, `leakTest("${name}")`)
  if (!leakspecRunnerActive()) {
    throw new TypeError(
      `leakspec: leakTest("${name}") needs the leakspec test runner, which this project does not use. ` +
        "Fix: add the plugin (plugins: [leakspec()] from 'leakspec/vitest') to the Vitest config, or, with a custom " +
        "runner, extend LeakspecRunner from 'leakspec/vitest/runner'.",
    )
  }
  // Vitest's `test`, handed over by the runner: `leakspec/vitest` must not load Vitest's runtime
  // itself (its config process imports this entry, and the CommonJS build cannot require Vitest).
  const test = (globalThis as Record<symbol, unknown>)[RUNNER_TEST] as RunnerTestFunction
  const meta = options === undefined ? {} : { options }
  test(name, { tags: [LEAK_TAG], meta: { leakspecHook: meta } }, fn)
}
