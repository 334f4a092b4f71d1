/**
 * Object-level checks: `watch(obj)` returns a handle that holds `obj` only weakly; the handle can then
 * be asked whether the object was collected, and, when it was not, who still holds it (the shortest
 * strong path from a GC root, found in a heap snapshot).
 */
import type { PathStep } from '../core/diagnosis.js'
import { sleep, turn } from '../core/clock.js'
import { resolveGc } from '../core/gc.js'
import { openInspectorBackend } from './backend.js'
import { describePath, formatPath, nodeLabel } from './describe.js'
import { buildRetainers, edgeTarget, findEdge, nodeName, type HeapGraph } from './graph.js'
import { SnapshotParser } from './parse.js'
import { pathTo, shortestPaths } from './paths.js'
import { openSnapshotFile, snapshotDirFromEnv } from './snapshot-file.js'

let sequence = 0

/**
 * A weak handle on a watched object (from {@link watch}). It keeps no strong reference: holding the
 * handle never keeps the object alive.
 */
class LeakspecWatchHandle {
  /** What the messages call the object: the label given to `watch`, else its constructor name. */
  readonly label: string
  /** A unique marker, used to find this handle (and through it the object) in a heap snapshot. */
  readonly token: string
  /** The weak reference to the object. */
  readonly ref: WeakRef<object>

  constructor(target: object, label: string) {
    this.label = label
    // join() builds a flat string; a template literal may leave a cons string, which a heap
    // snapshot shows as "(concatenated string)" instead of its text.
    this.token = ['leakspec-watch', process.pid, ++sequence, Math.random().toString(36).slice(2)].join('-')
    this.ref = new WeakRef(target)
  }
}

/** The handle returned by {@link watch}. */
export type WatchHandle = LeakspecWatchHandle

/**
 * Starts watching an object; `await expect(handle).toBeCollected()` then checks that it can be
 * garbage-collected once you drop your references to it.
 *
 * @param target an object (or function) to watch
 * @param label a name for messages; defaults to the constructor name (`Session`)
 * @returns a handle that holds `target` weakly
 * @throws {TypeError} when `target` is not an object or function
 * @example
 * let session = new Session()
 * const handle = watch(session)
 * session.close()
 * session = undefined
 * await expect(handle).toBeCollected()
 */
export function watch(target: object, label?: string): WatchHandle {
  if (target === null || (typeof target !== 'object' && typeof target !== 'function')) {
    throw new TypeError(
      `leakspec: watch(target) needs an object or a function (something that can be garbage-collected); ` +
        `received ${target === null ? 'null' : typeof target}. Fix: pass the object you expect to be released.`,
    )
  }
  if (label !== undefined && typeof label !== 'string') {
    throw new TypeError('leakspec: watch(target, label) takes an optional string label. Fix: pass a name such as \'session\'.')
  }
  const name = label ?? ((target as { constructor?: { name?: string } }).constructor?.name || (typeof target === 'function' ? 'function' : 'object'))
  return new LeakspecWatchHandle(target, name)
}

/** Whether a value is a handle from {@link watch}. */
export function isWatchHandle(value: unknown): value is WatchHandle {
  return value instanceof LeakspecWatchHandle
}

/** Back-off steps (ms; 0 = one event-loop turn) between the GCs of {@link collectWatched}. */
const SETTLE_STEPS = [0, 0, 0, 0, 1, 4, 10, 20, 50, 100] as const

/** The outcome of forcing GC on a watched object. */
export interface CollectOutcome {
  /** Whether the object was collected. */
  readonly collected: boolean
  /** Full GCs forced. */
  readonly gcs: number
}

/**
 * Forces full GCs, each after an event-loop turn (or a short sleep), until the object is collected or
 * the settle steps run out (about 0.2 s).
 * @throws {Error} when GC cannot be forced
 */
export async function collectWatched(handle: WatchHandle): Promise<CollectOutcome> {
  const access = resolveGc()
  if (!access.available) throw new Error(`leakspec: toBeCollected() needs to force GC, but ${access.reason}`)
  let gcs = 0
  for (const step of SETTLE_STEPS) {
    // A new turn first: `deref()` keeps a live target until the end of the current job.
    if (step === 0) await turn()
    else await sleep(step)
    access.collect()
    gcs++
    if (handle.ref.deref() === undefined) return { collected: true, gcs }
  }
  return { collected: false, gcs }
}

/** Who holds a watched object. */
export interface HolderPath {
  /** Readable steps from a GC root to the object. */
  readonly steps: readonly PathStep[]
  /** The same as text. */
  readonly text: string
  /** The snapshot file written, when `LEAKSPEC_SNAPSHOT_DIR` asks for one. */
  readonly snapshotFile?: string
}

/**
 * Finds the shortest strong path from a GC root to a watched object, in a heap snapshot.
 * @returns the path, or `undefined` when the object is not in the snapshot or only weakly held
 */
export async function findHolderPath(handle: WatchHandle, snapshotDir = snapshotDirFromEnv()): Promise<HolderPath | undefined> {
  await turn()
  const backend = openInspectorBackend()
  const file = snapshotDir === undefined ? undefined : openSnapshotFile(snapshotDir)
  let graph: HeapGraph
  try {
    const parser = new SnapshotParser()
    await backend.snapshot((chunk) => {
      parser.write(chunk)
      file?.write(chunk)
    })
    graph = parser.end()
  } finally {
    file?.close()
    backend.close()
  }
  const target = findWatched(graph, handle.token)
  if (target < 0) return undefined
  const paths = shortestPaths(graph)
  const edges = pathTo(paths, target)
  if (edges.length === 0) return undefined
  const steps = describePath(graph, buildRetainers(graph), edges)
  const last = steps[steps.length - 1]
  if (last) (last as { label: string }).label = `${nodeLabel(graph, target)} (watched: ${handle.label})`
  return { steps, text: formatPath(steps, 12), ...(file ? { snapshotFile: file.path } : {}) }
}

/** The node of the object watched through the handle whose token is `token`, or −1. */
function findWatched(graph: HeapGraph, token: string): number {
  for (let n = 0; n < graph.nodeCount; n++) {
    if (nodeName(graph, n) !== 'LeakspecWatchHandle') continue
    const tokenEdge = findEdge(graph, n, 'token')
    if (tokenEdge < 0 || nodeName(graph, edgeTarget(graph, tokenEdge)) !== token) continue
    const refEdge = findEdge(graph, n, 'ref')
    if (refEdge < 0) return -1
    const weakRef = edgeTarget(graph, refEdge)
    const targetEdge = findEdge(graph, weakRef, 'target')
    return targetEdge < 0 ? -1 : edgeTarget(graph, targetEdge)
  }
  return -1
}
