/**
 * Where a matcher runs. A leak check measures the whole heap and every open handle of its thread, so
 * it must run inside a test that runs alone: not in a concurrent test (its siblings allocate during
 * the check, and a sibling's afterEach guard would abandon it), and not in a `beforeAll`/`afterAll`
 * hook or at the top level of a file (no test to fail, the hook timeout, no per-test record). Each
 * runner entry (leakspec/vitest, leakspec/jest) registers a probe that reads its matcher context;
 * without one (a plain `expect.extend`), nothing is checked.
 */

/** What a runner can tell about the place of a matcher call. */
export interface MatcherPlacement {
  /** `true` when the call is not inside a test (a `beforeAll`/`afterAll` hook, or a file's top level). */
  readonly outsideTest?: boolean
  /** `true` when the running test is concurrent (`test.concurrent`, `describe.concurrent`). */
  readonly concurrent?: boolean
  /** The running test's name, for the message. */
  readonly testName?: string | undefined
  /** How to make a test sequential in this runner (ends the message's fix). */
  readonly sequentialFix: string
}

/** Reads the placement from a matcher's `this`. */
export type PlacementProbe = (context: unknown) => MatcherPlacement

let probe: PlacementProbe | undefined

/**
 * Registers the runner's placement probe (called by the runner entries when they register the
 * matchers). Replaces an earlier one.
 */
export function setPlacementProbe(next: PlacementProbe | undefined): void {
  probe = next
}

/**
 * Throws when a leak check is started where it cannot measure one function alone.
 * @param context the matcher's `this`
 * @param hint the matcher call as written, for example `expect(fn).not.toLeak()`
 * @throws {TypeError} inside a concurrent test, or outside a test, naming the fix
 */
export function assertPlacement(context: unknown, hint: string): void {
  if (!probe) return
  let placement: MatcherPlacement
  try {
    placement = probe(context)
  } catch {
    return
  }
  if (placement.concurrent) {
    throw new TypeError(
      `leakspec: ${hint} cannot run in a concurrent test${placement.testName ? ` ("${placement.testName}")` : ''}: ` +
        'the tests running beside it allocate memory and open handles during the check, which would be measured ' +
        "as this function's, and two checks at once would measure each other. This is not a leak verdict. " +
        `Fix: make this test sequential (${placement.sequentialFix}).`,
    )
  }
  if (placement.outsideTest) {
    throw new TypeError(
      `leakspec: ${hint} was called outside a test (in a beforeAll or afterAll hook, or at the top level of a file): ` +
        'there it has no test to fail, runs under the hook timeout and is not recorded for any test. ' +
        "Fix: move the check into a test: test('does not leak', async () => { await expect(fn).not.toLeak() }). " +
        'Set-up that the check needs can stay in beforeAll.',
    )
  }
}
