/**
 * Heap snapshots, allocation tracking and allocation sampling through `node:inspector` (an in-process
 * session on the current isolate; works on the main thread, in worker threads and with code run in
 * `vm` contexts).
 *
 * What one tracked window records:
 * - `HeapProfiler.startTrackingHeapObjects` assigns an id to every live object; objects allocated
 *   later get larger ids (at allocation, or at the next snapshot), so `id > firstNewId` means "new".
 *   With `trackAllocations` it also records an allocation stack per new object (`trace_node_id`).
 *   Measured on Node 20 under Vitest: that record is not reliable (some runs record no allocation at
 *   all), so newness is decided by id and the stacks are used when present.
 * - `HeapProfiler.startSampling` with a small interval records stacks of sampled allocations that are
 *   still alive at the end; it observed every run. It is the fallback for "where".
 * - The snapshot that ends tracking (`stopTrackingHeapObjects`) streams its chunks as V8 writes them.
 *
 * Stack frames of optimized code show only the outermost function of inlined calls. When no code
 * coverage is being collected, the window starts by deoptimizing all functions (switching precise
 * coverage on and off, which is what V8 offers for it), so the frames are exact.
 */
import * as inspector from 'node:inspector'
import * as v8 from 'node:v8'
import { clearTimeout as realClearTimeout, setImmediate as realSetImmediate, setTimeout as realSetTimeout } from 'node:timers'

/** A node of the sampling heap profile (the protocol's `SamplingHeapProfileNode`). */
export interface SampledNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number }
  /** Estimated bytes allocated here and still alive. */
  readonly selfSize: number
  readonly children: readonly SampledNode[]
}

/** What a tracked window started with. */
export interface TrackingStart {
  /** Objects with a heap id above this were allocated after the window started. */
  readonly firstNewId: number
  /** Whether all functions were deoptimized first (exact frames). */
  readonly deoptimized: boolean
}

/** A heap-profiling backend. */
export interface HeapBackend {
  /** Backend name, shown in the diagnosis. */
  readonly name: string
  /**
   * Starts a tracked window: ids for every live object, allocation stacks, allocation sampling.
   * @param deoptimize deoptimize all functions first so that stacks show inlined frames
   */
  startTracking(deoptimize: boolean): Promise<TrackingStart>
  /**
   * Resolves with the largest object id once every live object has an id (the tracking agent does this
   * every 50 ms); `Number.MAX_SAFE_INTEGER` after `timeoutMs` without it.
   */
  idsAssigned(timeoutMs: number): Promise<number>
  /** Stops allocation sampling and returns the sampled allocations still alive. */
  stopSampling(): Promise<SampledNode | undefined>
  /** Ends the window: streams the chunks of a snapshot that carries the allocation stacks. */
  stopTrackingWithSnapshot(onChunk: (chunk: string | Uint8Array) => void): Promise<void>
  /** Takes a plain snapshot and streams the chunks (UTF-8 bytes, or text). */
  snapshot(onChunk: (chunk: string | Uint8Array) => void): Promise<void>
  /** Releases the session. Safe to call twice. */
  close(): void
}

type Post = (method: string, params?: object) => Promise<unknown>

/** How long to wait for the inspector agent's id refresh, milliseconds. */
const IDS_TIMEOUT_MS = 10_000

/** Sampling interval, bytes: small enough to see leaks of a few dozen bytes per call over 16 calls. */
const SAMPLING_INTERVAL = 32

/**
 * Deoptimizes every function (switching V8's precise coverage on and off), so that allocation stacks
 * show inlined calls. Twice, a turn apart: optimized code that concurrent compile jobs install after
 * the first pass (seen in tests as frames of inlined calls) is removed by the second.
 * @returns whether it worked (frames may otherwise show inlined calls as their caller)
 */
async function deoptimizeAll(post: Post): Promise<boolean> {
  try {
    await post('Profiler.enable')
    for (let pass = 0; pass < 2; pass++) {
      if (pass > 0) await new Promise<void>((resolve) => realSetImmediate(resolve))
      await post('Profiler.startPreciseCoverage', { callCount: false, detailed: false })
      await post('Profiler.stopPreciseCoverage')
    }
    await post('Profiler.disable')
    return true
  } catch {
    return false
  }
}

/** A connected in-process inspector session and its promise-returning `post`. */
function openSession(): { session: inspector.Session; post: Post } {
  const session = new inspector.Session()
  session.connect()
  const post: Post = (method, params = {}) =>
    new Promise((resolve, reject) => {
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
    })
  return { session, post }
}

