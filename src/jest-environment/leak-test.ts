/**
 * `leakTest(name, fn, options?)` for Jest: declares a test that the leakspec environment
 * (`testEnvironment: 'leakspec/jest-environment'`) runs as a leak check. Loads nothing from Jest,
 * so it can be imported from test files and re-exported by `leakspec/jest`.
 */
import { assertFunction } from '../check.js'
import { DEFAULT_OPTIONS, describeValue, resolveOptions, type LeakOptions } from '../core/options.js'
import { LEAK_TEST_MARK } from '../hook/selection.js'

/** Set on the test global by the leakspec environment in `setup()`. */
export const ENVIRONMENT_MARK: unique symbol = Symbol.for('leakspec.jest.environment') as never

/** What `leakTest` attaches to the test function (under `Symbol.for('leakspec.leakTest')`). */
export interface LeakTestMark {
  /** Options given to `leakTest`. */
  readonly options?: LeakOptions
}

/** A Jest test function as `leakTest` accepts it: async, returning a promise, or taking `done`. */
export type JestLeakTestFunction = ((this: unknown) => unknown) | ((this: unknown, done: (reason?: unknown) => void) => void)

type JestTestGlobal = (name: string, fn: (...args: never[]) => unknown, timeout?: number) => void

/**
 * Declares a Jest test that runs as a leak check: its beforeEach hooks, body and afterEach hooks are
 * repeated in the doubling rounds of the `toLeak` engine, and the test fails when each repetition
 * leaves memory or handles behind. Needs `testEnvironment: 'leakspec/jest-environment'`.
 *
 * @param name the test's name
 * @param fn the test body, exactly as for `test()`
 * @param options check options for this test (see `LeakOptions`)
 * @throws {TypeError} when `name` is not a string, `fn` is not a function, an option is invalid, or
 *   the leakspec environment is not the test environment
 * @example
 * leakTest('request does not leak', async () => {
 *   await client.request('/ping')
 * })
 */
export function leakTest(name: string, fn: JestLeakTestFunction, options?: LeakOptions): void {
  if (typeof name !== 'string') {
    throw new TypeError(
      `leakspec: leakTest(name, fn) takes the test's name first; received ${describeValue(name)}. Fix: leakTest('does not leak', () => { … }).`,
    )
  }
  assertFunction(fn, `leakTest("${name}", fn)`)
  resolveOptions(options, DEFAULT_OPTIONS, `leakTest("${name}")`)
  const global = globalThis as Record<PropertyKey, unknown>
  if (global[ENVIRONMENT_MARK] !== true) {
    throw new TypeError(
      `leakspec: leakTest("${name}") needs the leakspec test environment, which this test file does not use. ` +
        "Fix: set testEnvironment: 'leakspec/jest-environment' in the Jest config (or a `@jest-environment leakspec/jest-environment` docblock).",
    )
  }
  const test = (global['test'] ?? global['it']) as JestTestGlobal | undefined
  if (typeof test !== 'function') {
    throw new TypeError(
      `leakspec: leakTest("${name}") found no global \`test\` (is injectGlobals off?). Fix: enable injectGlobals, or tag the test through the file globs (testEnvironmentOptions.leakspec.files).`,
    )
  }
  const mark: LeakTestMark = options === undefined ? {} : { options }
  Object.defineProperty(fn, LEAK_TEST_MARK, { value: mark, configurable: true })
  test(name, fn as (...args: never[]) => unknown)
}
