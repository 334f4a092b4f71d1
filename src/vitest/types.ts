/**
 * Type augmentation for Vitest 4.1 and 5. Vitest 4 declares `Matchers<T>` and Vitest 5
 * `Matchers<R, T>`, and no single `declare module 'vitest'` block compiles against both; both majors
 * build `expect(x)` from `Chai.Assertion`, so `toLeak` is declared there.
 */
import type { LeakOptions } from '../core/options.js'
import type { LeakspecTaskMeta } from '../matchers/toLeak.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion {
      /**
       * Checks whether each call of the received function leaves memory or handles behind.
       * Use `await expect(fn).not.toLeak()`; it must be awaited.
       * @param options see `LeakOptions`
       */
      toLeak(options?: LeakOptions): Promise<void>
      /**
       * Checks that the object watched through the received handle (from `watch(obj)`) is
       * garbage-collected; on failure the message names who still holds it. It must be awaited.
       */
      toBeCollected(): Promise<void>
    }
  }
}

declare module 'vitest' {
  interface TaskMeta {
    /** Figures of the leak checks that ran in this test. */
    leakspec?: LeakspecTaskMeta
  }
}

export {}
