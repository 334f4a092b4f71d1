/**
 * Registers `toLeak` and the unawaited guard in a Jest test file. Imported by the `leakspec/jest`
 * entry, which Jest loads once per test file from `setupFilesAfterEnv` (each file has its own module
 * registry, so this module's state is per file).
 */
import { createRequire } from 'node:module'
import { assertNoPendingChecks, settleAbandonedChecks } from '../matchers/guard.js'
import type { MatcherContextLike } from '../matchers/context.js'
import { matchers } from '../matchers/matchers.js'
import { toRecord, type ToLeakResult } from '../matchers/toLeak.js'
import type { LeakReport } from '../core/report.js'
import { addMatcherRecord } from '../jest-reporter/matcher-file.js'
import type { LeakOptions } from '../core/options.js'
import { toBeCollected as sharedToBeCollected, type ToBeCollectedResult } from '../matchers/toBeCollected.js'
import { setPlacementProbe, type MatcherPlacement } from '../matchers/placement.js'

/** The parts of Jest's matcher context (its expect state) that tell where a matcher runs. */
interface JestPlacementContext {
  readonly currentTestName?: string
  /** Jest 30: the running test (`null` in beforeAll/afterAll), with its `concurrent` flag. */
  readonly currentTestIdentity?: () => { concurrent?: boolean; name?: string } | null | undefined
  /** Jest 29: the name of the running concurrent test, inside a test.concurrent body only. */
  readonly currentConcurrentTestName?: () => string | null | undefined
}

/**
 * jest-circus's running test (`null` between tests: beforeAll/afterAll hooks and a file's top
 * level), read from its state on the test context's global; `undefined` when there is no such state
 * (another test runner than jest-circus).
 */
function circusRunningTest(): unknown {
  const scope = globalThis as Record<symbol, unknown>
  const key = Object.getOwnPropertySymbols(scope).find((symbol) => symbol.description === 'JEST_STATE_SYMBOL')
  if (key === undefined) return undefined
  const state = scope[key] as { currentlyRunningTest?: unknown } | undefined
  return state?.currentlyRunningTest ?? null
}

/** Where a Jest matcher call runs (Jest 30 tells it in the expect state; Jest 29 through jest-circus). */
function jestPlacement(context: unknown): MatcherPlacement {
  const state = (context ?? {}) as JestPlacementContext
  const sequentialFix = '`test(...)` instead of `test.concurrent(...)`'
  if (typeof state.currentTestIdentity === 'function') {
    const identity = state.currentTestIdentity()
    if (identity === null || identity === undefined) return { outsideTest: true, sequentialFix }
    // currentTestName is the test that started last; for concurrent tests the async context knows better.
    const testName = (typeof state.currentConcurrentTestName === 'function' ? state.currentConcurrentTestName() : undefined) ?? state.currentTestName
    return { concurrent: identity.concurrent === true, testName, sequentialFix }
  }
  const concurrentName = typeof state.currentConcurrentTestName === 'function' ? state.currentConcurrentTestName() : undefined
  if (concurrentName) return { concurrent: true, testName: concurrentName, sequentialFix }
  return { outsideTest: circusRunningTest() === null, sequentialFix }
}

/** The part of Jest's `expect` that leakspec uses. */
interface JestExpectLike {
  extend(matchers: Record<string, unknown>): void
}

type JestHook = (fn: () => unknown, timeout?: number) => void

/** The part of `@jest/globals` (or of Jest's injected globals) that leakspec uses. */
interface JestGlobalsLike {
  readonly expect?: unknown
  readonly afterEach?: unknown
  readonly afterAll?: unknown
}

let registered = false
/** Set by the `afterAll` hook: after it, the file's environment is about to be torn down. */
let fileEnded = false

function isExpect(value: unknown): value is JestExpectLike {
  return typeof value === 'function' && typeof (value as { extend?: unknown }).extend === 'function'
}

/**
 * `@jest/globals` as Jest's module registry provides it. Jest answers `@jest/globals` itself (it is
 * never resolved from disk), and `node:module`'s `createRequire` inside a Jest test is Jest's own,
 * so this works in CommonJS and in ESM (`--experimental-vm-modules`) test files. Outside Jest the
 * real package throws; then `undefined`.
 */
