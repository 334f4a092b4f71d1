/**
 * A streaming parser for V8 `.heapsnapshot` JSON. It never holds the snapshot text: chunks of bytes
 * are scanned once, numbers go straight into typed arrays, strings into the strings table (only they
 * are decoded). Peak memory is the graph itself (4 bytes per node field and edge field) plus one chunk.
 *
 * Layout handled: `{"snapshot":{meta, node_count, edge_count, …}, "nodes":[…], "edges":[…],
 * "trace_function_infos":[…], "trace_tree":[…nested…], "samples":[…], "locations":[…], "strings":[…]}`.
 * Unknown top-level arrays of numbers are skipped.
 */
import type { HeapGraph, TraceFunction } from './graph.js'

interface SnapshotMeta {
  readonly node_fields: readonly string[]
  readonly node_types: readonly unknown[]
  readonly edge_fields: readonly string[]
  readonly edge_types: readonly unknown[]
  readonly trace_function_info_fields?: readonly string[]
  readonly location_fields?: readonly string[]
}

interface SnapshotHead {
  readonly meta: SnapshotMeta
  readonly node_count: number
  readonly edge_count: number
  readonly trace_function_count?: number
}

type Section = 'head' | 'top' | 'numbers' | 'tree' | 'strings' | 'done'

/** Growable list of unsigned numbers. */
class NumberList {
  data: Float64Array
  length = 0
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity)
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = value
  }
}

/** A byte view of a chunk as a Buffer (no copy). */
function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}

/**
 * Feeds snapshot chunks in order with {@link write}, then call {@link end}. Chunks may be bytes
 * (UTF-8, as V8 writes them: the fast path, no text decoding outside the strings table) or text.
 */
export class SnapshotParser {
  #section: Section = 'head'
  #pending = ''
  #head: SnapshotHead | undefined
  #nodes: Uint32Array = new Uint32Array(0)
  #edges: Uint32Array = new Uint32Array(0)
  #target: 'nodes' | 'edges' | 'trace_function_infos' | 'locations' | 'other' = 'other'
  #written = 0
  #functionInfos = new NumberList()
  #locations = new NumberList()
  // number scanning state
  #inNumber = false
  #number = 0
  #negative = false
  // trace tree state
  #treeDepth = 0
  #treeGroup: number[] = [0, 0, 0, 0]
  #treePos = 0
  #treeLast = 0
  #treeParents: number[] = []
  #traceFunctionOf: number[] = []
  #traceParentOf: number[] = []
  // strings state
  #strings: string[] = []
  #inString = false
  /** Bytes of a string that started in an earlier chunk (copies). */
  #stringPieces: Buffer[] = []
  #stringEscaped = false
  #stringHasEscape = false
  #stringNonAscii = false
  /** A high surrogate held back from the end of a text chunk. */
  #surrogate = ''
  /** Bytes seen, for error messages. */
  #position = 0

