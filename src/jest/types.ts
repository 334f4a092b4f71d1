/// <reference types="expect" />
/**
 * Type augmentation for Jest 29 and 30. Jest has two ways to get `expect` and each has its own
 * `Matchers` interface, so `toLeak` and `toBeCollected` are declared on both:
 *
 * - the global `expect` typed by `@types/jest` reads the global `jest.Matchers<R, T>`;
 * - `import { expect } from '@jest/globals'` reads `Matchers<R, T>` of the `expect` package
 *   (re-exported by `@jest/expect` and `@jest/globals` in 29 and 30).
 *
 * The reference to `expect` brings that module into the program: an augmentation of a module that
 * nothing else imports fails with TS2664. Jest installs `expect` alongside itself.
 */
import type { LeakOptions } from '../core/options.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // The type parameters must match @types/jest's declaration exactly (TS2428 otherwise).
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars
    interface Matchers<R, T = {}> {
      /**
       * Checks whether each call of the received function leaves memory or handles behind.
       * Use `await expect(fn).not.toLeak()`; it must be awaited.
       * @param options see `LeakOptions`
       */
      toLeak(options?: LeakOptions): Promise<R>
      /**
       * Checks that the object watched through the received handle (from `watch(obj)`, exported by
       * `leakspec`) is garbage-collected; on failure the message names who still holds it.
       * Use `await expect(handle).toBeCollected()`; it must be awaited.
       */
      toBeCollected(): Promise<R>
    }
  }
}

declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /**
     * Checks whether each call of the received function leaves memory or handles behind.
     * Use `await expect(fn).not.toLeak()`; it must be awaited.
     * @param options see `LeakOptions`
     */
    toLeak(options?: LeakOptions): Promise<void>
    /**
     * Checks that the object watched through the received handle (from `watch(obj)`, exported by
     * `leakspec`) is garbage-collected; on failure the message names who still holds it.
     * Use `await expect(handle).toBeCollected()`; it must be awaited.
     */
    toBeCollected(): Promise<void>
  }
}

export {}