function loadJestGlobals(): JestGlobalsLike | undefined {
  try {
    const load = createRequire(import.meta.url)
    const globals: unknown = load('@jest/globals')
    return globals !== null && typeof globals === 'object' ? (globals as JestGlobalsLike) : undefined
  } catch {
    return undefined
  }
}

/**
 * `toLeak` as registered in Jest: the shared matcher, with one Jest-specific rule. A check that was
 * not awaited and only unwinds after its file ended must not settle: Jest would then update its
 * matcher state (`getState().assertionCalls`), a global that Jest 30 has torn down by then
 * (`globalsCleanup`). Such a result has no test to go to anyway; the test already failed through the
 * unawaited guard.
 */
function toLeak(this: MatcherContextLike, received: unknown, options?: LeakOptions): Promise<ToLeakResult> {
  const result = matchers.toLeak.call(this, received, options)
  // For leakspec/jest-reporter: the check's record, in the file's matcher sidecar (no-op without the reporter).
  const state = this as MatcherContextLike & { testPath?: string }
  const keep = (report: LeakReport | undefined): void => {
    if (report) addMatcherRecord(state.testPath, state.currentTestName, toRecord(report))
  }
  return new Promise<ToLeakResult>((resolve, reject) => {
    result.then(
      (value) => {
        keep(value.report)
        if (!fileEnded) resolve(value)
      },
      (error: unknown) => {
        keep((error as { report?: LeakReport } | null)?.report)
        if (!fileEnded) reject(error)
      },
    )
  })
}

/**
 * `toBeCollected` as registered in Jest: the shared matcher, with the same rule as {@link toLeak}
 * (a result that arrives after the file ended is dropped). The TypeError for a value that is not a
 * handle is thrown synchronously, as Jest expects from a matcher.
 */
function toBeCollected(this: MatcherContextLike, received: unknown): Promise<ToBeCollectedResult> {
  const result = sharedToBeCollected.call(this, received)
  return new Promise<ToBeCollectedResult>((resolve, reject) => {
    result.then(
      (value) => {
        if (!fileEnded) resolve(value)
      },
      (error: unknown) => {
        if (!fileEnded) reject(error)
      },
    )
  })
}

/**
 * Registers `toLeak` and `toBeCollected` on Jest's `expect` (the injected global and the one of `@jest/globals`, when
 * they differ, for example with `injectGlobals: false`) and an `afterEach` hook that fails a test
 * whose `toLeak` was not awaited and waits for that check to stop. Runs once per test file; calling
 * it again does nothing.
 *
 * @throws {Error} when there is no Jest `expect` or `afterEach` (loaded outside Jest, or from
 *   `setupFiles`, which runs before Jest installs them), naming the fix
 */
export function registerJest(): void {
  if (registered) return
  const scope = globalThis as JestGlobalsLike
  const globals = loadJestGlobals()
  const expects = [...new Set([globals?.expect, scope.expect])].filter(isExpect)
  const afterEach = (globals?.afterEach ?? scope.afterEach) as JestHook | undefined
  const afterAll = (globals?.afterAll ?? scope.afterAll) as JestHook | undefined
  if (expects.length === 0 || typeof afterEach !== 'function' || typeof afterAll !== 'function') {
    throw new Error(
      'leakspec/jest: Jest\'s `expect` and `afterEach` are not available here. ' +
        'Fix: list "leakspec/jest" in `setupFilesAfterEnv` of your Jest config (not in `setupFiles`, ' +
        'which runs before Jest installs `expect`); with Vitest use the `leakspec/vitest` plugin instead.',
    )
  }
  registered = true
  setPlacementProbe(jestPlacement)
  for (const expect of expects) expect.extend({ toLeak, toBeCollected })
  // Two hooks (Jest runs them in this order and runs the second even when the first threw): the
  // first fails the test at once, so the failure is reported even when waiting for the abandoned
  // check in the second exceeds the hook timeout.
  afterEach(() => {
    assertNoPendingChecks()
  })
  afterEach(async () => {
    await settleAbandonedChecks()
  })
  afterAll(() => {
    fileEnded = true
  })
}
