import * as v8 from 'node:v8'
import { Buffer } from 'node:buffer'
/**
 * The diagnosis of a leak: what leaked, who holds it, where it was allocated.
 *
 * Runs only after a `leak` verdict. It calls `fn` k more times while V8 records an allocation stack
 * for every new object, forces GC, and takes one heap snapshot (parsed as it streams). The objects
 * allocated during those calls that are still alive are grouped by constructor; the groups with about
 * one or more survivor per call are what leaked. For each, the shortest strong path from a GC root to
 * one of its objects is who holds it, and its recorded stack (filtered to user code, source-mapped
 * when the process knows the maps) is where it was allocated.
 */
import { now, SettleWatchdog, turn } from '../core/clock.js'
import { resolveGc } from '../core/gc.js'
import type { ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import type { AllocationSite, Diagnosis, LeakedKind, PathStep, StackFrame } from '../core/diagnosis.js'
import { coverageMayBeActive, openBackend, type BackendName, type HeapBackend, type SampledNode, type TrackingStart } from './backend.js'
import { describePath, formatPath, groupName, isInternalNode, nodeLabel } from './describe.js'
import {
  allocatedByLeakspec,
  mapFrame,
  scriptPath,
  traceFrames,
  userFrames,
} from './frames.js'
import {
  buildRetainers,
  edgeName,
  edgeType,
  nodeId,
  nodeName,
  nodeSelfSize,
  nodeTraceId,
  nodeType,
  type HeapGraph,
} from './graph.js'
import { SnapshotParser } from './parse.js'
import { shortestPaths, pathTo, type ShortestPaths } from './paths.js'
import { openSnapshotFile, snapshotDirFromEnv, type SnapshotFile } from './snapshot-file.js'
import { findDomRealm } from '../core/probes/dom-realm.js'
import { sitesExplainLeak } from './site-explained.js'

/** Options of {@link diagnose}. Every field is optional. */
export interface DiagnoseOptions {
  /**
   * Extra calls of `fn` to observe (k). More calls separate per-call growth from one-off objects
   * better but cost more. `'auto'` uses 32, fewer (down to 4) for slow calls.
   * @default 'auto'
   */
  readonly calls?: number | 'auto'
  /** Show allocation frames inside `node_modules` too. @default false */
  readonly includeNodeModules?: boolean
  /**
   * A directory to write the heap snapshot to (as `.heapsnapshot`, readable by Chrome DevTools),
   * with mode 0600. Snapshots hold every string in the heap, secrets included.
   * @default the `LEAKSPEC_SNAPSHOT_DIR` environment variable, else no file
   */
  readonly snapshotDir?: string
  /** How many leaked kinds to report at most. @default 6 */
  readonly maxKinds?: number
  /** How long one call may take to settle, milliseconds. @default the report's `callTimeout`, else 5000 */
  readonly callTimeout?: number
  /**
   * Deoptimize all functions before the extra calls so allocation stacks show inlined calls (skipped
   * automatically when V8 code coverage may be running, which it would disturb).
   * @default true
   */
  readonly exactFrames?: boolean
  /**
   * The heap-profiling backend: `'auto'` uses `v8-profiler-next` when it is installed (faster: no
   * heap-wide id refresh every 50 ms during the calls), else `node:inspector`.
   * @default 'auto'
   */
  readonly backend?: BackendName | 'auto'
}

const DEFAULT_CALLS = 32
const MIN_CALLS = 4
/** Node types never reported as leaked kinds (compiled code, hidden classes, roots). */
const SKIPPED_TYPES = new Set(['code', 'object shape', 'synthetic', 'hidden', 'native'])

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}