/**
 * Opens the `node:inspector` backend. Tracking through the inspector records an allocation stack for
 * every new object, but the agent also refreshes the ids of the whole heap every 50 ms while it
 * tracks (a full GC each time), which the diagnosis pays for during the calls.
 */
export function openInspectorBackend(): HeapBackend {
  const { session, post } = openSession()
  let tracking = false
  let sampling = false
  let closed = false
  let lastSeen: { id: number; waiters: Array<(id: number) => void> } = { id: 0, waiters: [] }
  const seenListener = (message: { params: { lastSeenObjectId: number } }): void => {
    lastSeen.id = message.params.lastSeenObjectId
    const waiters = lastSeen.waiters
    lastSeen.waiters = []
    for (const waiter of waiters) waiter(lastSeen.id)
  }
  session.on('HeapProfiler.lastSeenObjectId', seenListener)
  /** While tracking, the agent assigns ids to every live object every 50 ms and reports the last one. */
  const idsAssigned = (timeoutMs: number): Promise<number> =>
    new Promise<number>((resolve) => {
      const timer = realSetTimeout(() => resolve(Number.MAX_SAFE_INTEGER), timeoutMs)
      lastSeen.waiters.push((id) => {
        realClearTimeout(timer)
        resolve(id)
      })
    })
  return {
    name: 'node:inspector',
    async startTracking(deoptimize) {
      const deoptimized = deoptimize ? await deoptimizeAll(post) : false
      await post('HeapProfiler.enable')
      await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true })
      tracking = true
      // The agent's refresh is a full GC plus a walk of the heap: on a loaded machine it can take
      // seconds. Without it every object would look old, so wait long.
      const firstNewId = await idsAssigned(IDS_TIMEOUT_MS)
      await post('HeapProfiler.startSampling', {
        samplingInterval: SAMPLING_INTERVAL,
        includeObjectsCollectedByMajorGC: false,
        includeObjectsCollectedByMinorGC: false,
      })
      sampling = true
      return { firstNewId, deoptimized }
    },
    idsAssigned,
    async stopSampling() {
      if (!sampling) return undefined
      sampling = false
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: SampledNode } }
      return profile.head
    },
    async stopTrackingWithSnapshot(sink) {
      try {
        // v8.getHeapSnapshot() serialises the same isolate's snapshot, with the allocation records
        // while tracking is on; measured faster and lighter than the protocol's chunk messages.
        await streamV8Snapshot(sink)
      } finally {
        tracking = false
        await post('HeapProfiler.disable')
      }
    },
    async snapshot(sink) {
      await streamV8Snapshot(sink)
    },
    close() {
      if (closed) return
      closed = true
      if (tracking || sampling) {
        // Disabling the agent stops tracking and sampling without another snapshot.
        session.post('HeapProfiler.disable', () => undefined)
      }
      session.removeListener('HeapProfiler.lastSeenObjectId', seenListener)
      session.disconnect()
    },
  }
}

/**
 * Streams `v8.getHeapSnapshot()` as chunks of UTF-8 bytes. Node serialises the whole snapshot into
 * the stream's buffer at once (and frees V8's own copy then); `'data'` events hand the chunks over
 * one by one, where async iteration would first concatenate them all into one more copy.
 */
function streamV8Snapshot(sink: (chunk: Uint8Array) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const stream = v8.getHeapSnapshot()
    stream.on('data', (chunk: Buffer) => {
      try {
        sink(chunk)
      } catch (error) {
        stream.destroy(error as Error)
      }
    })
    stream.once('error', reject)
    stream.once('end', resolve)
  })
}

/** Whether V8 code coverage may be being collected in this process (then it must not be disturbed). */
export function coverageMayBeActive(): boolean {
  if (process.env['NODE_V8_COVERAGE']) return true
  const worker = (globalThis as { __vitest_worker__?: { config?: { coverage?: { enabled?: boolean } } } }).__vitest_worker__
  if (worker?.config?.coverage?.enabled) return true
  // Jest's V8 coverage collects through the inspector too, and cannot be detected from here.
  if (process.env['JEST_WORKER_ID'] !== undefined) return true
  return false
}

/** The part of `v8-profiler-next` that leakspec uses (its heap profiler bindings). */
interface ProfilerNext {
  startTrackingHeapObjects(): void
  stopTrackingHeapObjects(): void
  getHeapStats(iterator: () => void, callback: () => void): number
  startSamplingHeapProfiling(interval: number, depth: number): void
  stopSamplingHeapProfiling(): { head: SampledNode }
}

/** The optional package that provides the faster backend (a native addon; never required). */
export const PROFILER_NEXT = 'v8-profiler-next'

/** Names of the backends. */
export type BackendName = 'node:inspector' | typeof PROFILER_NEXT

