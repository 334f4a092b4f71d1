/**
 * How long the running test has left before its runner times it out: the matchers end their work
 * (a check, a diagnosis, a holder search) before that, or skip what would not fit and say so.
 */
import { epochNow } from '../core/clock.js'
import type { MatcherContextLike } from './context.js'

/** Jest's default test timeout, milliseconds (used when the running test's own is not visible). */
const JEST_DEFAULT_TIMEOUT_MS = 5000

/** The parts of jest-circus's per-file state that give the running test's timeout and start. */
interface JestCircusState {
  /** `testTimeout` of the config, or `jest.setTimeout(…)`, milliseconds. */
  readonly testTimeout?: unknown
  readonly currentlyRunningTest?: {
    /** The test's own timeout (third argument of `test`), milliseconds. */
    readonly timeout?: unknown
    /** Epoch milliseconds when the test started. */
    readonly startedAt?: unknown
  } | null
}

/**
 * jest-circus keeps its state on the test file's global under an unregistered symbol described as
 * `JEST_STATE_SYMBOL` (Jest 29 and 30); it holds the configured `testTimeout` and the running test.
 */
function jestCircusState(): JestCircusState | undefined {
  const global = globalThis as Record<symbol, unknown>
  const symbol = Object.getOwnPropertySymbols(global).find((candidate) => candidate.description === 'JEST_STATE_SYMBOL')
  const state = symbol === undefined ? undefined : global[symbol]
  return typeof state === 'object' && state !== null ? (state as JestCircusState) : undefined
}

const positive = (value: unknown): number | undefined => (typeof value === 'number' && value > 0 ? value : undefined)

/**
 * Milliseconds left before the running test times out, or `undefined` when unknown or unlimited.
 * Vitest (4.1+) exposes the test's timeout and start on the task. Under Jest, jest-circus's state gives
 * the test's own timeout, the config's `testTimeout` or `jest.setTimeout`, and the test's start; without
 * it, the timeout set with `jest.setTimeout` (or Jest's default) is counted from the start of the check.
 */
export function timeLeftMs(context: Pick<MatcherContextLike, 'task' | 'currentTestName'>, checkStarted: number): number | undefined {
  const task = context.task
  let timeout = task?.timeout
  let started = task?.result?.startTime
  if (timeout === undefined && task === undefined && context.currentTestName !== undefined) {
    const state = jestCircusState()
    const test = state?.currentlyRunningTest ?? undefined
    const configured = (globalThis as Record<symbol, unknown>)[Symbol.for('TEST_TIMEOUT_SYMBOL')]
    timeout = positive(test?.timeout) ?? positive(state?.testTimeout) ?? positive(configured) ?? JEST_DEFAULT_TIMEOUT_MS
    started = positive(test?.startedAt)
  }
  if (timeout === undefined || timeout <= 0) return undefined
  return timeout - (epochNow() - (started ?? checkStarted))
}