function chooseCalls(options: DiagnoseOptions, report: LeakReport | undefined): number {
  if (typeof options.calls === 'number') return Math.max(1, Math.floor(options.calls))
  if (!report || report.calls === 0) return DEFAULT_CALLS
  // Per-call time including the check's GCs is an upper bound; keep the calls well under a second.
  const perCallMs = report.durationMs / report.calls
  return Math.max(MIN_CALLS, Math.min(DEFAULT_CALLS, Math.floor(500 / Math.max(perCallMs, 0.01))))
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

interface Group {
  name: string
  internal: boolean
  count: number
  bytes: number
  members: number[]
}

/**
 * Explains a leak: calls `fn` k more times under allocation tracking and analyses one heap snapshot.
 * Never throws for a failure of its own: the result then carries `error`.
 *
 * @param fn the leaking function (the same one the check measured)
 * @param report the check's report, used to size the number of extra calls and the call timeout
 * @param options see {@link DiagnoseOptions}
 * @returns the diagnosis; format it with `formatDiagnosis`
 * @example
 * const report = await measureLeaks(fn)
 * if (report.verdict === 'leak') console.log(formatDiagnosis(await diagnose(fn, report)))
 */
export async function diagnose(fn: () => unknown, report?: LeakReport, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const started = now()
  const calls = chooseCalls(options, report)
  // Phase boundaries go into a typed array made before the window opens: a number stored in an object
  // during the window would be a new heap number that the snapshot shows next to the user's leak.
  const PHASES = ['start', 'calls', 'snapshot', 'analysis'] as const
  const marks = new Float64Array(PHASES.length + 1).fill(started)
  const phase = (name: (typeof PHASES)[number]): void => {
    marks[PHASES.indexOf(name) + 1] = now()
  }
  const phases = (): Diagnosis['phasesMs'] => {
    const result = { start: 0, calls: 0, snapshot: 0, analysis: 0 }
    let mark = marks[0]!
    PHASES.forEach((name, index) => {
      const at = marks[index + 1]!
      if (at > mark) {
        result[name] = at - mark
        mark = at
      }
    })
    return result
  }
  const base = { calls, kinds: [], sites: [], exactFrames: false, retainedBytesPerCall: 0, snapshotNodes: 0, sourceMapped: false }
  const gcAccess = resolveGc()
  if (!gcAccess.available) {
    return { ...base, phasesMs: phases(), backend: 'none', durationMs: now() - started, error: `no way to force GC (${gcAccess.reason})` }
  }
  const gc = gcAccess.collect
  let backend: HeapBackend
  try {
    backend = await openBackend(options.backend ?? 'auto')
  } catch (error) {
    return { ...base, phasesMs: phases(), backend: options.backend ?? 'node:inspector', durationMs: now() - started, error: `no heap profiler: ${describeError(error)}` }
  }
  const snapshotDir = options.snapshotDir ?? snapshotDirFromEnv()
  let file: SnapshotFile | undefined
  let graph: HeapGraph
  let tracked: TrackingStart = { firstNewId: 0, deoptimized: false }
  let sites: AllocationSite[] = []
  let lastCallId = Number.MAX_SAFE_INTEGER
  const watchdog = new SettleWatchdog(options.callTimeout ?? report?.options.callTimeout ?? 5000)
  try {
    await turn()
    gc()
    tracked = await backend.startTracking(options.exactFrames !== false && !coverageMayBeActive())
    phase('start')
    try {
      for (let i = 0; i < calls; i++) {
        const result = fn()
        if (isThenable(result)) {
          const outcome = await watchdog.settle(result)
          if (!outcome.settled) throw new Error(`call ${i + 1} did not settle`)
          if (!outcome.ok) throw outcome.error
        }
      }
    } finally {
      watchdog.disarm()
    }
    lastCallId = await backend.idsAssigned(10_000)
    await turn()
    gc()
    await turn()
    gc()
    phase('calls')
    file = snapshotDir === undefined ? undefined : openSnapshotFile(snapshotDir)
    const parser = new SnapshotParser()
    // The sampling profile is a tree of JS objects (children, callFrame, functionName, …) made after
    // tracking started: held across the snapshot it was counted as leaked (20-odd objects per call of
    // a React render, held by `(GC roots) › Object › children: Array › …`), hiding what the checked
    // code kept. It waits outside the JS heap (a Buffer's backing store), and a turn of the event loop
    // lets go of the inspector's own handle on the reply (without it the whole tree was still live).
    const sampled = Buffer.from(JSON.stringify((await backend.stopSampling()) ?? null))
    await turn()
    await backend.stopTrackingWithSnapshot((chunk) => {
      parser.write(chunk)
      file?.write(chunk)
    })
    file?.close()
    graph = parser.end()
    // Mapped only now, with tracking off: the allocation tracker keeps the record of every object
    // allocated in the window by address, dead ones too, and an old object the snapshot's GC moves
    // onto such an address inherits it. Frames mapped before the snapshot (source maps allocate a
    // lot) made old Timeouts of the check look new: 33 to 37 "per call" kinds for 32 calls.
    sites = sampledSites((JSON.parse(sampled.toString('utf8')) as SampledNode | null) ?? undefined, calls, options.includeNodeModules ?? false)
    phase('snapshot')
  } catch (error) {
    file?.close()
    backend.close()
    return {
      ...base,
      phasesMs: phases(),
      backend: backend.name,
      durationMs: now() - started,
      ...(file ? { snapshotFile: file.path } : {}),
      error: `the diagnosis failed: ${describeError(error)}`,
    }
  }
  backend.close()
  const kinds = analyse(graph, calls, { ...options, firstNewId: tracked.firstNewId, lastCallId, sites })
  const snapshotNodes = graph.nodeCount
  // The graph's typed arrays are tens of MB of external memory. Free them now, and let the
  // concurrent ArrayBuffer sweeper finish, so that a check run next does not see external memory
  // fall during its rounds (a fall in a counted round reads as "no growth").
  graph = undefined as unknown as HeapGraph
  gc()
  await turn()
  gc()
  phase('analysis')
  return {
    calls,
    kinds: kinds.kinds,
    sites: kinds.sites,
    exactFrames: tracked.deoptimized,
    retainedBytesPerCall: kinds.retainedBytes / calls,
    backend: backend.name,
    durationMs: now() - started,
    phasesMs: phases(),
    snapshotNodes,
    sourceMapped: kinds.kinds.some((kind) => kind.stack?.some((frame) => frame.sourceMapped)),
    ...(file ? { snapshotFile: file.path } : {}),
  }
}

/** Room, in milliseconds, left between the end of a diagnosis (or a holder search) and the test timeout. */
const TIMEOUT_MARGIN_MS = 500

/**
 * Whether work estimated by `estimate` (from the live heap in MB) would outlast the running test: then
 * `"<what> needs about 2.3 s at this heap size (6 MB) and the test has 1.0 s left. Raise the test
 * timeout (for example to 12000 ms)"`, the timeout suggested leaving room for the work twice over plus
 * `spentMs` (what the test already spent) and 5 s; `undefined` when it fits or the time left is unknown.
 */
export function needsMoreTime(
  what: string,
  timeLeftMs: number | undefined,
  estimate: (heapMB: number) => number,
  spentMs = 0,
): string | undefined {
  if (timeLeftMs === undefined) return undefined
  const heapMB = v8.getHeapStatistics().used_heap_size / 1e6
  const estimateMs = estimate(heapMB)
  if (estimateMs <= timeLeftMs - TIMEOUT_MARGIN_MS) return undefined
  const suggested = Math.ceil((estimateMs * 2 + spentMs + 5000) / 1000) * 1000
  return (
    `${what} needs about ${(estimateMs / 1000).toFixed(1)} s at this heap size (${heapMB.toFixed(0)} MB) and the test ` +
    `has ${(Math.max(0, timeLeftMs) / 1000).toFixed(1)} s left. Raise the test timeout (for example to ${suggested} ms)`
  )
}

/**
 * A cautious estimate of a diagnosis's wall time, in milliseconds, from the live heap in MB: the heap
 * snapshot dominates and grows with the heap (measured: about 2 s at 8 MB and 6–9 s at 14 MB on a
 * loaded 2-core machine, several times less when idle).
 */
export function estimateDiagnosisMs(heapMB: number): number {
  return 500 + 300 * heapMB
}

/**
 * A cautious estimate of the wall time of one plain heap snapshot, parsed, with its shortest paths,
 * in milliseconds, from the live heap in MB (what `toBeCollected` spends to name a holder): about half
 * a diagnosis, which also tracks allocations and runs more calls.
 */
export function estimateSnapshotMs(heapMB: number): number {
  return 300 + 150 * heapMB
}

/**
 * In a DOM environment (jsdom, happy-dom), the heap snapshot of its large heap (40-50 MB) takes
 * seconds, many times the verdict (3 s on a quiet machine, 35 s on a loaded one): when the only leaks
 * are DOM signals (listeners on DOM targets, detached nodes, nodes in the document, observers, frames)
 * and the stack pass found where each was added or created, that site is what to fix and the snapshot
 * is not taken. Returns the note for the message, or `undefined` when the snapshot is needed (a heap
 * leak, another signal, or a site not found).
 */
function explainedBySites(report: LeakReport & { verdict: 'leak' }): string | undefined {
  if (!sitesExplainLeak(report) || findDomRealm() === undefined) return undefined
  const heapMB = v8.getHeapStatistics().used_heap_size / 1e6
  return (
    `the heap snapshot (about ${(estimateDiagnosisMs(heapMB) / 1000).toFixed(1)} s at this heap size, ${heapMB.toFixed(0)} MB) ` +
    'was not taken: the sites above are where the leaked DOM items were added or created; ' +
    "pass { diagnose: 'full' } (or call diagnose(fn, report)) for who holds them"
  )
}

/**
 * Adds a diagnosis to a `leak` report (unless `options.diagnose` is false); returns other reports as
 * they are. `diagnose: 'full'` takes the heap snapshot even when DOM sites explain the leak. Used by the failing assertions, after the verdict.
 */
export async function withDiagnosis<R extends LeakReport>(
  fn: () => unknown,
  report: R,
  options: Pick<ResolvedLeakOptions, 'diagnose' | 'snapshotDir' | 'callTimeout'>,
  timeLeftMs?: number,
): Promise<R> {
  if (report.verdict !== 'leak' || !options.diagnose || report.diagnosis !== undefined) return report
  const explained = options.diagnose === 'full' ? undefined : explainedBySites(report)
  if (explained !== undefined) return { ...report, diagnosisSkipped: explained }
  const tooLong = needsMoreTime('it', timeLeftMs, estimateDiagnosisMs, report.durationMs)
  if (tooLong !== undefined) {
    return { ...report, diagnosisSkipped: `${tooLong} to see what leaked, who holds it and where it was allocated` }
  }
  const diagnosis = await diagnose(fn, report, {
    callTimeout: options.callTimeout,
    ...(options.snapshotDir !== undefined ? { snapshotDir: options.snapshotDir } : {}),
  })
  return { ...report, diagnosis }
}

/** Inputs of {@link analyse} besides the graph. */
export interface AnalyseOptions extends Pick<DiagnoseOptions, 'includeNodeModules' | 'maxKinds'> {
  /** Objects with a larger id are new (0: use the allocation records instead). */
  readonly firstNewId?: number
  /** Objects with a larger id were allocated after the calls (by the diagnosis itself). */
  readonly lastCallId?: number
  /** Allocation sites of the same window, from allocation sampling. */
  readonly sites?: readonly AllocationSite[]
}

/** The analysis of a tracked snapshot (exported for tests and the benchmark). */
export function analyse(
  graph: HeapGraph,
  calls: number,
  options: AnalyseOptions = {},
): { kinds: LeakedKind[]; sites: readonly AllocationSite[]; retainedBytes: number } {
  const includeNodeModules = options.includeNodeModules ?? false
  const maxKinds = options.maxKinds ?? 6
  const firstNewId = options.firstNewId ?? 0
  const lastCallId = options.lastCallId ?? Number.MAX_SAFE_INTEGER
  const paths = shortestPaths(graph)
  const ownTrace = new Map<number, boolean>()
  const groups = new Map<string, Group>()
  let retainedBytes = 0
  for (let n = 0; n < graph.nodeCount; n++) {
    const trace = nodeTraceId(graph, n)
    // New: an id given after the window opened, or an allocation record of the window. (Ids are
    // per address: a new object at the address of one that just died can inherit its old id.)
    const id = nodeId(graph, n)
    if (trace === 0 && (firstNewId === 0 || id <= firstNewId || id > lastCallId)) continue
    if (!isReportable(graph, paths, n)) continue
    if (trace !== 0) {
      let skip = ownTrace.get(trace)
      if (skip === undefined) {
        // Recorded, but by leakspec itself or with no JavaScript frame outside node (the runner's IPC,
        // the event loop's own work): not something the calls left behind.
        const frames = traceFrames(graph, trace)
        skip = allocatedByLeakspec(frames) || userFrames(frames, true).length === 0
        ownTrace.set(trace, skip)
      }
      if (skip) continue
    }
    const size = nodeSelfSize(graph, n)
    retainedBytes += size
    const name = groupName(graph, n)
    let group = groups.get(name)
    if (!group) {
      group = { name, internal: isInternalKind(graph, n, name), count: 0, bytes: 0, members: [] }
      groups.set(name, group)
    }
    group.count++
    group.bytes += size
    if (group.members.length < 256) group.members.push(n)
  }
  const sites = options.sites ?? []
  const threshold = Math.max(2, Math.ceil(calls / 2))
  let candidates = [...groups.values()].filter((group) => group.count >= threshold)
  // A leak of one object every few calls (fewer survivors than half the calls): show what did
  // survive, all marked irregular, rather than nothing.
  if (candidates.length === 0) candidates = [...groups.values()].filter((group) => group.count >= 2)
  const byImportance = (a: Group, b: Group): number => (a.internal === b.internal ? b.bytes - a.bytes : a.internal ? 1 : -1)
  // Kinds that grew by about a whole number per call come first: they are the leak. The others grew
  // during the calls but not once per call (a cache filling, a table resizing, lazy set-up); they are
  // listed after, marked, and get a retainer path only when no kind grew per call.
  const regular = candidates.filter((group) => isPerCallCount(group.count, calls)).sort(byImportance).slice(0, maxKinds)
  const irregular = candidates.filter((group) => !isPerCallCount(group.count, calls)).sort(byImportance).slice(0, Math.max(0, maxKinds - regular.length))
  const leaked = [...regular, ...irregular]
  if (leaked.length === 0) return { kinds: [], sites, retainedBytes }

  const retainers = buildRetainers(graph)
  const kinds: LeakedKind[] = []
  let pathsShown = 0
  for (const group of leaked) {
    const sample = pathSample(graph, paths, group.members)
    let stack = commonStack(graph, group.members, includeNodeModules)
    let stackSource: LeakedKind['stackSource'] = 'recorded'
    if (stack.length === 0 && sites.length > 0) {
      stack = sites[0]!.stack.slice()
      stackSource = 'sampled'
    }
    const owner = group.internal ? dominantOwner(graph, paths, group.members) : undefined
    const perCallGrowth = isPerCallCount(group.count, calls)
    let path: PathStep[] | undefined
    let pathText: string | undefined
    if (sample >= 0 && (perCallGrowth || regular.length === 0) && (!group.internal || pathsShown < 3) && pathsShown < 4) {
      path = describePath(graph, retainers, pathTo(paths, sample))
      pathText = formatPath(path)
      pathsShown++
    }
    kinds.push({
      name: group.name,
      internal: group.internal,
      count: group.count,
      perCall: group.count / calls,
      bytesPerCall: group.bytes / calls,
      ...(owner ? { owner } : {}),
      ...(path && pathText !== undefined ? { path, pathText } : {}),
      ...(stack.length > 0 ? { stack, stackSource } : {}),
      ...(perCallGrowth ? {} : { irregular: true }),
    })
  }
  return { kinds, sites, retainedBytes }
}

/**
 * Whether `count` objects over `calls` calls is about a whole number per call (1, 2, 3… within 10 %,
 * plus two objects of slack for ids reused per address): the signature of a per-call leak, as
 * opposed to objects that merely grew during the calls.
 */
export function isPerCallCount(count: number, calls: number): boolean {
  const nearest = Math.round(count / calls)
  return nearest >= 1 && Math.abs(count - nearest * calls) <= 0.1 * nearest * calls + 2
}

/**
 * Whether node `n` may be reported as part of a leaked kind: not compiled code, a hidden class or a
 * root; reachable from a GC root over strong edges; not held only by the stack or handle scopes (the
 * snapshot taker's own objects) or through a decoded source map (the runner's stack-trace bookkeeping).
 * Shared by the diagnosis and `leakspec diff`.
 */
export function isReportable(graph: HeapGraph, paths: ShortestPaths, n: number): boolean {
  if (isEngineNode(graph, n)) return false
  if (paths.distance[n]! < 0 || paths.viaDeferredRoot[n] === 1) return false
  return paths.viaSourceMap[n] !== 1
}

/**
 * Whether node `n` is the engine's rather than a program's: compiled code, a hidden class, V8's system
 * objects, Node's native objects, or one of the snapshot's synthetic roots. Never counted as an object.
 */
export function isEngineNode(graph: HeapGraph, n: number): boolean {
  return SKIPPED_TYPES.has(nodeType(graph, n))
}

/** Whether the kind `name` (from `groupName`) of node `n` is one of V8's internal kinds rather than a user's constructor. */
export function isInternalKind(graph: HeapGraph, n: number, name: string): boolean {
  return isInternalNode(graph, n) || name.startsWith('(')
}

/**
 * The member of a kind whose retainer path is shown: from the largest set of members held the same
 * way (same holder constructor and edge type), so a few unrelated objects of the same constructor
 * with a shorter path cannot stand in for the many that leak; the nearest one of that set.
 * @returns a node ordinal, or −1 when no member is reachable
 */
export function pathSample(graph: HeapGraph, paths: ShortestPaths, members: readonly number[]): number {
  const byHolder = new Map<string, number[]>()
  for (const member of members) {
    if (paths.distance[member]! < 0) continue
    const parent = paths.parentNode[member]!
    const edge = paths.parentEdge[member]!
    const key = parent < 0 || edge < 0 ? '' : `${nodeName(graph, parent)}\u0000${edgeType(graph, edge)}`
    const list = byHolder.get(key)
    if (list) list.push(member)
    else byHolder.set(key, [member])
  }
  let largest: number[] = []
  for (const list of byHolder.values()) if (list.length > largest.length) largest = list
  let sample = -1
  for (const member of largest) {
    if (sample < 0 || paths.distance[member]! < paths.distance[sample]!) sample = member
  }
  return sample
}

/** Live allocation sites in user code from the sampling profile, most bytes first. */
export function sampledSites(head: SampledNode | undefined, calls: number, includeNodeModules: boolean): AllocationSite[] {
  if (!head) return []
  const bySite = new Map<string, { stack: StackFrame[]; bytes: number }>()
  const walk = (node: SampledNode, stack: StackFrame[]): void => {
    const frame = node.callFrame
    const here: StackFrame[] =
      frame.functionName === '(root)' && frame.url === ''
        ? stack
        : [
            {
              functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
              file: scriptPath(frame.url),
              line: frame.lineNumber + 1,
              column: frame.columnNumber + 1,
              sourceMapped: false,
            },
            ...stack,
          ]
    if (node.selfSize > 0 && !allocatedByLeakspec(here)) {
      const frames = userFrames(here, includeNodeModules)
      if (frames.length > 0) {
        const top = frames[0]!
        const key = `${top.file}:${top.line}:${top.column}:${top.functionName}`
        const entry = bySite.get(key)
        if (entry) entry.bytes += node.selfSize
        else bySite.set(key, { stack: frames.slice(0, 4), bytes: node.selfSize })
      }
    }
    for (const child of node.children) walk(child, here)
  }
  walk(head, [])
  return [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map((site) => ({ stack: site.stack.map(mapFrame), bytesPerCall: site.bytes / calls }))
}

/** The most frequent user stack among the members, mapped, innermost first (up to 4 frames). */
function commonStack(graph: HeapGraph, members: readonly number[], includeNodeModules: boolean): StackFrame[] {
  const tally = new Map<number, number>()
  for (const member of members) {
    const trace = nodeTraceId(graph, member)
    tally.set(trace, (tally.get(trace) ?? 0) + 1)
  }
  const ordered = [...tally].sort((a, b) => b[1] - a[1])
  for (const [trace] of ordered) {
    const frames = userFrames(traceFrames(graph, trace), includeNodeModules)
    if (frames.length > 0) return frames.slice(0, 4).map(mapFrame)
  }
  return []
}

/** For internal kinds: the nearest user-visible holder on the shortest path, as `Owner.edge`. */
function dominantOwner(graph: HeapGraph, paths: ReturnType<typeof shortestPaths>, members: readonly number[]): string | undefined {
  const tally = new Map<string, number>()
  for (const member of members.slice(0, 32)) {
    let node = member
    let via = ''
    for (let guard = 0; guard < 8; guard++) {
      const parent = paths.parentNode[node]!
      const e = paths.parentEdge[node]!
      if (parent < 0 || e < 0) break
      const type = edgeType(graph, e)
      if (type === 'property' || type === 'context') via = edgeName(graph, e)
      if (!isInternalNode(graph, parent)) {
        const label = `${nodeLabel(graph, parent)}${via ? `.${via}` : ''}`
        tally.set(label, (tally.get(label) ?? 0) + 1)
        break
      }
      node = parent
    }
  }
  let best: string | undefined
  let bestCount = 0
  for (const [label, count] of tally) {
    if (count > bestCount) {
      best = label
      bestCount = count
    }
  }
  return best
}
