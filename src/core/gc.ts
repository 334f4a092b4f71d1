/**
 * Forcing a full garbage collection.
 *
 * Order of preference: the `gc` global (present when node runs with `--expose-gc`), then the runtime
 * fallback `v8.setFlagsFromString('--expose-gc')` + `vm.runInNewContext('gc')`, which works on Node 20,
 * 22 and 24 on the main thread and in worker threads. `gc()` is always called with no arguments:
 * on Node 20 the option-bag forms run a scavenge, not a full mark-compact.
 */
import * as v8 from 'node:v8'
import * as vm from 'node:vm'

/** Where the `gc` function came from. */
export type GcSource = 'exposed' | 'fallback'

/** A resolved way to force a full GC, or the reason there is none. */
export type GcAccess =
  | { readonly available: true; readonly source: GcSource; readonly collect: () => void }
  | { readonly available: false; readonly reason: string }

let cached: GcAccess | undefined

/**
 * Finds a way to force a full GC. The result is cached after the first successful call.
 * Leaves V8's `--expose-gc` flag as it found it.
 */
export function resolveGc(): GcAccess {
  if (cached?.available) return cached
  const exposed = (globalThis as { gc?: unknown }).gc
  if (typeof exposed === 'function') {
    const collect = exposed as () => void
    cached = { available: true, source: 'exposed', collect: () => collect() }
    return cached
  }
  try {
    v8.setFlagsFromString('--expose-gc')
    const fallback: unknown = vm.runInNewContext('gc')
    v8.setFlagsFromString('--no-expose-gc')
    if (typeof fallback === 'function') {
      const collect = fallback as () => void
      cached = { available: true, source: 'fallback', collect: () => collect() }
      return cached
    }
    cached = { available: false, reason: 'the runtime fallback did not provide a gc function' }
  } catch (error) {
    cached = {
      available: false,
      reason: `the runtime fallback failed: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
  return cached
}

/** The fix to print when GC cannot be forced. */
export const GC_FIX =
  'run node with --expose-gc (for example NODE_OPTIONS=--expose-gc; in Vitest the leakspec() plugin sets it up; ' +
  'in Jest run node --expose-gc node_modules/jest/bin/jest.js)'
