/**
 * A parsed V8 heap snapshot, held as flat typed arrays (the layout of the `.heapsnapshot` format)
 * plus the strings table. Only what the diagnosis needs: node type, name, id, self size, edges,
 * allocation trace ids and the allocation trace tree.
 */

/** One allocation-trace function (from `trace_function_infos`). */
export interface TraceFunction {
  /** Function name (`''` for anonymous functions). */
  readonly name: string
  /** Script name or URL (`''` for native code). */
  readonly script: string
  /** 1-based line of the function's start, or 0 when unknown. */
  readonly line: number
  /** 1-based column of the function's start, or 0 when unknown. */
  readonly column: number
}

/** The parsed heap graph. Node and edge references are indexes into the flat arrays. */
export interface HeapGraph {
  /** Number of fields per node in {@link nodes}. */
  readonly nodeFieldCount: number
  /** Number of fields per edge in {@link edges}. */
  readonly edgeFieldCount: number
  /** Node count. */
  readonly nodeCount: number
  /** Flat node fields (`node_fields` of the snapshot meta). */
  readonly nodes: Uint32Array
  /** Flat edge fields (`edge_fields`): type, name or index, target node offset. */
  readonly edges: Uint32Array
  /** Index of the first edge (edge ordinal, not offset) of each node; length nodeCount + 1. */
  readonly firstEdge: Uint32Array
  /** The strings table. */
  readonly strings: readonly string[]
  /** Node type names, by type index. */
  readonly nodeTypes: readonly string[]
  /** Edge type names, by type index. */
  readonly edgeTypes: readonly string[]
  /** Field offsets within a node. */
  readonly nodeField: { readonly type: number; readonly name: number; readonly id: number; readonly selfSize: number; readonly edgeCount: number; readonly traceNodeId: number }
  /** Allocation trace functions, by function index (empty unless allocations were tracked). */
  readonly traceFunctions: readonly TraceFunction[]
  /** For each trace node id: its function index (−1 when absent). */
  readonly traceFunctionOf: Int32Array
  /** For each trace node id: its parent trace node id (0 at the top). */
  readonly traceParentOf: Uint32Array
  /**
   * Source positions of functions (the snapshot's `locations`): flat quadruples of node ordinal, script
   * id, 0-based line and 0-based column, sorted by node ordinal. Empty when the snapshot has none.
   */
  readonly locations: Uint32Array
}

/** Where a function's source starts. */
export interface SourcePosition {
  /** V8's id of the script. */
  readonly scriptId: number
  /** 0-based line. */
  readonly line: number
  /** 0-based column. */
  readonly column: number
}

/** The source position of function node `n`, from the snapshot's `locations`, when it has one. */
export function nodeLocation(graph: HeapGraph, n: number): SourcePosition | undefined {
  const locations = graph.locations
  let lo = 0
  let hi = locations.length / 4
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (locations[mid * 4]! < n) lo = mid + 1
    else hi = mid
  }
  if (lo * 4 >= locations.length || locations[lo * 4] !== n) return undefined
  return { scriptId: locations[lo * 4 + 1]!, line: locations[lo * 4 + 2]!, column: locations[lo * 4 + 3]! }
}

/** Node ordinal of the node whose flat offset is `offset`. */
export function ordinalOf(graph: HeapGraph, offset: number): number {
  return offset / graph.nodeFieldCount
}

/** Type name of node `n` (an ordinal). */
export function nodeType(graph: HeapGraph, n: number): string {
  return graph.nodeTypes[graph.nodes[n * graph.nodeFieldCount + graph.nodeField.type]!] ?? 'unknown'
}

/** Name of node `n`. */
export function nodeName(graph: HeapGraph, n: number): string {
  return graph.strings[graph.nodes[n * graph.nodeFieldCount + graph.nodeField.name]!] ?? ''
}

/** Heap object id of node `n` (stable across snapshots of one isolate). */
export function nodeId(graph: HeapGraph, n: number): number {
  return graph.nodes[n * graph.nodeFieldCount + graph.nodeField.id]!
}

/** Self size of node `n`, bytes. */
export function nodeSelfSize(graph: HeapGraph, n: number): number {
  return graph.nodes[n * graph.nodeFieldCount + graph.nodeField.selfSize]!
}

/** Allocation trace node id of node `n` (0 when it was not allocated while allocations were tracked). */
export function nodeTraceId(graph: HeapGraph, n: number): number {
  const field = graph.nodeField.traceNodeId
  return field < 0 ? 0 : graph.nodes[n * graph.nodeFieldCount + field]!
}

/** Type name of edge `e` (an edge ordinal). */
export function edgeType(graph: HeapGraph, e: number): string {
  return graph.edgeTypes[graph.edges[e * graph.edgeFieldCount]!] ?? 'unknown'
}

/** Name of edge `e`: a property or variable name, or an element index as a string. */
export function edgeName(graph: HeapGraph, e: number): string {
  const raw = graph.edges[e * graph.edgeFieldCount + 1]!
  const type = edgeType(graph, e)
  if (type === 'element' || type === 'hidden') return String(raw)
  return graph.strings[raw] ?? String(raw)
}

/** Target node ordinal of edge `e`. */
export function edgeTarget(graph: HeapGraph, e: number): number {
  return graph.edges[e * graph.edgeFieldCount + 2]! / graph.nodeFieldCount
}

/** Finds the first outgoing edge of `n` with the given name (and type, when given). */
export function findEdge(graph: HeapGraph, n: number, name: string, type?: string): number {
  for (let e = graph.firstEdge[n]!; e < graph.firstEdge[n + 1]!; e++) {
    if (edgeName(graph, e) === name && (type === undefined || edgeType(graph, e) === type)) return e
  }
  return -1
}

/**
 * The reverse edges: for each node, the edges that point to it. Built on demand (one pass, two
 * typed arrays: offsets per node and edge ordinals).
 */
export interface Retainers {
  /** Offset into {@link edges} of the first retaining edge of each node; length nodeCount + 1. */
  readonly first: Uint32Array
  /** Retaining edge ordinals, grouped by target node. */
  readonly edges: Uint32Array
  /** Source node ordinal of each edge ordinal. */
  readonly owner: Uint32Array
}

/** Builds the reverse-edge index of `graph`. */
export function buildRetainers(graph: HeapGraph): Retainers {
  const edgeCount = graph.edges.length / graph.edgeFieldCount
  const first = new Uint32Array(graph.nodeCount + 1)
  const owner = new Uint32Array(edgeCount)
  for (let n = 0; n < graph.nodeCount; n++) {
    for (let e = graph.firstEdge[n]!; e < graph.firstEdge[n + 1]!; e++) {
      owner[e] = n
      first[edgeTarget(graph, e) + 1]!++
    }
  }
  for (let n = 0; n < graph.nodeCount; n++) first[n + 1]! += first[n]!
  const fill = first.slice(0, graph.nodeCount)
  const edges = new Uint32Array(edgeCount)
  for (let e = 0; e < edgeCount; e++) {
    const target = edgeTarget(graph, e)
    edges[fill[target]!++] = e
  }
  return { first, edges, owner }
}
