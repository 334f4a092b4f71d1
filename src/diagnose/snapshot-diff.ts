/**
 * The difference between two heap snapshot files of one process: which kinds of object grew between
 * them (count and self bytes), and who holds the objects that were added, for `leakspec diff`.
 *
 * It is the diagnosis of a failing `toLeak`, fed from files instead of a snapshot the check takes:
 * the same streaming parser, the same kinds (`groupName`), the same choice of the member whose path is
 * shown (`pathSample`), the same shortest strong path from a GC root, rendered the same way
 * (`describePath`, `formatPath`). One difference: the diagnosis leaves out what only the stack holds (its
 * own frames are on it), while a diff counts it — a script or server that writes its snapshots from its
 * own code holds its module's locals on the stack. Whatever is not counted is tallied by reason
 * (`leftOut`) and printed.
 *
 * Only one graph is in memory at a time: the first snapshot is reduced to counts per kind and a sorted
 * list of its object ids before the second is read. Files are read as streams (gzip-compressed ones
 * too), never as one string.
 */
import type { PathStep } from '../core/diagnosis.js'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { createGunzip } from 'node:zlib'
import { describePath, formatPath, groupName } from './describe.js'
import { isEngineNode, isInternalKind, pathSample } from './diagnose.js'
import { buildRetainers, nodeId, nodeSelfSize, nodeType, type HeapGraph } from './graph.js'
import { SnapshotParser } from './parse.js'
import { DEFERRED_ROOT_KINDS, pathTo, shortestPaths, type ShortestPaths } from './paths.js'

/**
 * Why a diff could not be made. `'usage'`: the arguments are wrong (the same file twice, the files in
 * the wrong order); `'file'`: a file is missing, unreadable, not a heap snapshot, truncated, or the two
 * come from different processes.
 */
export type SnapshotDiffErrorKind = 'usage' | 'file'

/** A diff could not be made; the message says why and what to do. */
export class SnapshotDiffError extends Error {
  override readonly name = 'SnapshotDiffError'
  /** Whether the arguments or a file is at fault. */
  readonly kind: SnapshotDiffErrorKind

  constructor(kind: SnapshotDiffErrorKind, message: string) {
    super(message)
    this.kind = kind
  }
}

/** Options of {@link diffSnapshotFiles}. Every field is optional. */
export interface SnapshotDiffOptions {
  /** How many kinds that grew to return, most bytes added first. @default 10 */
  readonly top?: number
  /** How many of them (the first ones) get a retainer path. @default 5 */
  readonly paths?: number
  /** Called with a line of progress (`reading after.heapsnapshot (98.1 MB)…`) before each slow step. */
  readonly onProgress?: (message: string) => void
}

/** One snapshot file, as read. */
export interface SnapshotFileInfo {
  /** The path as given. */
  readonly file: string
  /** Size of the file, bytes (compressed size for a gzip file). */
  readonly fileBytes: number
  /** Whether the file was gzip-compressed. */
  readonly gzip: boolean
  /** Nodes in the snapshot (every heap object, V8 internals included). */
  readonly nodes: number
  /**
   * Objects that count: reachable from a GC root over strong edges — through the stack of the code that
   * was running too — and neither compiled code, hidden classes, native or system objects nor roots.
   */
  readonly objects: number
  /** Their self size in all, bytes. */
  readonly bytes: number
  /** Of {@link objects}: those held only by the stack (locals of functions running when the snapshot was taken). */
  readonly onStack: NodeTally
  /** The nodes not counted as objects, by reason (every reason listed, with zeros). */
  readonly leftOut: readonly LeftOut[]
}

/** A number of nodes and their self size. */
export interface NodeTally {
  /** Node count. */
  readonly nodes: number
  /** Self size in all, bytes. */
  readonly bytes: number
}