let profilerNext: Promise<{ module: ProfilerNext } | { reason: string }> | undefined

/**
 * Loads `v8-profiler-next` when it is installed next to leakspec (a dynamic import, once per process).
 * @returns the module, or why it is not available (not installed, or its native addon does not load)
 */
export function loadProfilerNext(): Promise<{ module: ProfilerNext } | { reason: string }> {
  profilerNext ??= (async () => {
    try {
      // A variable specifier: bundlers leave it alone, and nothing fails at build time without it.
      const specifier: string = PROFILER_NEXT
      const loaded = (await import(specifier)) as { default?: ProfilerNext } & Partial<ProfilerNext>
      // A CommonJS package: its exports object is `default` (ESM import, or a bundler's interop wrapper).
      const module = (typeof loaded.default?.startTrackingHeapObjects === 'function' ? loaded.default : loaded) as ProfilerNext | undefined
      if (!module || typeof module.getHeapStats !== 'function' || typeof module.startSamplingHeapProfiling !== 'function') {
        return { reason: `${PROFILER_NEXT} loaded but does not have the expected functions` }
      }
      return { module }
    } catch (error) {
      const code = (error as { code?: string } | null)?.code
      if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { reason: `${PROFILER_NEXT} is not installed` }
      return { reason: `${PROFILER_NEXT} did not load: ${error instanceof Error ? error.message : String(error)}` }
    }
  })()
  return profilerNext
}

/** V8's sampling profile has 1-based positions; the protocol's (and {@link SampledNode}'s) are 0-based. */
function zeroBased(node: SampledNode): SampledNode {
  const frame = node.callFrame
  return {
    callFrame: {
      functionName: frame.functionName,
      url: frame.url,
      lineNumber: Math.max(0, frame.lineNumber - 1),
      columnNumber: Math.max(0, frame.columnNumber - 1),
    },
    selfSize: node.selfSize,
    children: node.children.map(zeroBased),
  }
}

/**
 * Opens the `v8-profiler-next` backend: V8's heap profiler called directly. Ids are assigned to the
 * whole heap twice (when the window opens and after the calls), not every 50 ms as the inspector
 * agent does, so the calls run at full speed; V8 records no per-object allocation stacks this way, so
 * "where" comes from allocation sampling. Snapshots are the same `v8.getHeapSnapshot()`.
 */
export function openProfilerNextBackend(profiler: ProfilerNext): HeapBackend {
  let tracking = false
  let sampling = false
  const noop = (): void => undefined
  const stop = (): void => {
    if (sampling) {
      sampling = false
      profiler.stopSamplingHeapProfiling()
    }
    if (tracking) {
      tracking = false
      profiler.stopTrackingHeapObjects()
    }
  }
  return {
    name: PROFILER_NEXT,
    async startTracking(deoptimize) {
      let deoptimized = false
      if (deoptimize) {
        const { session, post } = openSession()
        try {
          deoptimized = await deoptimizeAll(post)
        } finally {
          session.disconnect()
        }
      }
      profiler.startTrackingHeapObjects()
      tracking = true
      // Assigns an id to every live object (after a full GC) and returns the largest.
      const firstNewId = profiler.getHeapStats(noop, noop)
      profiler.startSamplingHeapProfiling(SAMPLING_INTERVAL, 128)
      sampling = true
      return { firstNewId, deoptimized }
    },
    async idsAssigned() {
      return profiler.getHeapStats(noop, noop)
    },
    async stopSampling() {
      if (!sampling) return undefined
      sampling = false
      return zeroBased(profiler.stopSamplingHeapProfiling().head)
    },
    async stopTrackingWithSnapshot(sink) {
      try {
        await streamV8Snapshot(sink)
      } finally {
        stop()
      }
    },
    async snapshot(sink) {
      await streamV8Snapshot(sink)
    },
    close: stop,
  }
}

/**
 * Opens a backend: `v8-profiler-next` when it is installed (measured faster on the same cases, see
 * README "What a failure tells you"), else `node:inspector`. An explicit name that cannot be opened
 * is an error.
 * @param preference `'auto'` (default), `'node:inspector'` or `'v8-profiler-next'`
 * @throws {Error} when `v8-profiler-next` is asked for and cannot be loaded
 */
export async function openBackend(preference: BackendName | 'auto' = 'auto'): Promise<HeapBackend> {
  if (preference === 'node:inspector') return openInspectorBackend()
  const loaded = await loadProfilerNext()
  if ('module' in loaded) return openProfilerNextBackend(loaded.module)
  if (preference === PROFILER_NEXT) throw new Error(`leakspec: backend '${PROFILER_NEXT}' asked for, but ${loaded.reason}`)
  return openInspectorBackend()
}
