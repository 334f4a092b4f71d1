/**
 * Types of `task.meta.leakspecHook` (Vitest 4.1 and 5 both read `TaskMeta` from `vitest`).
 */
import type { LeakspecHookMeta } from './hook-shared.js'

declare module 'vitest' {
  interface TaskMeta {
    /** The leak-check hook: the test's options and, after it ran, its outcome. */
    leakspecHook?: LeakspecHookMeta
  }
}

export {}
