/**
 * Registers the matchers and the unawaited guard in a Vitest worker. Imported by the setup entry.
 */
import { afterEach, expect, inject } from 'vitest'
import { assertNoPendingChecks, settleAbandonedChecks } from '../matchers/guard.js'
import { matchers } from '../matchers/matchers.js'
import { setMatcherDefaults } from '../matchers/toLeak.js'
import type { LeakOptions } from '../core/options.js'
import { DEFAULTS_KEY } from './plugin.js'
import { registerHookGuard } from './hook-guard.js'
import { setPlacementProbe, type MatcherPlacement } from '../matchers/placement.js'

/**
 * Where a Vitest matcher call runs: Vitest sets the matcher context's `task` to the running test
 * (with `concurrent` for test.concurrent and describe.concurrent) and leaves it unset in
 * beforeAll/afterAll hooks and at a file's top level. (No test name: in concurrent tests the global
 * `expect` carries the task of whichever test started last.)
 */
function vitestPlacement(context: unknown): MatcherPlacement {
  const task = (context as { task?: { concurrent?: boolean; name?: string } } | null)?.task
  return {
    outsideTest: task === undefined || task === null,
    concurrent: task?.concurrent === true,
    sequentialFix: '`test(...)` instead of `test.concurrent(...)`, or `test.sequential(...)` inside a concurrent describe or with `sequence.concurrent`',
  }
}

/** Registers `toLeak` on Vitest's `expect` and the guard in `afterEach`. Safe to call twice. */
export function registerVitest(): void {
  const marker = Symbol.for('leakspec.vitest.registered')
  const holder = globalThis as Record<symbol, unknown>
  expect.extend(matchers)
  setPlacementProbe(vitestPlacement)
  const defaults = (inject as (key: string) => unknown)(DEFAULTS_KEY) as LeakOptions | undefined
  if (defaults !== undefined) setMatcherDefaults(defaults)
  if (holder[marker] === afterEach) return
  holder[marker] = afterEach
  registerHookGuard()
  afterEach(async () => {
    try {
      assertNoPendingChecks()
    } finally {
      await settleAbandonedChecks()
    }
  })
}