/**
 * Why nodes are not counted as objects: `'engine'` — V8's and Node's own (compiled code, hidden classes,
 * system and native objects, the roots); `'weak'` — reachable only over weak references (garbage V8 had
 * not collected yet, WeakMap keys and WeakRef targets nothing else holds, internalized strings only V8's
 * string table holds); `'snapshot'` — held only by
 * the bookkeeping V8 does while it writes the snapshot.
 */
export type LeftOutReason = 'engine' | 'weak' | 'snapshot'

/** Nodes left out of the counts for one reason. */
export interface LeftOut extends NodeTally {
  /** Why. */
  readonly reason: LeftOutReason
}

/** One kind of object that grew between the snapshots. */
export interface GrownKind {
  /** Constructor name (`Session`), or V8's kind shown as `(closure) onTick`, `(string)`, `(array)`, `(closure scope)`. */
  readonly name: string
  /** Whether `name` is one of V8's internal kinds rather than a constructor a user wrote. */
  readonly internal: boolean
  /** Objects of this kind in the first snapshot. */
  readonly countBefore: number
  /** Objects of this kind in the second snapshot. */
  readonly countAfter: number
  /** Objects of this kind in the second snapshot that were not in the first (allocated in between and still alive). */
  readonly newObjects: number
  /** Their self size in the first snapshot, bytes. */
  readonly bytesBefore: number
  /** Their self size in the second snapshot, bytes. */
  readonly bytesAfter: number
  /** Shortest strong path from a GC root to one of the added objects, as steps, when computed. */
  readonly path?: readonly PathStep[]
  /** The same path as text, as a failing `toLeak` shows it: `module scope (server.js) › sessions: Map › entry › Session`. */
  readonly pathText?: string
}

/** The difference between two snapshots of one process. */
export interface SnapshotDiff {
  /** The first (older) snapshot. */
  readonly before: SnapshotFileInfo
  /** The second (newer) snapshot. */
  readonly after: SnapshotFileInfo
  /** Kinds whose self bytes or count grew, most bytes added first, at most `top`. */
  readonly kinds: readonly GrownKind[]
  /** How many kinds grew in all (`kinds` may hold fewer). */
  readonly kindsGrown: number
  /** Of the object ids both snapshots hold, the share naming the same kind of object (about 1 for one process). */
  readonly sameIdsAgree: number
  /** Wall-clock time, milliseconds. */
  readonly durationMs: number
}

/** Node types that never enter the process check (Node gives its own native objects new ids in each snapshot). */
const UNSTABLE_ID_TYPES = new Set(['native', 'synthetic'])
/**
 * Below this share of agreeing ids, two snapshots are from different heaps. Measured: one process 0.9997–1.0
 * (a server under load between the snapshots included); two processes 0.02–0.42 for a server, 0.78–0.92 for
 * a 30-line script whose processes allocate the very same objects in the same order.
 */
const SAME_PROCESS_AGREEMENT = 0.98
/** The check needs at least this many shared ids to say anything. */
const MIN_SHARED_IDS = 500
/** Bits of the kind hash packed under each id in the sorted id list (id · 2^20 + hash stays below 2^53). */
const HASH_BITS = 20
const HASH_SCALE = 2 ** HASH_BITS

const DEFAULT_TOP = 10
const DEFAULT_PATHS = 5
const CHUNK_BYTES = 1 << 20

