/**
 * Which running function holds a stack slot of a heap snapshot.
 *
 * V8 lists what the stack holds as the edges of one `(Stack roots)` node, in the order it walks the
 * frames, innermost first: for each frame its registers and temporaries, then the frame's header —
 * the function (a closure), its context (a `system / Context`, or the `system / NativeContext` when
 * the function has no scope of its own) and the code it returns to. Smis and the names of the locals
 * are not recorded (V8 names only the variables a closure captures), so a slot is attributed to the
 * frame whose header follows it: its own locals, or the arguments it was passing to the call above.
 * Verified on snapshots of Node 20 and 24, CommonJS and ES modules, interpreted and baseline frames.
 */
import { edgeTarget, nodeLocation, nodeName, nodeType, type HeapGraph } from './graph.js'

/** The function of a running frame, as a snapshot shows it. */
export interface RunningFrame {
  /** Node ordinal of the frame's function (a closure). */
  readonly fn: number
  /** The function's name (`''` when anonymous). */
  readonly name: string
  /** 0-based line and column where the function's source starts, when the snapshot records it. */
  readonly line?: number
  readonly column?: number
  /** Whether the function is the top-level code of a module or script (anonymous, starting at line 0, column 0). */
  readonly topLevel: boolean
}

const CONTEXTS = new Set(['system / Context', 'system / NativeContext'])

/** Per stack-roots node: for each of its edges (by offset from its first edge), the header index of its frame, or −1. */
const frameCache = new WeakMap<HeapGraph, { node: number; frameOf: Int32Array }>()

function frameIndex(graph: HeapGraph, stackRoots: number): Int32Array {
  const cached = frameCache.get(graph)
  if (cached && cached.node === stackRoots) return cached.frameOf
  const first = graph.firstEdge[stackRoots]!
  const count = graph.firstEdge[stackRoots + 1]! - first
  const frameOf = new Int32Array(count).fill(-1)
  let start = 0
  for (let i = 0; i + 2 < count; i++) {
    const fn = edgeTarget(graph, first + i)
    if (nodeType(graph, fn) !== 'closure') continue
    if (!CONTEXTS.has(nodeName(graph, edgeTarget(graph, first + i + 1)))) continue
    if (nodeType(graph, edgeTarget(graph, first + i + 2)) !== 'code') continue
    // Slots from the end of the previous header up to this header's context belong to this frame.
    for (let j = start; j <= i + 1; j++) frameOf[j] = i
    start = i + 3
    i += 2
  }
  frameCache.set(graph, { node: stackRoots, frameOf })
  return frameOf
}

/**
 * The running function whose frame holds the object that edge `e` of the `(Stack roots)` node
 * `stackRoots` points to, or `undefined` when the slot is outside every recognisable frame (entry
 * frames of native code).
 */
export function frameOfStackSlot(graph: HeapGraph, stackRoots: number, e: number): RunningFrame | undefined {
  const offset = e - graph.firstEdge[stackRoots]!
  const frameOf = frameIndex(graph, stackRoots)
  const header = offset >= 0 && offset < frameOf.length ? frameOf[offset]! : -1
  if (header < 0) return undefined
  const fn = edgeTarget(graph, graph.firstEdge[stackRoots]! + header)
  const name = nodeName(graph, fn)
  const location = nodeLocation(graph, fn)
  return {
    fn,
    name,
    ...(location ? { line: location.line, column: location.column } : {}),
    topLevel: name === '' && location !== undefined && location.line === 0 && location.column === 0,
  }
}
