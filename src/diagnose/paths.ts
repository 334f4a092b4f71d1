/**
 * Shortest retainer paths: a breadth-first search from the snapshot root over strong edges
 * (weak edges skipped), then the path to any node read back through the parent edges.
 *
 * Roots that only exist because a check is running (the stack of the code taking the snapshot, handle
 * scopes, the debugger) are searched last, so a path through them is shown only when nothing else
 * holds the object.
 */
import { edgeName, edgeTarget, edgeType, nodeName, nodeType, type HeapGraph } from './graph.js'

/** Sub-roots searched last, with the code {@link ShortestPaths.deferredRoot} records for each. */
const DEFERRED_ROOTS = new Map([
  ['(Stack roots)', 1],
  ['(Handle scope)', 2],
  ['(Debug)', 3],
  ['(Relocatable)', 3],
  // V8 drops an internalized string that nothing else references from its table at the next full GC.
  ['(Internalized strings)', 5],
])

/**
 * Which root searched last a path starts at: `none` (a root searched first: globals, modules, timers…),
 * `stack` (the local variables and temporaries of the functions running when the snapshot was taken),
 * `handles` (handles of native code that is running), `debug` (the debugger, relocatable objects), or
 * `snapshot` (V8's own bookkeeping while it takes the snapshot), or `strings` (V8's table of internalized
 * strings, which holds them weakly: a full GC drops those nothing else references). Indexed by
 * {@link ShortestPaths.deferredRoot}.
 */
export const DEFERRED_ROOT_KINDS = ['none', 'stack', 'handles', 'debug', 'snapshot', 'strings'] as const

/** One of {@link DEFERRED_ROOT_KINDS}. */
export type DeferredRootKind = (typeof DEFERRED_ROOT_KINDS)[number]

const SNAPSHOT_ROOT = 4

/**
 * Root edges V8 adds while it takes the snapshot: an identity map (`… / IdentityMapBase`) that holds
 * objects strongly for the snapshot's own bookkeeping. Searched last, like the stack.
 */
function isSnapshotRoot(graph: HeapGraph, e: number): boolean {
  return edgeName(graph, e).includes('IdentityMapBase')
}

/** Distances and parent edges from the root, for every reachable node. */
export interface ShortestPaths {
  /** Hops from the root; −1 when unreachable over strong edges. */
  readonly distance: Int32Array
  /** The edge ordinal through which each node was first reached; −1 for the root and unreachable nodes. */
  readonly parentEdge: Int32Array
  /** Source node ordinal of {@link parentEdge}. */
  readonly parentNode: Int32Array
  /** 1 when the shortest path starts at a root searched last (the stack, handle scopes, the debugger). */
  readonly viaDeferredRoot: Uint8Array
  /** Which root searched last the path starts at: an index into {@link DEFERRED_ROOT_KINDS} (0 for none). */
  readonly deferredRoot: Uint8Array
  /**
   * 1 when the shortest path passes through a decoded source map: the test runner decodes a module's
   * source map the first time it maps a stack trace through that module, and keeps it — bookkeeping
   * of the runner, never what the calls under test left behind.
   */
  readonly viaSourceMap: Uint8Array
}

/** Constructors of decoded source maps (Vitest's and the common source-map libraries'). */
const SOURCE_MAP_NODES = new Set(['DecodedMap', 'TraceMap', 'SourceMapConsumer', 'BasicSourceMapConsumer', 'SourceMap'])

/** Whether an edge holds its target strongly. */
export function isStrongEdge(graph: HeapGraph, e: number): boolean {
  const type = edgeType(graph, e)
  if (type === 'weak') return false
  // V8 names the weak parts of some internal structures without marking the edge weak.
  if (type === 'internal' || type === 'hidden') {
    const name = edgeName(graph, e)
    if (name === 'weak' || name.startsWith('(weak')) return false
  }
  return true
}

/** Runs the search from the snapshot root (node 0). */
export function shortestPaths(graph: HeapGraph): ShortestPaths {
  const count = graph.nodeCount
  const distance = new Int32Array(count).fill(-1)
  const parentEdge = new Int32Array(count).fill(-1)
  const parentNode = new Int32Array(count).fill(-1)
  const viaDeferredRoot = new Uint8Array(count)
  const deferredRoot = new Uint8Array(count)
  const viaSourceMap = new Uint8Array(count)
  const queue = new Uint32Array(count)
  let head = 0
  let tail = 0
  const deferred: Array<[number, number, number]> = []
  distance[0] = 0
  queue[tail++] = 0
  const visit = (from: number): void => {
    const nextDistance = distance[from]! + 1
    for (let e = graph.firstEdge[from]!; e < graph.firstEdge[from + 1]!; e++) {
      if (!isStrongEdge(graph, e)) continue
      const to = edgeTarget(graph, e)
      if (distance[to] !== -1) continue
      if (from !== 0 && nodeType(graph, from) === 'synthetic') {
        const kind = DEFERRED_ROOTS.get(nodeName(graph, to)) ?? (isSnapshotRoot(graph, e) ? SNAPSHOT_ROOT : 0)
        if (kind !== 0) {
          deferred.push([e, from, kind])
          continue
        }
      }
      distance[to] = nextDistance
      parentEdge[to] = e
      parentNode[to] = from
      viaDeferredRoot[to] = viaDeferredRoot[from]!
      deferredRoot[to] = deferredRoot[from]!
      viaSourceMap[to] = viaSourceMap[from] === 1 || SOURCE_MAP_NODES.has(nodeName(graph, to)) ? 1 : 0
      queue[tail++] = to
    }
  }
  for (let pass = 0; pass < 2; pass++) {
    while (head < tail) visit(queue[head++]!)
    if (pass === 0) {
      for (const [e, from, kind] of deferred) {
        const to = edgeTarget(graph, e)
        if (distance[to] !== -1) continue
        distance[to] = distance[from]! + 1
        parentEdge[to] = e
        parentNode[to] = from
        viaDeferredRoot[to] = 1
        deferredRoot[to] = kind
        viaSourceMap[to] = viaSourceMap[from] === 1 || SOURCE_MAP_NODES.has(nodeName(graph, to)) ? 1 : 0
        queue[tail++] = to
      }
      deferred.length = 0
    }
  }
  return { distance, parentEdge, parentNode, viaDeferredRoot, deferredRoot, viaSourceMap }
}

/** The edges from the root to `target`, root first; empty when it is unreachable. */
export function pathTo(paths: ShortestPaths, target: number): number[] {
  const edges: number[] = []
  let node = target
  for (let guard = 0; node > 0 && guard < 100_000; guard++) {
    const e = paths.parentEdge[node]!
    if (e < 0) return []
    edges.push(e)
    node = paths.parentNode[node]!
  }
  return edges.reverse()
}
