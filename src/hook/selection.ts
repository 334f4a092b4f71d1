/**
 * How tests are selected for the leak-check hook, shared by the runner adapters: the `LEAKSPEC`
 * environment variable (whole suite) and the marker that `leakTest` puts on a test function.
 */

/** Name of the environment variable that turns the whole suite into leak checks. */
export const WHOLE_SUITE_ENV = 'LEAKSPEC'

/** The value of {@link WHOLE_SUITE_ENV} that selects every test. */
export const WHOLE_SUITE_VALUE = 'all'

/** The Vitest tag (and the name used in messages) that selects a test. */
export const LEAK_TAG = 'leak'

/**
 * Key of the marker `leakTest` sets on a test function (Jest). `Symbol.for` is shared by every
 * realm of the process, so the environment (outer realm) sees marks made inside the test's vm context.
 */
export const LEAK_TEST_MARK: unique symbol = Symbol.for('leakspec.leakTest') as never

/**
 * Whether `LEAKSPEC=all` is set.
 * @param env the environment to read; defaults to `process.env`
 * @throws {TypeError} when `LEAKSPEC` holds a value leakspec does not understand
 */
export function wholeSuiteSelected(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[WHOLE_SUITE_ENV]
  if (raw === undefined) return false
  const value = raw.trim().toLowerCase()
  if (value === WHOLE_SUITE_VALUE) return true
  if (value === '' || value === '0' || value === 'false' || value === 'off') return false
  throw new TypeError(
    `leakspec: the environment variable ${WHOLE_SUITE_ENV} is ${JSON.stringify(raw)}, which leakspec does not understand. ` +
      `Fix: set ${WHOLE_SUITE_ENV}=${WHOLE_SUITE_VALUE} to run every test as a leak check, or unset it.`,
  )
}
