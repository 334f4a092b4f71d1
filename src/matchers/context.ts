/** What the matchers read of a runner's matcher context (`this` inside a matcher). */

/** The parts of a matcher's `this` that `toLeak` reads. Both Vitest and Jest provide them. */
export interface MatcherContextLike {
  /** `true` under `.not` (Vitest leaves it `undefined` otherwise). */
  readonly isNot?: boolean | undefined
  /** `'resolves'`, `'rejects'` or `''`. */
  readonly promise?: string | undefined
  /** The running Vitest task (4.1+); absent in Jest. */
  readonly task?: { meta: object; timeout?: number; result?: { startTime?: number } } | undefined
  /** The running test's name (Jest and Vitest). */
  readonly currentTestName?: string | undefined
}