  /** Parses one chunk of snapshot bytes (UTF-8) or text. */
  write(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') {
      let text = this.#surrogate + chunk
      this.#surrogate = ''
      const last = text.charCodeAt(text.length - 1)
      if (last >= 0xd800 && last <= 0xdbff) {
        this.#surrogate = text.slice(-1)
        text = text.slice(0, -1)
      }
      if (text === '') return
      this.#writeBytes(Buffer.from(text, 'utf8'))
      return
    }
    this.#writeBytes(asBuffer(chunk))
  }

  #writeBytes(chunk: Buffer): void {
    let index = 0
    while (index < chunk.length) {
      switch (this.#section) {
        case 'head':
        case 'top':
          index = this.#top(chunk, index)
          break
        case 'numbers':
          index = this.#numbers(chunk, index)
          break
        case 'tree':
          index = this.#tree(chunk, index)
          break
        case 'strings':
          index = this.#stringsSection(chunk, index)
          break
        case 'done':
          index = chunk.length
          break
      }
    }
    this.#position += chunk.length
  }

  /** Finishes parsing and returns the graph. @throws {Error} when the snapshot was incomplete */
  end(): HeapGraph {
    if (this.#surrogate !== '') {
      const rest = this.#surrogate
      this.#surrogate = ''
      this.#writeBytes(Buffer.from(rest, 'utf8'))
    }
    const head = this.#head
    if (!head || this.#section !== 'done') {
      throw new Error(`leakspec: the heap snapshot ended early (after ${this.#position} bytes, in ${this.#section})`)
    }
    const meta = head.meta
    const nodeFieldCount = meta.node_fields.length
    const edgeFieldCount = meta.edge_fields.length
    const nodeCount = head.node_count
    const edgeCountField = meta.node_fields.indexOf('edge_count')
    const firstEdge = new Uint32Array(nodeCount + 1)
    for (let n = 0; n < nodeCount; n++) firstEdge[n + 1] = firstEdge[n]! + this.#nodes[n * nodeFieldCount + edgeCountField]!
    const fieldsOf = meta.trace_function_info_fields ?? []
    const infoWidth = fieldsOf.length
    const traceFunctions: TraceFunction[] = []
    if (infoWidth > 0) {
      const at = (name: string): number => fieldsOf.indexOf(name)
      const [fName, fScript, fLine, fColumn] = [at('name'), at('script_name'), at('line'), at('column')]
      const data = this.#functionInfos.data
      for (let i = 0; i + infoWidth <= this.#functionInfos.length; i += infoWidth) {
        const line = data[i + fLine]!
        const column = data[i + fColumn]!
        traceFunctions.push({
          name: this.#strings[data[i + fName]!] ?? '',
          script: this.#strings[data[i + fScript]!] ?? '',
          // V8 writes 1-based positions of the function, and 0 when unknown.
          line: line > 0 ? line : 0,
          column: column > 0 ? column : 0,
        })
      }
    }
    const traceFunctionOf = new Int32Array(this.#traceFunctionOf.length).fill(-1)
    const traceParentOf = new Uint32Array(this.#traceParentOf.length)
    for (let id = 0; id < this.#traceFunctionOf.length; id++) {
      const fn = this.#traceFunctionOf[id]
      if (fn !== undefined) {
        traceFunctionOf[id] = fn
        traceParentOf[id] = this.#traceParentOf[id] ?? 0
      }
    }
    const types = (list: readonly unknown[]): string[] => (Array.isArray(list[0]) ? (list[0] as string[]) : [])
    const field = (name: string): number => meta.node_fields.indexOf(name)
    return {
      nodeFieldCount,
      edgeFieldCount,
      nodeCount,
      nodes: this.#nodes,
      edges: this.#edges,
      firstEdge,
      strings: this.#strings,
      nodeTypes: types(meta.node_types),
      edgeTypes: types(meta.edge_types),
      nodeField: {
        type: field('type'),
        name: field('name'),
        id: field('id'),
        selfSize: field('self_size'),
        edgeCount: edgeCountField,
        traceNodeId: field('trace_node_id'),
      },
      traceFunctions,
      traceFunctionOf,
      traceParentOf,
      locations: this.#sourceLocations(meta, nodeFieldCount),
    }
  }

  /** The `locations` section as flat [node ordinal, script id, line, column] quadruples, sorted by node. */
  #sourceLocations(meta: SnapshotMeta, nodeFieldCount: number): Uint32Array {
    const fields = meta.location_fields ?? []
    const width = fields.length
    const [fObject, fScript, fLine, fColumn] = ['object_index', 'script_id', 'line', 'column'].map((name) => fields.indexOf(name))
    if (width === 0 || fObject! < 0 || fLine! < 0 || fColumn! < 0) return new Uint32Array(0)
    const data = this.#locations.data
    const count = Math.floor(this.#locations.length / width)
    const out = new Uint32Array(count * 4)
    let sorted = true
    for (let i = 0; i < count; i++) {
      const at = i * width
      out[i * 4] = data[at + fObject!]! / nodeFieldCount
      out[i * 4 + 1] = fScript! < 0 ? 0 : data[at + fScript!]!
      out[i * 4 + 2] = data[at + fLine!]!
      out[i * 4 + 3] = data[at + fColumn!]!
      if (i > 0 && out[i * 4]! < out[(i - 1) * 4]!) sorted = false
    }
    if (sorted) return out
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => out[a * 4]! - out[b * 4]!)
    const result = new Uint32Array(count * 4)
    order.forEach((from, to) => result.set(out.subarray(from * 4, from * 4 + 4), to * 4))
    return result
  }

  /** Between sections: reads `{"snapshot":{…},` or `"key":[` or the closing `}` (ASCII text). */
  #top(chunk: Buffer, index: number): number {
    const open = chunk.indexOf(91, index)
    if (open === -1) {
      this.#pending += chunk.toString('latin1', index)
      if (this.#section === 'top' && this.#pending.includes('}') && !this.#pending.includes('"')) this.#section = 'done'
      return chunk.length
    }
    const text = this.#pending + chunk.toString('latin1', index, open)
    this.#pending = ''
    if (this.#section === 'head') {
      // The head contains `"node_types":[[…` — arrays inside the meta. Accumulate until the
      // `"nodes":[` key appears, then parse the snapshot object.
      const marker = text.lastIndexOf('"nodes"')
      if (marker === -1) {
        this.#pending = text + '['
        return open + 1
      }
      const body = text.slice(0, marker)
      const start = body.indexOf(':') + 1
      const end = body.lastIndexOf('}')
      this.#head = JSON.parse(body.slice(start, end + 1)) as SnapshotHead
      const meta = this.#head.meta
      this.#nodes = new Uint32Array(this.#head.node_count * meta.node_fields.length)
      this.#edges = new Uint32Array(this.#head.edge_count * meta.edge_fields.length)
      this.#startSection('nodes')
      return open + 1
    }
    const match = /"([A-Za-z_]+)"\s*:\s*$/.exec(text)
    if (!match) throw new Error(`leakspec: unexpected heap snapshot text near byte ${this.#position + index}`)
    this.#startSection(match[1]!)
    return open + 1
  }

  #startSection(key: string): void {
    this.#written = 0
    this.#inNumber = false
    if (key === 'strings') {
      this.#section = 'strings'
    } else if (key === 'trace_tree') {
      this.#section = 'tree'
      this.#treeDepth = 1
      this.#treePos = 0
      this.#treeParents = [0]
    } else {
      this.#section = 'numbers'
      this.#target = key === 'nodes' || key === 'edges' || key === 'trace_function_infos' || key === 'locations' ? key : 'other'
    }
  }

  /** A flat array of integers, up to its `]`. */
  #numbers(chunk: Buffer, index: number): number {
    let number = this.#number
    let inNumber = this.#inNumber
    let negative = this.#negative
    const length = chunk.length
    const target = this.#target
    // The node and edge arrays are filled in place (their sizes are in the head).
    const array = target === 'nodes' ? this.#nodes : target === 'edges' ? this.#edges : undefined
    let written = this.#written
    let i = index
    for (; i < length; i++) {
      const code = chunk[i]!
      if (code >= 48 && code <= 57) {
        number = number * 10 + (code - 48)
        inNumber = true
        continue
      }
      if (inNumber) {
        const value = negative ? -number : number
        if (array !== undefined) array[written++] = value
        else if (target === 'trace_function_infos') this.#functionInfos.push(value)
        else if (target === 'locations') this.#locations.push(value)
        number = 0
        inNumber = false
        negative = false
      }
      if (code === 45) negative = true
      else if (code === 93) {
        this.#section = 'top'
        i++
        break
      }
    }
    this.#written = written
    this.#number = number
    this.#inNumber = inNumber
    this.#negative = negative
    return i
  }

  /** The nested `trace_tree`: groups of [id, function_info_index, count, size, [children]]. */
  #tree(chunk: Buffer, index: number): number {
    let i = index
    for (; i < chunk.length; i++) {
      const code = chunk[i]!
      if (code >= 48 && code <= 57) {
        this.#number = this.#number * 10 + (code - 48)
        this.#inNumber = true
        continue
      }
      if (this.#inNumber) {
        this.#treeGroup[this.#treePos++] = this.#number
        this.#number = 0
        this.#inNumber = false
        if (this.#treePos === 4) {
          const id = this.#treeGroup[0]!
          this.#traceFunctionOf[id] = this.#treeGroup[1]!
          this.#traceParentOf[id] = this.#treeParents[this.#treeParents.length - 1]!
          this.#treeLast = id
          this.#treePos = 0
        }
      }
      if (code === 91) {
        this.#treeParents.push(this.#treeLast)
        this.#treeDepth++
        this.#treePos = 0
      } else if (code === 93) {
        this.#treeParents.pop()
        this.#treeDepth--
        this.#treePos = 0
        if (this.#treeDepth === 0) {
          this.#section = 'top'
          i++
          break
        }
      }
    }
    return i
  }

  /** The strings table: JSON strings separated by commas, up to `]`. */
  #stringsSection(chunk: Buffer, index: number): number {
    let i = index
    const length = chunk.length
    // The rest of the chunk decoded once as Latin-1: ASCII strings are cut out of it (one native
    // call per chunk instead of one per string; bytes and characters line up for ASCII).
    let text: string | undefined
    while (i < length) {
      if (!this.#inString) {
        const code = chunk[i]!
        if (code === 34) {
          this.#inString = true
          this.#stringPieces.length = 0
          this.#stringHasEscape = false
          this.#stringNonAscii = false
          this.#stringEscaped = false
        } else if (code === 93) {
          this.#section = 'done'
          return length
        }
        i++
        continue
      }
      // Inside a string: find the closing quote that is not escaped.
      let j = i
      let escaped = this.#stringEscaped
      let hasEscape = this.#stringHasEscape
      let nonAscii = this.#stringNonAscii
      for (; j < length; j++) {
        const code = chunk[j]!
        if (escaped) {
          escaped = false
        } else if (code === 92) {
          escaped = true
          hasEscape = true
        } else if (code === 34) {
          break
        } else if (code >= 128) {
          nonAscii = true
        }
      }
      this.#stringEscaped = escaped
      this.#stringHasEscape = hasEscape
      this.#stringNonAscii = nonAscii
      if (j === length) {
        // Continues in the next chunk: keep a copy of these bytes (the chunk may be reused).
        this.#stringPieces.push(Buffer.from(chunk.subarray(i, j)))
        return length
      }
      let bytes = chunk
      let from = i
      let to = j
      if (this.#stringPieces.length > 0) {
        this.#stringPieces.push(chunk.subarray(i, j))
        bytes = Buffer.concat(this.#stringPieces)
        this.#stringPieces.length = 0
        from = 0
        to = bytes.length
      }
      let raw: string
      if (bytes === chunk && !nonAscii) {
        text ??= chunk.toString('latin1', index)
        raw = text.slice(from - index, to - index)
      } else {
        raw = bytes.toString(nonAscii ? 'utf8' : 'latin1', from, to)
      }
      this.#strings.push(hasEscape ? decodeJsonString(raw) : raw)
      this.#inString = false
      i = j + 1
    }
    return i
  }
}

function decodeJsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    // V8 writes lone surrogates as \uXXXX escapes, which JSON.parse accepts; anything else is kept raw.
    return raw
  }
}

/** Parses a complete snapshot from an (async) iterable of text chunks. */
export async function parseSnapshotChunks(chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<HeapGraph> {
  const parser = new SnapshotParser()
  for await (const chunk of chunks) parser.write(chunk)
  return parser.end()
}
