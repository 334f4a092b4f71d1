/**
 * `leakTest(name, fn, options?)`: declares a Vitest test that runs as a leak check (the same as
 * `test(name, { tags: ['leak'] }, fn)`, with per-test check options).
 */
import { test } from 'vitest'
import type { TestContext } from 'vitest'
import { assertFunction } from '../check.js'
import { DEFAULT_OPTIONS, describeValue, resolveOptions, type LeakOptions } from '../core/options.js'
import { LEAK_TAG } from '../hook/selection.js'
import { leakspecRunnerActive } from './hook-shared.js'
import './hook-types.js'

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
  const meta = options === undefined ? {} : { options }
  // (cast: the TaskMeta augmentation is not visible to every declaration build of this entry)
  const testOptions = { tags: [LEAK_TAG], meta: { leakspecHook: meta } } as Parameters<typeof test>[1]
  test(name, testOptions, fn)
}
