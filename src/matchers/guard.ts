/**
 * The unawaited-matcher guard. An async matcher that is not awaited passes silently in every runner;
 * this guard records running checks and fails the test in `afterEach` when one is still running.
 */
import type { CheckToken } from '../core/sampler.js'

interface Pending {
  readonly token: CheckToken
  readonly name: string
  readonly settled: Promise<unknown>
}

const pending = new Set<Pending>()
/** Checks abandoned by the guard that have not unwound yet (they still hold the sampler). */
const abandoned = new Set<Promise<unknown>>()

/** Records a running check until `promise` settles. */
export function track<T>(promise: Promise<T>, token: CheckToken, name: string): Promise<T> {
  const settled = promise.then(
    () => undefined,
    () => undefined,
  )
  const entry: Pending = { token, name, settled }
  pending.add(entry)
  return promise.finally(() => {
    pending.delete(entry)
  })
}

/** Set when a check was refused with OVERLAP since the last {@link assertNoPendingChecks}. */
let overlapped = false

/**
 * Notes that a check was refused because another one was running (OVERLAP): the running one is
 * then abandoned by the next {@link assertNoPendingChecks} without a second, "not awaited", error.
 */
export function noteOverlap(): void {
  overlapped = true
}

/**
 * Throws when a check started by a matcher is still running (it was not awaited). The running
 * check is abandoned at its next call so it cannot disturb later tests. Call it from `afterEach`.
 * @throws {Error} naming the matcher and the fix
 */
export function assertNoPendingChecks(): void {
  if (pending.size === 0) {
    overlapped = false
    return
  }
  const names = [...pending].map((entry) => entry.name)
  for (const entry of pending) {
    entry.token.aborted = true
    entry.token.reason = 'the test ended before it finished (it was not awaited)'
    const settled = entry.settled
    abandoned.add(settled)
    void settled.then(() => abandoned.delete(settled))
  }
  pending.clear()
  if (overlapped) {
    // The test already fails with OVERLAP, whose message says to await each check; saying "not
    // awaited" as well would be wrong when both were awaited together (Promise.all).
    overlapped = false
    return
  }
  throw new Error(
    `leakspec: \`${names[0]}\` was not awaited, so it could not fail the test. ` +
      `Fix: write \`await expect(fn).not.toLeak()\` (and make the test function async).` +
      (names.length > 1 ? ` (${names.length} checks were not awaited.)` : ''),
  )
}

/**
 * Resolves once every check abandoned by {@link assertNoPendingChecks} has unwound (an abandoned
 * check stops at its next call, which can be a GC or a settle back-off away). Await it in the same
 * `afterEach`, so the next test's check does not find the sampler busy (`OVERLAP`).
 */
export async function settleAbandonedChecks(): Promise<void> {
  while (abandoned.size > 0) await Promise.all([...abandoned])
}
