/**
 * Registers the matchers and the unawaited guard in a Vitest worker. Imported by the setup entry.
 */
import { afterEach, expect, inject } from 'vitest'
import { assertNoPendingChecks, settleAbandonedChecks } from '../matchers/guard.js'
import { matchers, setMatcherDefaults } from '../matchers/toLeak.js'
import type { LeakOptions } from '../core/options.js'
import { DEFAULTS_KEY } from './plugin.js'
import { registerHookGuard } from './hook-guard.js'

/** Registers `toLeak` on Vitest's `expect` and the guard in `afterEach`. Safe to call twice. */
export function registerVitest(): void {
  const marker = Symbol.for('leakspec.vitest.registered')
  const holder = globalThis as Record<symbol, unknown>
  expect.extend(matchers)
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
