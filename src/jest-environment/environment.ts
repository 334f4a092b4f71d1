/**
 * The leakspec Jest environment: `jest-environment-node` plus the leak-check hook.
 *
 * On `test_start` it replaces the function of a selected test with one that runs the `toLeak`
 * engine (`runCheck`, through `runHookCheck`) over repetitions of the test. Jest itself still runs
 * the beforeEach hooks once before that function and the afterEach hooks once after it; those calls
 * are the first repetition's beforeEach and the last repetition's afterEach, and the function runs
 * the rest itself, so that
 *
 *   repetition 1:  (Jest's beforeEach)           test
 *   repetition k:  afterEach(k−1)  beforeEach(k) test        (k ≥ 2, run by leakspec)
 *   after the last repetition:                        (Jest's afterEach)
 *
 * and every hook runs exactly once per repetition, never nested (state a beforeEach puts in a
 * variable is torn down by the matching afterEach). Readings are taken after a repetition's test
 * body, where exactly one repetition's set-up is alive: a constant, not growth.
 *
 * Jest applies one timeout to the whole test function, so the environment raises the test's
 * timeout for the check and keeps the original limit per repetition (the check's `callTimeout`).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { TestEnvironment } from 'jest-environment-node'
import { DEFAULT_OPTIONS, describeValue, resolveOptions, type LeakOptions, type ResolvedLeakOptions } from '../core/options.js'
import { resolveHookOptions, runHookCheck, wholeCheckTimeLimit, type HookRecord } from '../hook/check.js'
import { compileFileGlobs } from '../hook/glob.js'
import { LEAK_TEST_MARK, wholeSuiteSelected } from '../hook/selection.js'
import { invokeJestFunction } from './invoke.js'
import { ENVIRONMENT_MARK, type LeakTestMark } from './leak-test.js'
import { SIDECAR_DIR_ENV, sidecarPath, type SidecarFile, type SidecarSkipped, type SidecarTest } from './sidecar.js'

type JestFunction = (...args: unknown[]) => unknown

/** The parts of a jest-circus hook the environment reads. */
interface CircusHook {
  readonly type: string
  readonly fn: JestFunction
  readonly timeout?: number | undefined
}
/** The parts of a jest-circus describe block the environment reads. */
interface CircusBlock {
  readonly name: string
  readonly hooks: readonly CircusHook[]
  readonly parent?: CircusBlock | undefined
}
/** The parts of a jest-circus test the environment reads and changes. */
interface CircusTest {
  readonly name: string
  fn: JestFunction
  timeout?: number | undefined
  readonly parent: CircusBlock
  readonly concurrent?: boolean
  readonly failing?: boolean
  readonly mode?: string | undefined
  readonly errors: readonly unknown[]
}
interface CircusEvent {
  readonly name: string
  readonly test?: CircusTest
}
interface CircusState {
  readonly testTimeout: number
}

/** `testEnvironmentOptions.leakspec`: options of the leakspec environment. */
export interface LeakspecEnvironmentOptions {
  /** Globs (relative to `rootDir`) of test files whose every test runs as a leak check. */
  files?: string[]
  /** Check options for every wrapped test; `leakTest(name, fn, options)` overrides them per test. */
  defaults?: LeakOptions
  /** Directory of the sidecar files (see `sidecarPath`). @default `<cacheDirectory>/leakspec` */
  resultsDir?: string
}

type EnvironmentConfig = ConstructorParameters<typeof TestEnvironment>[0]
type EnvironmentContext = ConstructorParameters<typeof TestEnvironment>[1]

const KNOWN_OPTIONS = ['files', 'defaults', 'resultsDir']
/** Marks a function the environment already wrapped (a retried test starts again with it). */
const WRAPPED = Symbol.for('leakspec.jest.wrapped')

function names(test: CircusTest): { ancestorTitles: string[]; fullName: string } {
  const ancestorTitles: string[] = []
  for (let block: CircusBlock | undefined = test.parent; block?.parent; block = block.parent) ancestorTitles.unshift(block.name)
  return { ancestorTitles, fullName: [...ancestorTitles, test.name].join(' ') }
}

