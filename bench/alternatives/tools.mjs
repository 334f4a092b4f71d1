/**
 * The leak checks compared side by side, each as one function `(fn, plan) → { verdict, detail }`
 * where `verdict` is `'leak' | 'clean' | 'inconclusive'`. Each runs in its own fresh process
 * (bench/alternatives/child.mjs), after the case's function was built; nothing here is shared
 * between tools.
 *
 * `plan.calls` is the number of calls a fixed-count check makes (the same for the hand-written check,
 * v8.queryObjects, memlab and the Jest test files): 10,000 for µs-scale functions, 1,000 for slow
 * ones (~1 ms a call), 100 for resource pairs and 10 for the pairs that spawn a process or a worker.
 */
import { performance } from 'node:perf_hooks'
import * as v8 from 'node:v8'
import { createRequire } from 'node:module'

/** Hand-written check: the threshold (bytes) a typical blog post uses: 1 MiB over N calls. */
export const HAND_THRESHOLD_BYTES = 1024 * 1024

/** leakage 0.5's defaults (lib/index.js): 30 calls between heap diffs, 6 heap diffs, 1 KiB sensitivity. */
export const LEAKAGE = { iterations: 30, gcollections: 6, sensitivity: 1024 }

async function callMany(fn, times) {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (result && typeof result.then === 'function') await result
  }
}

function needGc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc')
  return globalThis.gc
}

/**
 * The check people write by hand (e.g. "run it N times, GC, compare heapUsed"):
 * one warm-up call, `gc()`, `before = heapUsed`, N calls, `gc()`, `after − before > 1 MiB` → leak.
 */
export async function hand(fn, plan) {
  const gc = needGc()
  await callMany(fn, 1)
  gc()
  const before = process.memoryUsage().heapUsed
  await callMany(fn, plan.calls)
  gc()
  const after = process.memoryUsage().heapUsed
  const grew = after - before
  return { verdict: grew > HAND_THRESHOLD_BYTES ? 'leak' : 'clean', detail: { grewBytes: grew, calls: plan.calls } }
}

/**
 * leakage's decision rule (andywer/leakage 0.5, lib/index.js + lib/testConstantHeapSize.js),
 * re-implemented because the package no longer installs (its native dependency, node-memwatch, does
 * not build on current Node): 6 times { gc(); gc(); heap before; 30 calls; heap after (memwatch's
 * HeapDiff ends with a heap snapshot, i.e. a full GC) }; leak when the longest run of consecutive
 * diffs above 1 KiB is longer than floor(6 · 2/3) = 4. The heap size is V8's used heap after a full
 * GC (memwatch used the snapshot's total size). Differences: async calls are awaited one after the
 * other (leakage's iterate.async starts the 30 calls at once).
 */
export async function leakage(fn) {
  const gc = needGc()
  const diffs = []
  for (let g = 0; g < LEAKAGE.gcollections; g++) {
    gc()
    gc()
    const before = v8.getHeapStatistics().used_heap_size
    await callMany(fn, LEAKAGE.iterations)
    gc()
    diffs.push(v8.getHeapStatistics().used_heap_size - before)
  }
  let longest = 0
  let run = 0
  for (const d of diffs) {
    run = d > LEAKAGE.sensitivity ? run + 1 : 0
    longest = Math.max(longest, run)
  }
  const limit = Math.floor((LEAKAGE.gcollections * 2) / 3)
  return { verdict: longest > limit ? 'leak' : 'clean', detail: { diffs, longest, limit } }
}

/**
 * Counting with `v8.queryObjects` (Node ≥ 20.13), the way Node core's own tests check
 * collectability (test/common/gc.js counts a constructor's instances before and after). A generic
 * check does not know the constructor, so it counts every object whose prototype chain holds
 * `Object.prototype` (all objects and functions; not strings or numbers): N calls, leak when the
 * count grew by at least N (one object per call). `queryObjects` runs a full GC before it counts.
 */
export async function queryObjects(fn, plan) {
  const count = () => v8.queryObjects(Object, { format: 'count' })
  await callMany(fn, 1)
  const before = count()
  await callMany(fn, plan.calls)
  const after = count()
  return { verdict: after - before >= plan.calls ? 'leak' : 'clean', detail: { before, after, calls: plan.calls } }
}

/**
 * memlab's Node heap API (`@memlab/core`), as its documentation shows for memory assertions in unit
 * tests: `takeNodeMinimalHeap()` (a heap snapshot of the running process, parsed into an
 * IHeapSnapshot). memlab's own leak definition (objects allocated between the baseline and the target
 * snapshot that are still alive) is applied with its API: objects of a snapshot whose node id is not
 * in the previous one (V8 keeps ids stable within a process), grouped by type and constructor name.
 * Taking and parsing a snapshot in-process itself leaves 100–250 new objects behind (strings, native
 * strings), more than the N = 10 or 100 calls of a resource pair, so a control interval without calls
 * comes first: snapshots S0, S1 (no calls between), S2 (after N calls); leak when a group gained at
 * least N more objects from S1 to S2 than from S0 to S1 (one per call above the snapshot noise).
 * Its unit-test examples (`hasObjectWithClassName`, `hasObjectWithTag`) need the leaked class or
 * object named in advance, which a generic check cannot do.
 */
export async function memlab(fn, plan) {
  const require = createRequire(import.meta.url)
  const core = require('@memlab/core')
  core.config.muteConsole = true
  const ignored = new Set(['hidden', 'synthetic', 'code', 'object shape'])
  const keyOf = (node) => (node.type === 'object' || node.type === 'closure' || node.type === 'native' ? `${node.type}:${node.name}` : node.type)
  let seen = new Set()
  /** Snapshot; returns new objects by group (relative to the previous snapshot) and remembers the ids. */
  const snapshot = async () => {
    const heap = await core.takeNodeMinimalHeap()
    const ids = new Set()
    const groups = new Map()
    heap.nodes.forEach((node) => {
      ids.add(node.id)
      if (seen.has(node.id) || ignored.has(node.type)) return
      const key = keyOf(node)
      groups.set(key, (groups.get(key) ?? 0) + 1)
    })
    seen = ids
    return groups
  }
  await callMany(fn, 1)
  await snapshot()
  const noise = await snapshot()
  await callMany(fn, plan.calls)
  const grown = await snapshot()
  let top = ['', 0]
  for (const [key, count] of grown) {
    const excess = count - (noise.get(key) ?? 0)
    if (excess > top[1]) top = [key, excess]
  }
  return { verdict: top[1] >= plan.calls ? 'leak' : 'clean', detail: { topGroup: top[0], topExcess: top[1], calls: plan.calls } }
}

/** leakspec `measureLeaks` with the default options (the pair's own options for slow resources, as bench/child.mjs). */
export async function leakspec(fn, plan, dist) {
  const { measureLeaks } = await import(new URL('index.js', dist).href)
  const report = await measureLeaks(fn, plan.options ?? undefined)
  return {
    verdict: report.verdict,
    detail: {
      gcs: report.gcs,
      calls: report.calls,
      signals: report.verdict === 'leak' ? report.leaks.map((s) => s.key) : [],
      cause: report.verdict === 'inconclusive' ? report.cause : undefined,
    },
  }
}

/** The tools run in fresh processes by child.mjs, in table order. */
export const TOOLS = { leakspec, hand, leakage, queryObjects, memlab }

/** Milliseconds since `start` (performance.now()). */
export const since = (start) => performance.now() - start