const SNAPSHOT_START = /^\uFEFF?\s*\{\s*"snapshot"\s*:\s*\{\s*"meta"\s*:/
const HOW_TO_TAKE =
  'Take one with v8.writeHeapSnapshot(), with node --heapsnapshot-signal=SIGUSR2 and `kill -USR2 <pid>`, ' +
  'or in Chrome DevTools (Memory › Heap snapshot › Save profile)'

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

/** A 20-bit hash of a node's type and name (the first 64 characters), for comparing ids across snapshots. */
function kindHash(type: number, name: string): number {
  let hash = (0x811c9dc5 ^ type) >>> 0
  const length = Math.min(name.length, 64)
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193) >>> 0
  return (hash ^ (hash >>> HASH_BITS)) & (HASH_SCALE - 1)
}

/** Per node: its kind hash, computed once per name string. */
function kindHashes(graph: HeapGraph): (n: number) => number {
  const cache = new Int32Array(graph.strings.length).fill(-1)
  const fields = graph.nodeFieldCount
  const { type: typeField, name: nameField } = graph.nodeField
  return (n) => {
    const type = graph.nodes[n * fields + typeField]!
    const name = graph.nodes[n * fields + nameField]!
    let base = cache[name]!
    if (base < 0) {
      base = kindHash(0, graph.strings[name] ?? '')
      cache[name] = base
    }
    return (base ^ Math.imul(type + 1, 0x9e37)) & (HASH_SCALE - 1)
  }
}

interface Tally {
  count: number
  bytes: number
}

/** What is kept of the first snapshot once its graph is dropped. */
interface Summary {
  readonly info: SnapshotFileInfo
  readonly kinds: Map<string, Tally>
  /** id · 2^20 + kind hash of every node with a stable id, sorted. */
  readonly ids: Float64Array
  /** Largest id of a JavaScript object (native and synthetic nodes excluded). */
  readonly newestId: number
  readonly digest: string | undefined
  readonly layout: string
}

function layoutOf(graph: HeapGraph): string {
  return `${graph.nodeFieldCount}/${graph.edgeFieldCount}/${graph.nodeTypes.join(',')}/${graph.edgeTypes.join(',')}`
}

/** Reads and parses one snapshot file, streaming. */
async function readSnapshot(
  file: string,
  label: 'first' | 'second',
  withDigest: boolean,
  onProgress: ((message: string) => void) | undefined,
): Promise<{ graph: HeapGraph; fileBytes: number; gzip: boolean; digest: string | undefined }> {
  const stat = statSnapshot(file, label)
  const head = Buffer.alloc(2)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, head, 0, 2, 0)
  } finally {
    fs.closeSync(fd)
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b
  onProgress?.(`reading ${file} (${megabytes(stat.size)}${gzip ? ', gzip' : ''})…`)
  const raw = fs.createReadStream(file, { highWaterMark: CHUNK_BYTES })
  const hash = withDigest ? createHash('sha1') : undefined
  if (hash) raw.on('data', (chunk) => hash.update(chunk as Buffer))
  const source: NodeJS.ReadableStream = gzip ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw
  if (gzip) raw.on('error', (error) => (source as ReturnType<typeof createGunzip>).destroy(error))
  const parser = new SnapshotParser()
  // The parser takes bytes; only the first few hundred are decoded, to recognise the format.
  let sniffed: Buffer = Buffer.alloc(0)
  let checked = false
  let bytesRead = 0
  const feed = (chunk: Buffer): void => {
    bytesRead += chunk.length
    if (!checked) {
      sniffed = Buffer.concat([sniffed, chunk])
      const head = sniffed.subarray(0, 1024).toString('utf8')
      if (sniffed.length < 256 && !head.includes('"meta"')) return
      checked = true
      if (!SNAPSHOT_START.test(head)) throw new SnapshotDiffError('file', notASnapshot(file, head))
      chunk = sniffed
      sniffed = Buffer.alloc(0)
    }
    try {
      parser.write(chunk)
    } catch (error) {
      throw new SnapshotDiffError(
        'file',
        `${file} is damaged: ${String((error as Error).message).replace(/^leakspec: /, '')}. ` +
          'It is not a heap snapshot as V8 writes it; take the snapshot again.',
      )
    }
  }
  try {
    for await (const chunk of source) feed(chunk as Buffer)
  } catch (error) {
    raw.destroy()
    if (error instanceof SnapshotDiffError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (gzip && (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR')) {
      throw new SnapshotDiffError(
        'file',
        `${file} is a damaged or truncated gzip file (${(error as Error).message}). Copy or compress the snapshot again.`,
      )
    }
    throw new SnapshotDiffError('file', `cannot read ${file}: ${(error as Error).message}`)
  }
  if (!checked) {
    const head = sniffed.toString('utf8')
    if (SNAPSHOT_START.test(head)) throw new SnapshotDiffError('file', truncated(file, bytesRead))
    throw new SnapshotDiffError('file', notASnapshot(file, head))
  }
  let graph: HeapGraph
  try {
    graph = parser.end()
  } catch {
    throw new SnapshotDiffError('file', truncated(file, bytesRead))
  }
  const edgeCount = graph.edges.length / graph.edgeFieldCount
  if (graph.nodeCount === 0 || graph.firstEdge[graph.nodeCount] !== edgeCount) {
    throw new SnapshotDiffError(
      'file',
      `${file} is damaged: its nodes list ${graph.firstEdge[graph.nodeCount]} edges but it holds ${edgeCount}. Take the snapshot again.`,
    )
  }
  return { graph, fileBytes: stat.size, gzip, digest: hash?.digest('hex') }
}

function statSnapshot(file: string, label: 'first' | 'second'): fs.Stats {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new SnapshotDiffError(
        'file',
        `cannot read the ${label} snapshot: ${file} does not exist. Check the path ` +
          '(v8.writeHeapSnapshot() and --heapsnapshot-signal write Heap.<date>.<time>.<pid>.<thread>.<seq>.heapsnapshot ' +
          'into the working directory of the process, unless given a file name).',
      )
    }
    if (code === 'EACCES') {
      throw new SnapshotDiffError('file', `cannot read the ${label} snapshot ${file}: permission denied (snapshots are written with mode 0600; run as their owner or copy them).`)
    }
    throw new SnapshotDiffError('file', `cannot read the ${label} snapshot ${file}: ${(error as Error).message}`)
  }
  if (stat.isDirectory()) {
    throw new SnapshotDiffError('file', `the ${label} snapshot ${file} is a directory; pass a .heapsnapshot file.`)
  }
  if (stat.size === 0) {
    throw new SnapshotDiffError(
      'file',
      `${file} is empty: the snapshot was never written (a process that exits or is killed while writing one leaves an empty or partial file). Take it again: ${HOW_TO_TAKE.replace(/^Take one /, '')}.`,
    )
  }
  try {
    fs.accessSync(file, fs.constants.R_OK)
  } catch {
    throw new SnapshotDiffError('file', `cannot read the ${label} snapshot ${file}: permission denied (snapshots are written with mode 0600; run as their owner or copy them).`)
  }
  return stat
}