function eachHooks(test: CircusTest): { beforeEach: CircusHook[]; afterEach: CircusHook[] } {
  const beforeEach: CircusHook[] = []
  const afterEach: CircusHook[] = []
  for (let block: CircusBlock | undefined = test.parent; block; block = block.parent) {
    const own: CircusHook[] = []
    for (const hook of block.hooks) {
      if (hook.type === 'beforeEach') own.push(hook)
      else if (hook.type === 'afterEach') afterEach.push(hook)
    }
    beforeEach.unshift(...own)
  }
  return { beforeEach, afterEach }
}

function parseOptions(raw: unknown): LeakspecEnvironmentOptions {
  if (raw === undefined) return {}
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TypeError(
      `leakspec: testEnvironmentOptions.leakspec must be an object; received ${describeValue(raw)}. ` +
        "Fix: for example testEnvironmentOptions: { leakspec: { files: ['**/*.leak.test.js'] } }.",
    )
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new TypeError(
        `leakspec: unknown option testEnvironmentOptions.leakspec.${key}. Known options: ${KNOWN_OPTIONS.join(', ')}.`,
      )
    }
  }
  const options = raw as LeakspecEnvironmentOptions
  if (options.resultsDir !== undefined && (typeof options.resultsDir !== 'string' || options.resultsDir === '')) {
    throw new TypeError(
      `leakspec: testEnvironmentOptions.leakspec.resultsDir must be a directory path; received ${describeValue(options.resultsDir)}.`,
    )
  }
  return options
}

/**
 * The leakspec test environment (`testEnvironment: 'leakspec/jest-environment'`): Node's
 * environment, plus leak checks of the tests declared with `leakTest`, of every test in files
 * matching `testEnvironmentOptions.leakspec.files`, and of every test when `LEAKSPEC=all` is set.
 * Concurrent and `.failing` tests are never wrapped (they are listed as skipped in the sidecar
 * file).
 */
export class LeakspecEnvironment extends TestEnvironment {
  readonly #testPath: string
  readonly #wholeFile: boolean
  readonly #defaults: ResolvedLeakOptions
  readonly #projectOptions: LeakOptions | undefined
  readonly #sidecar: string
  readonly #tests: SidecarTest[] = []
  readonly #skipped: SidecarSkipped[] = []
  readonly #pending = new Map<CircusTest, HookRecord>()

  /**
   * @param config Jest's environment config (`testEnvironmentOptions.leakspec` is read from it)
   * @param context Jest's environment context (the test path)
   * @throws {TypeError} for invalid `testEnvironmentOptions.leakspec` or `LEAKSPEC` values
   */
  constructor(config: EnvironmentConfig, context: EnvironmentContext) {
    super(config, context)
    const project = config.projectConfig as { rootDir: string; cacheDirectory: string; testEnvironmentOptions?: Record<string, unknown> }
    const options = parseOptions(project.testEnvironmentOptions?.['leakspec'])
    this.#testPath = context.testPath
    const inFiles = compileFileGlobs(options.files, 'testEnvironmentOptions.leakspec.files')
    this.#wholeFile = wholeSuiteSelected() || inFiles(relative(project.rootDir, context.testPath))
    this.#defaults = resolveOptions(options.defaults, DEFAULT_OPTIONS, 'testEnvironmentOptions.leakspec.defaults')
    this.#projectOptions = options.defaults
    const dir = options.resultsDir ?? process.env[SIDECAR_DIR_ENV] ?? join(project.cacheDirectory, 'leakspec')
    this.#sidecar = sidecarPath(dir, context.testPath)
  }

