/**
 * `leakspec/vitest/browser`: registers `toLeak` in the page of Vitest Browser Mode. The `leakspec()`
 * plugin adds this file to `setupFiles` of every project with `browser.enabled` (and registers the
 * browser commands it talks to); add it by hand only when you configure Vitest without the plugin
 * and register the commands yourself (`leakspecBrowserCommands` from `leakspec/vitest`).
 *
 * It runs in the browser: nothing here, or in what it imports, may import a `node:` module.
 */
import './types.js'
import { afterEach, expect } from 'vitest'
import * as browserContext from 'vitest/browser'
import { assertNoPendingChecks, settleAbandonedChecks } from '../matchers/guard.js'
import { setPlacementProbe, type MatcherPlacement } from '../matchers/placement.js'
import { createPageToLeak, type CommandCaller } from '../browser/toLeak.js'

function vitestPlacement(context: unknown): MatcherPlacement {
  const task = (context as { task?: { concurrent?: boolean } } | null)?.task
  return {
    outsideTest: task === undefined || task === null,
    concurrent: task?.concurrent === true,
    sequentialFix: '`test(...)` instead of `test.concurrent(...)`, or `test.sequential(...)` inside a concurrent describe or with `sequence.concurrent`',
  }
}

const call: CommandCaller = (name, ...args) => {
  // `commands` is typed only when a browser provider package is installed beside vitest.
  const commands = (browserContext as unknown as { commands?: Record<string, ((...payload: unknown[]) => Promise<unknown>) | undefined> }).commands
  const command = commands?.[name]
  if (typeof command !== 'function') {
    return Promise.reject(
      new TypeError(
        `leakspec: the browser command ${name} is not registered, so toLeak cannot force GC or read the heap. ` +
          "Fix: add the leakspec() plugin from 'leakspec/vitest' to the plugins of this Vitest config.",
      ),
    )
  }
  return command(...args)
}

const marker = Symbol.for('leakspec.vitest.browser.registered')
const holder = globalThis as Record<symbol, unknown>
expect.extend({ toLeak: createPageToLeak(call) })
setPlacementProbe(vitestPlacement)
if (holder[marker] !== afterEach) {
  holder[marker] = afterEach
  afterEach(async () => {
    try {
      assertNoPendingChecks()
    } finally {
      await settleAbandonedChecks()
    }
  })
}
