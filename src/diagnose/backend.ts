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
  stopTrackingWithSnapshot(onChunk: (chunk: string) => void): Promise<void>
  /** Takes a plain snapshot and streams the chunks. */
  snapshot(onChunk: (chunk: string) => void): Promise<void>
  /** Releases the session. Safe to call twice. */
  close(): void
}

type Post = (method: string, params?: object) => Promise<unknown>

/** Sampling interval, bytes: small enough to see leaks of a few dozen bytes per call over 16 calls. */
const SAMPLING_INTERVAL = 32

/** Opens the `node:inspector` backend. */
export function openInspectorBackend(): HeapBackend {
  const session = new inspector.Session()
  session.connect()
  let onChunk: ((chunk: string) => void) | undefined
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
  const listener = (message: { params: { chunk: string } }): void => {
    onChunk?.(message.params.chunk)
  }
  session.on('HeapProfiler.addHeapSnapshotChunk', listener)
  const post: Post = (method, params = {}) =>
    new Promise((resolve, reject) => {
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result)))
    })
  const streamed = async (method: string, sink: (chunk: string) => void): Promise<void> => {
    onChunk = sink
    try {
      await post(method, { reportProgress: false, captureNumericValue: false, exposeInternals: false })
    } finally {
      onChunk = undefined
    }
  }
  return {
    name: 'node:inspector',
    async startTracking(deoptimize) {
      let deoptimized = false
      if (deoptimize) {
        try {
          await post('Profiler.enable')
          // Twice, a turn apart: optimized code that concurrent compile jobs install after the first
          // pass (seen in tests as frames of inlined calls) is removed by the second.
          for (let pass = 0; pass < 2; pass++) {
            if (pass > 0) await new Promise<void>((resolve) => realSetImmediate(resolve))
            await post('Profiler.startPreciseCoverage', { callCount: false, detailed: false })
            await post('Profiler.stopPreciseCoverage')
          }
          await post('Profiler.disable')
          deoptimized = true
        } catch {
          // frames may show inlined calls as their caller; nothing else depends on it
        }
      }
      await post('HeapProfiler.enable')
      await post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true })
      tracking = true
      const firstNewId = await idsAssigned(1000)
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
      session.removeListener('HeapProfiler.addHeapSnapshotChunk', listener)
      session.removeListener('HeapProfiler.lastSeenObjectId', seenListener)
      session.disconnect()
    },
  }
}

/** Streams `v8.getHeapSnapshot()` as text chunks (multi-byte characters kept whole). */
async function streamV8Snapshot(sink: (chunk: string) => void): Promise<void> {
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of v8.getHeapSnapshot()) sink(decoder.decode(chunk as Buffer, { stream: true }))
  const rest = decoder.decode()
  if (rest !== '') sink(rest)
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