  override async setup(): Promise<void> {
    await super.setup()
    ;(this.global as Record<PropertyKey, unknown>)[ENVIRONMENT_MARK] = true
    rmSync(this.#sidecar, { force: true })
  }

  override async teardown(): Promise<void> {
    if (this.#tests.length > 0 || this.#skipped.length > 0) {
      const file: SidecarFile = { version: 1, testPath: this.#testPath, tests: this.#tests, skipped: this.#skipped }
      mkdirSync(dirname(this.#sidecar), { recursive: true })
      writeFileSync(this.#sidecar, `${JSON.stringify(file, null, 2)}\n`)
    }
    await super.teardown()
  }

  /** jest-circus calls this for every event, awaiting it. */
  async handleTestEvent(event: CircusEvent, state: CircusState): Promise<void> {
    const test = event.test
    if (!test) return
    if (event.name === 'test_start') this.#wrap(test, state)
    else if (event.name === 'test_done') {
      const record = this.#pending.get(test)
      if (!record) return
      this.#pending.delete(test)
      const { ancestorTitles, fullName } = names(test)
      this.#tests.push({
        fullName,
        ancestorTitles,
        title: test.name,
        status: test.errors.length > 0 ? 'failed' : 'passed',
        leakspec: record,
      })
    }
  }

  #wrap(test: CircusTest, state: CircusState): void {
    const original = test.fn
    if (typeof original !== 'function' || test.mode === 'skip' || test.mode === 'todo') return
    if ((original as { [WRAPPED]?: boolean })[WRAPPED]) return
    const mark = (original as { [LEAK_TEST_MARK]?: LeakTestMark })[LEAK_TEST_MARK]
    if (mark === undefined && !this.#wholeFile) return
    const { fullName } = names(test)
    if (test.concurrent || test.failing) {
      this.#skipped.push({
        fullName,
        reason: test.concurrent
          ? 'test.concurrent: Jest starts concurrent tests together, so one cannot be measured alone'
          : 'test.failing: it is expected to fail, and every repetition of a leak check must pass',
      })
      return
    }
    const hooks = eachHooks(test)
    const timeout = test.timeout || state.testTimeout
    const hookTimeouts = [...hooks.beforeEach, ...hooks.afterEach].reduce(
      (sum, hook) => sum + (hook.timeout || state.testTimeout),
      0,
    )
    let options: ResolvedLeakOptions
    try {
      options = resolveHookOptions(
        this.#defaults,
        mark?.options,
        timeout + hookTimeouts,
        `leakTest("${test.name}")`,
        this.#projectOptions,
      )
    } catch (error) {
      test.fn = () => {
        throw error
      }
      return
    }
    const total = wholeCheckTimeLimit(options)
    test.timeout = Math.max(timeout, total)
    const timeoutNote =
      `Jest's ${timeout} ms timeout applies to each repetition; the test's timeout was raised to ${test.timeout} ms ` +
      'for the whole check'
    const environment = this
    const pending = this.#pending
    const projectCallsPerRound = this.#projectOptions?.callsPerRound
    const wrapped = async function leakspecCheck(this: unknown): Promise<void> {
      const context = this
      const expectApi = (environment.global as { expect?: { extractExpectedAssertionsErrors?: () => Array<{ error: unknown }> } })
        .expect
      let index = 0
      const repeat = async (): Promise<void> => {
        index++
        if (index > 1) {
          for (const hook of hooks.afterEach) await invokeJestFunction(hook.fn, context)
          for (const hook of hooks.beforeEach) await invokeJestFunction(hook.fn, context)
        }
        await invokeJestFunction(original, context)
        // expect.assertions(n) / expect.hasAssertions() are per repetition; check and reset them.
        const errors = expectApi?.extractExpectedAssertionsErrors?.() ?? []
        if (errors.length > 0) throw errors[0]!.error
      }
      const result = await runHookCheck({
        testName: fullName,
        repeat,
        options,
        hooks: { beforeEach: hooks.beforeEach.length, afterEach: hooks.afterEach.length },
        timeoutNote,
        chooseCallsPerRound: projectCallsPerRound === undefined && mark?.options?.callsPerRound === undefined,
      })
      pending.set(test, result.record)
      if (result.failed && result.error !== undefined) throw result.error
    }
    Object.defineProperty(wrapped, WRAPPED, { value: true })
    test.fn = wrapped as JestFunction
  }
}