function notASnapshot(file: string, start: string): string {
  const text = start.replace(/^\uFEFF/, '').trimStart()
  let what = 'it does not start like one'
  if (/^\{\s*"head"\s*:\s*\{\s*"callFrame"/.test(text)) what = 'it is a sampling heap profile (.heapprofile), which has no objects to compare'
  else if (/^\{\s*"nodes"\s*:\s*\[\s*\{\s*"id"/.test(text)) what = 'it is a CPU profile (.cpuprofile)'
  else if (/^[{[]/.test(text)) what = 'it is JSON, but not a heap snapshot'
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u0008\u000e-\u001f]/.test(text.slice(0, 64))) what = 'it is a binary file'
  return `${file} is not a V8 heap snapshot (${what}). ${HOW_TO_TAKE}.`
}

function truncated(file: string, bytes: number): string {
  return (
    `${file} is truncated: it ends after ${size(bytes)} of snapshot, before its end. ` +
    'The process was probably killed, or ran out of memory, while writing it, or the copy is incomplete. ' +
    'Take it again and wait until it is complete (v8.writeHeapSnapshot() returns only then; ' +
    'with --heapsnapshot-signal, wait until the file stops growing).'
  )
}

const SNAPSHOT_ROOT = DEFERRED_ROOT_KINDS.indexOf('snapshot')
const STRING_TABLE_ROOT = DEFERRED_ROOT_KINDS.indexOf('strings')
const STACK_ROOT = DEFERRED_ROOT_KINDS.indexOf('stack')
const LEFT_OUT_REASONS: readonly LeftOutReason[] = ['engine', 'weak', 'snapshot']

/** Objects counted and nodes left out, by reason, over one snapshot. */
class Counts {
  objects = 0
  bytes = 0
  stackNodes = 0
  stackBytes = 0
  readonly left: Record<LeftOutReason, { nodes: number; bytes: number }> = {
    engine: { nodes: 0, bytes: 0 },
    weak: { nodes: 0, bytes: 0 },
    snapshot: { nodes: 0, bytes: 0 },
  }

  /** Tallies node `n`; returns whether it counts as an object. */
  add(graph: HeapGraph, paths: ShortestPaths, n: number, size: number): boolean {
    const reason: LeftOutReason | undefined = isEngineNode(graph, n)
      ? 'engine'
      : paths.distance[n]! < 0 || paths.deferredRoot[n] === STRING_TABLE_ROOT
        ? 'weak'
        : paths.deferredRoot[n] === SNAPSHOT_ROOT
          ? 'snapshot'
          : undefined
    if (reason !== undefined) {
      this.left[reason].nodes++
      this.left[reason].bytes += size
      return false
    }
    this.objects++
    this.bytes += size
    if (paths.deferredRoot[n] === STACK_ROOT) {
      this.stackNodes++
      this.stackBytes += size
    }
    return true
  }

  info(): Pick<SnapshotFileInfo, 'objects' | 'bytes' | 'onStack' | 'leftOut'> {
    return {
      objects: this.objects,
      bytes: this.bytes,
      onStack: { nodes: this.stackNodes, bytes: this.stackBytes },
      leftOut: LEFT_OUT_REASONS.map((reason) => ({ reason, ...this.left[reason] })),
    }
  }
}

/** Counts per kind, and ids, of the first snapshot. */
function summarize(graph: HeapGraph, file: string, fileBytes: number, gzip: boolean, digest: string | undefined): Summary {
  const paths = shortestPaths(graph)
  const kinds = new Map<string, Tally>()
  const hashOf = kindHashes(graph)
  const ids = new Float64Array(graph.nodeCount)
  let stable = 0
  let newestId = 0
  const counts = new Counts()
  for (let n = 0; n < graph.nodeCount; n++) {
    if (!UNSTABLE_ID_TYPES.has(nodeType(graph, n))) {
      const id = nodeId(graph, n)
      ids[stable++] = id * HASH_SCALE + hashOf(n)
      if (id > newestId) newestId = id
    }
    const size = nodeSelfSize(graph, n)
    if (!counts.add(graph, paths, n, size)) continue
    const name = groupName(graph, n)
    const tally = kinds.get(name)
    if (tally) {
      tally.count++
      tally.bytes += size
    } else kinds.set(name, { count: 1, bytes: size })
  }
  const sorted = ids.slice(0, stable).sort()
  return {
    info: { file, fileBytes, gzip, nodes: graph.nodeCount, ...counts.info() },
    kinds,
    ids: sorted,
    newestId,
    digest,
    layout: layoutOf(graph),
  }
}

/** Looks `id` up in the sorted list: its kind hash, or −1 when absent. */
function findId(ids: Float64Array, id: number): number {
  const low = id * HASH_SCALE
  let lo = 0
  let hi = ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (ids[mid]! < low) lo = mid + 1
    else hi = mid
  }
  if (lo < ids.length && ids[lo]! < low + HASH_SCALE) return ids[lo]! - low
  return -1
}

interface AfterKind extends Tally {
  internal: boolean
  added: number
  members: number[]
  /** The largest object added (a backing store that was reallocated larger, when the count did not grow). */
  biggest: number
  biggestSize: number
}

/**
 * Compares two heap snapshot files of one process, the older first.
 *
 * @param beforeFile path of the older snapshot (`.heapsnapshot`, optionally gzip-compressed)
 * @param afterFile path of the newer snapshot
 * @param options see {@link SnapshotDiffOptions}
 * @returns the kinds that grew, most bytes added first, with retainer paths for the first ones
 * @throws {SnapshotDiffError} when a file is missing, unreadable, not a snapshot or truncated, when the
 *   two are the same file or in the wrong order, or come from different processes
 */
export async function diffSnapshotFiles(beforeFile: string, afterFile: string, options: SnapshotDiffOptions = {}): Promise<SnapshotDiff> {
  const started = performance.now()
  const top = options.top ?? DEFAULT_TOP
  const pathCount = Math.min(top, options.paths ?? DEFAULT_PATHS)
  if (path.resolve(beforeFile) === path.resolve(afterFile) || sameInode(beforeFile, afterFile)) {
    throw new SnapshotDiffError(
      'usage',
      `both arguments name the same file (${beforeFile}). Pass two snapshots of one process: the first taken before the growth, the second after it.`,
    )
  }
  const sizes = [sizeOf(beforeFile), sizeOf(afterFile)]
  const withDigest = sizes[0] !== undefined && sizes[0] === sizes[1]
  const first = await readSnapshot(beforeFile, 'first', withDigest, options.onProgress)
  options.onProgress?.(`analysing ${beforeFile}…`)
  const before = summarize(first.graph, beforeFile, first.fileBytes, first.gzip, first.digest)
  // Drop the first graph before the second is read: one graph in memory at a time.
  ;(first as { graph: HeapGraph | undefined }).graph = undefined
  const second = await readSnapshot(afterFile, 'second', withDigest, options.onProgress)
  if (before.digest !== undefined && before.digest === second.digest) {
    throw new SnapshotDiffError(
      'usage',
      `${beforeFile} and ${afterFile} are the same snapshot (identical content). Pass two snapshots taken at different times: the first before the growth, the second after it.`,
    )
  }
  const graph = second.graph
  if (layoutOf(graph) !== before.layout) {
    throw new SnapshotDiffError('file', differentProcesses(beforeFile, afterFile, 'they were written by different versions of V8 (the node and edge fields differ)'))
  }
  options.onProgress?.(`analysing ${afterFile}…`)
  const paths = shortestPaths(graph)
  const hashOf = kindHashes(graph)
  const kinds = new Map<string, AfterKind>()
  let shared = 0
  let agree = 0
  let newestId = 0
  const counts = new Counts()
  for (let n = 0; n < graph.nodeCount; n++) {
    const stableId = !UNSTABLE_ID_TYPES.has(nodeType(graph, n))
    const id = nodeId(graph, n)
    let known = false
    if (stableId) {
      if (id > newestId) newestId = id
      const hash = findId(before.ids, id)
      if (hash >= 0) {
        known = true
        shared++
        if (hash === hashOf(n)) agree++
      }
    }
    const size = nodeSelfSize(graph, n)
    if (!counts.add(graph, paths, n, size)) continue
    const name = groupName(graph, n)
    let kind = kinds.get(name)
    if (!kind) {
      kind = { count: 0, bytes: 0, internal: isInternalKind(graph, n, name), added: 0, members: [], biggest: -1, biggestSize: -1 }
      kinds.set(name, kind)
    }
    kind.count++
    kind.bytes += size
    if (!known) {
      kind.added++
      if (kind.members.length < 256) kind.members.push(n)
      if (size > kind.biggestSize) {
        kind.biggest = n
        kind.biggestSize = size
      }
    }
  }
  const sameIdsAgree = shared === 0 ? 0 : agree / shared
  const smaller = Math.min(before.ids.length, graph.nodeCount)
  if (shared < Math.min(MIN_SHARED_IDS, smaller / 20) || (shared >= MIN_SHARED_IDS && sameIdsAgree < SAME_PROCESS_AGREEMENT)) {
    throw new SnapshotDiffError(
      'file',
      differentProcesses(
        beforeFile,
        afterFile,
        `of the ${shared.toLocaleString('en-US')} object ids the two have in common, only ${(sameIdsAgree * 100).toFixed(0)} % name the same kind of object ` +
          '(in two snapshots of one process, over 99 % do)',
      ),
    )
  }
  if (newestId < before.newestId) {
    throw new SnapshotDiffError(
      'usage',
      `${afterFile} is older than ${beforeFile} (its newest object, id ${newestId}, predates the newest of the other, id ${before.newestId}): ` +
        `the arguments are in the wrong order. Run: leakspec diff ${afterFile} ${beforeFile}`,
    )
  }
  const grown: Array<{ name: string; kind: AfterKind; before: Tally }> = []
  for (const [name, kind] of kinds) {
    const old = before.kinds.get(name) ?? { count: 0, bytes: 0 }
    if (kind.bytes > old.bytes || kind.count > old.count) grown.push({ name, kind, before: old })
  }
  grown.sort((a, b) => b.kind.bytes - b.before.bytes - (a.kind.bytes - a.before.bytes) || b.kind.count - b.before.count - (a.kind.count - a.before.count))
  const shown = grown.slice(0, top)
  const retainers = pathCount > 0 && shown.length > 0 ? buildRetainers(graph) : undefined
  const result: GrownKind[] = shown.map(({ name, kind, before: old }, index) => {
    let pathSteps: PathStep[] | undefined
    if (retainers && index < pathCount && kind.members.length > 0) {
      // One object added carries most of the growth (a backing store reallocated larger): that one.
      // Else a member of the largest set of added objects held the same way, as the diagnosis shows it.
      const carried = kind.biggestSize * 2 >= kind.bytes - old.bytes
      const sample = carried ? kind.biggest : pathSample(graph, paths, kind.members)
      if (sample >= 0) pathSteps = describePath(graph, retainers, pathTo(paths, sample))
    }
    return {
      name,
      internal: kind.internal,
      countBefore: old.count,
      countAfter: kind.count,
      newObjects: kind.added,
      bytesBefore: old.bytes,
      bytesAfter: kind.bytes,
      ...(pathSteps ? { path: pathSteps, pathText: formatPath(pathSteps) } : {}),
    }
  })
  return {
    before: before.info,
    after: { file: afterFile, fileBytes: second.fileBytes, gzip: second.gzip, nodes: graph.nodeCount, ...counts.info() },
    kinds: result,
    kindsGrown: grown.length,
    sameIdsAgree,
    durationMs: performance.now() - started,
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).size
  } catch {
    return undefined
  }
}

function sameInode(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a)
    const y = fs.statSync(b)
    return x.dev === y.dev && x.ino === y.ino
  } catch {
    return false
  }
}

function differentProcesses(beforeFile: string, afterFile: string, evidence: string): string {
  return (
    `${beforeFile} and ${afterFile} are snapshots of different processes (or threads): ${evidence}. ` +
    'Object ids only match within one process, so nothing can be said about what grew. ' +
    'Take both snapshots from the same running process, the second after the growth ' +
    '(for example start it with --heapsnapshot-signal=SIGUSR2 and run `kill -USR2 <pid>` twice, minutes apart).'
  )
}

function count(value: number): string {
  return value.toLocaleString('en-US')
}

function signedCount(value: number): string {
  return `${value >= 0 ? '+' : '−'}${count(Math.abs(value))}`
}

function size(value: number): string {
  const absolute = Math.abs(value)
  if (absolute < 1000) return `${absolute.toFixed(0)} B`
  if (absolute < 1e6) return `${(absolute / 1e3).toFixed(1)} kB`
  return `${(absolute / 1e6).toFixed(1)} MB`
}

function signedSize(value: number): string {
  return `${value >= 0 ? '+' : '−'}${size(value)}`
}

/**
 * Formats a diff as text: the two snapshots, a table of the kinds that grew, and who holds them.
 * @returns plain text (no colours)
 */
export function formatSnapshotDiff(diff: SnapshotDiff): string {
  const { before, after } = diff
  const lines: string[] = []
  const name = (info: SnapshotFileInfo): string => info.file
  const width = Math.max(name(before).length, name(after).length)
  const describe = (info: SnapshotFileInfo): string =>
    `${name(info).padEnd(width)}  ${count(info.objects).padStart(11)} objects  ${size(info.bytes).padStart(8)}`
  lines.push(`before  ${describe(before)}`)
  lines.push(
    `after   ${describe(after)}  (${signedCount(after.objects - before.objects)} object${Math.abs(after.objects - before.objects) === 1 ? '' : 's'}, ${signedSize(after.bytes - before.bytes)})`,
  )
  lines.push(...formatCounted(before, after))
  lines.push('')
  if (diff.kinds.length === 0) {
    lines.push('Nothing grew: no kind of object has more objects or more bytes in the second snapshot.')
    return lines.join('\n')
  }
  const more = diff.kindsGrown > diff.kinds.length ? `, top ${diff.kinds.length} of ${diff.kindsGrown} shown` : ''
  lines.push(`Grew, most bytes added first (self size${more}):`)
  const header = ['kind', 'objects before', 'after', 'change', 'bytes change']
  const rows = diff.kinds.map((kind) => [
    kind.name,
    count(kind.countBefore),
    count(kind.countAfter),
    signedCount(kind.countAfter - kind.countBefore),
    signedSize(kind.bytesAfter - kind.bytesBefore),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const render = (row: readonly string[]): string =>
    `  ${row[0]!.padEnd(widths[0]!)}  ${row.slice(1).map((cell, index) => cell.padStart(widths[index + 1]!)).join('  ')}`.trimEnd()
  lines.push(render(header))
  for (const row of rows) lines.push(render(row))
  const held = diff.kinds.filter((kind) => kind.pathText !== undefined)
  if (held.length > 0) {
    lines.push('')
    lines.push('Who holds them (the shortest path from a GC root to one of the objects added, weak references skipped):')
    for (const kind of held) {
      lines.push(`  ${kind.name}`)
      lines.push(`    held by:  ${kind.pathText}`)
    }
    if (held.some((kind) => kind.path?.some((step) => step.edge === '(local)'))) {
      lines.push('')
      lines.push(
        '(local): a local variable, argument or temporary of a function that had not returned when the snapshot was taken. ' +
          'V8 records the names only of variables that a closure captures.',
      )
    }
  }
  return lines.join('\n')
}

const LEFT_OUT_TEXT: Record<LeftOutReason, string> = {
  engine: "V8's and Node's own (compiled code, hidden classes, system and native objects, roots)",
  weak: "reachable only over weak references (garbage not collected yet, WeakMap keys and WeakRef targets, strings only V8's string table holds)",
  snapshot: 'held only by the bookkeeping V8 does while writing the snapshot',
}

function tally(value: NodeTally): string {
  return `${count(value.nodes)} node${value.nodes === 1 ? '' : 's'}, ${size(value.bytes)}`
}

/** What the counts include beyond the globals, and what they leave out and why. */
function formatCounted(before: SnapshotFileInfo, after: SnapshotFileInfo): string[] {
  const lines: string[] = []
  if (before.onStack.nodes > 0 || after.onStack.nodes > 0) {
    lines.push(
      `  counted too, held only by the stack of code that was running: ${tally(before.onStack)} before, ${tally(after.onStack)} after`,
    )
  }
  const rows = LEFT_OUT_REASONS.map((reason) => {
    const was = before.leftOut.find((entry) => entry.reason === reason) ?? { nodes: 0, bytes: 0 }
    const now = after.leftOut.find((entry) => entry.reason === reason) ?? { nodes: 0, bytes: 0 }
    return { reason, was, now }
  }).filter(({ was, now }) => was.nodes > 0 || now.nodes > 0)
  if (rows.length > 0) {
    lines.push('  not counted as objects (before → after):')
    for (const { reason, was, now } of rows) lines.push(`    ${tally(was)} → ${tally(now)}: ${LEFT_OUT_TEXT[reason]}`)
  }
  return lines
}
