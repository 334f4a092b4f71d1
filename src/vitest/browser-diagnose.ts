/**
 * The diagnosis of a leak found in Vitest Browser Mode, in Vitest's server process, over the Chrome
 * DevTools Protocol session of the test's page. The page makes k more calls between
 * {@link diagnoseStart} and {@link diagnoseEnd}, with its EventTarget listener add sites recorded.
 *
 * - What and who: allocation tracking (`HeapProfiler.startTrackingHeapObjects`, ids and allocation
 *   stacks of objects made during the calls), allocation sampling, and the snapshot that ends the
 *   tracking, analysed by the same code as in Node (`diagnose/diagnose.ts` `analyse`: constructors
 *   that grew by about a whole number per call, retainer paths from a GC root).
 * - Where: the page's frames are URLs of the Vite dev server; they are mapped to files and original
 *   positions with Vitest's own stack parser (`project.browser.parseStacktrace`, which knows the
 *   source maps of every module it served), so frames read `src/widget.tsx:12:5`.
 */
import * as path from 'node:path'
import { analyse, sampledSites } from '../diagnose/diagnose.js'
import { pageSited, sitesExplainLeak } from '../diagnose/site-explained.js'
import type { SampledNode } from '../diagnose/backend.js'
import { frameOrigin, formatFrame } from '../diagnose/frames.js'
import type { HeapGraph, TraceFunction } from '../diagnose/graph.js'
import { SnapshotParser } from '../diagnose/parse.js'
import type { Diagnosis, ResourceStacks, SignalStacks, StackFrame, StackGroup } from '../core/diagnosis.js'
import type { LeakReport } from '../core/report.js'
import type { BySitesResult, DiagnoseEndInput } from '../browser/protocol.js'
import { describeError } from '../core/call-errors.js'

/** The part of a CDP session (Playwright's `CDPSession`) the commands use. */
export interface CdpLike {
  send(method: string, params?: object): Promise<unknown>
  on(event: string, listener: (params: never) => void): unknown
  off(event: string, listener: (params: never) => void): unknown
}

/** Maps page stack frames (Vite dev server URLs) to files and original positions. */
export interface FrameMapper {
  (frames: ReadonlyArray<{ functionName: string; url: string; line: number; column: number }>): StackFrame[]
}

interface Window {
  readonly firstNewId: number
  readonly started: number
  readonly seen: { id: number; waiters: Array<(id: number) => void> }
  readonly listener: (params: { lastSeenObjectId: number }) => void
}

const windows = new Map<string, Window>()

/** How long to wait for the profiler's id refresh (every 50 ms while tracking), milliseconds. */
const IDS_TIMEOUT_MS = 10_000
/** Allocation sampling interval, bytes (as in Node). */
const SAMPLING_INTERVAL = 32

function idsAssigned(window: Pick<Window, 'seen'>, timeoutMs: number): Promise<number> {
  return new Promise<number>((resolve) => {
    const timer = setTimeout(() => resolve(Number.MAX_SAFE_INTEGER), timeoutMs)
    window.seen.waiters.push((id) => {
      clearTimeout(timer)
      resolve(id)
    })
  })
}

/**
 * Opens the tracked window before the page's extra calls.
 * @returns `ok: false` with the reason when the heap profiler cannot start (the listener sites still work)
 */
export async function diagnoseStart(sessionId: string, cdp: CdpLike): Promise<{ ok: boolean; error?: string }> {
  const previous = windows.get(sessionId)
  if (previous) cdp.off('HeapProfiler.lastSeenObjectId', previous.listener as never)
  windows.delete(sessionId)
  const seen: Window['seen'] = { id: 0, waiters: [] }
  const listener = (params: { lastSeenObjectId: number }): void => {
    seen.id = params.lastSeenObjectId
    const waiters = seen.waiters
    seen.waiters = []
    for (const waiter of waiters) waiter(seen.id)
  }
  const begun = performance.now()
  try {
    cdp.on('HeapProfiler.lastSeenObjectId', listener as never)
    await cdp.send('HeapProfiler.enable')
    await cdp.send('HeapProfiler.collectGarbage')
    await cdp.send('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true })
    const firstNewId = await idsAssigned({ seen }, IDS_TIMEOUT_MS)
    await cdp.send('HeapProfiler.startSampling', {
      samplingInterval: SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: false,
      includeObjectsCollectedByMinorGC: false,
    })
    if (process.env['LEAKSPEC_DEBUG']) console.error('leakspec diagnosis start', performance.now() - begun)
    windows.set(sessionId, { firstNewId, started: performance.now(), seen, listener })
    return { ok: true }
  } catch (error) {
    cdp.off('HeapProfiler.lastSeenObjectId', listener as never)
    await cdp.send('HeapProfiler.disable').catch(() => undefined)
    return { ok: false, error: describeError(error) }
  }
}

const FRAME_LINE = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?\s*$/

/** Parses V8 stack text (`at fn (url:line:col)`) into frames, innermost first. */
export function parseStackText(stack: string): Array<{ functionName: string; url: string; line: number; column: number }> {
  const frames: Array<{ functionName: string; url: string; line: number; column: number }> = []
  for (const line of stack.split('\n')) {
    const match = FRAME_LINE.exec(line)
    if (!match) continue
    frames.push({ functionName: match[1] ?? '(anonymous)', url: match[2]!, line: Number(match[3]), column: Number(match[4]) })
  }
  return frames
}

/**
 * The path of a URL of Vitest's own browser runtime (the tester, the orchestrator, Vite's client and
 * virtual modules), which count as `node_modules` frames; `undefined` for any other URL.
 */
function vitestInternal(url: string): string | undefined {
  try {
    const { protocol, pathname } = new URL(url)
    if (protocol !== 'http:' && protocol !== 'https:') return undefined
    return /^\/(?:__vitest|@id\/|@vite\/|__x00__|node_modules\/)/.test(pathname) ? pathname : undefined
  } catch {
    return undefined
  }
}

/**
 * A frame mapper from the project root and Vitest's `parseStacktrace` (which applies the source maps
 * of the modules Vite served). URLs it cannot map become paths under the root (`/src/a.js` →
 * `<root>/src/a.js`, `/@fs/abs/path` → `/abs/path`) with their positions unchanged.
 */
export function createFrameMapper(root: string, parseStacktrace: ((stack: string) => Array<{ method: string; file: string; line: number; column: number }>) | undefined): FrameMapper {
  const toPath = (url: string): string => {
    try {
      const parsed = new URL(url)
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url
      const pathname = decodeURIComponent(parsed.pathname)
      if (pathname.startsWith('/@fs/')) return pathname.slice('/@fs'.length)
      return path.join(root, pathname)
    } catch {
      return url
    }
  }
  return (frames) =>
    frames.map((frame) => {
      const internal = vitestInternal(frame.url)
      if (internal !== undefined) {
        return { functionName: frame.functionName || '(anonymous)', file: path.join(root, 'node_modules', 'vitest', internal), line: frame.line, column: frame.column, sourceMapped: false }
      }
      if (parseStacktrace && frame.line > 0) {
        try {
          const [mapped] = parseStacktrace(`Error\n    at ${frame.functionName || '(anonymous)'} (${frame.url}:${frame.line}:${frame.column})`)
          if (mapped && mapped.file !== '') {
            const file = mapped.file.startsWith('http') ? toPath(mapped.file) : mapped.file
            return {
              functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
              file,
              line: mapped.line,
              column: mapped.column,
              sourceMapped: mapped.line !== frame.line || mapped.column !== frame.column,
            }
          }
        } catch {
          // unmapped below
        }
      }
      return { functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName, file: toPath(frame.url), line: frame.line, column: frame.column, sourceMapped: false }
    })
}

/** The listener add sites as the same `report.stacks` Node fills for listener leaks. */
function listenerStacks(input: DiagnoseEndInput, report: LeakReport & { verdict: 'leak' }, map: FrameMapper): ResourceStacks | undefined {
  const keys = report.leaks.filter((signal) => signal.key.startsWith('listeners:')).map((signal) => signal.key)
  if (keys.length === 0) return undefined
  const signals: SignalStacks[] = keys.map((key) => {
    const kind = key.slice('listeners:'.length)
    const groups = new Map<string, { count: number; frames: string[]; folded: Record<'node' | 'node_modules' | 'leakspec', number> }>()
    let items = 0
    for (const site of input.listeners.filter((entry) => `${entry.type} on ${entry.target}` === kind || entry.type === kind)) {
      items += site.count
      const frames = map(parseStackText(site.stack))
      const folded = { node: 0, node_modules: 0, leakspec: 0 }
      const user: string[] = []
      for (const frame of frames) {
        const origin = frameOrigin(frame.file)
        if (origin === 'user') user.push(`at ${formatFrame(frame)}`)
        else folded[origin]++
      }
      const shown = user.slice(0, 4)
      const text = shown.join('\n')
      const group = groups.get(text)
      if (group) group.count += site.count
      else groups.set(text, { count: site.count, frames: shown, folded })
    }
    const list: StackGroup[] = [...groups.values()].sort((a, b) => b.count - a.count)
    return { key, items, groups: list, ignored: {}, allIgnored: false }
  })
  return { calls: input.calls, signals, ...(input.error !== undefined ? { error: input.error } : {}) }
}

/**
 * The diagnosis without a heap snapshot: when the listener add sites recorded in the page during
 * diagnosis calls made without heap tracking explain every leaked signal (each is a listener on a
 * page EventTarget and its sites have a user frame), the report with those sites and a note saying
 * the snapshot was not taken and how to get it. Otherwise `explained: false`.
 * @param heapBytes the page's heap, bytes (for the note)
 */
export function diagnoseBySites(input: DiagnoseEndInput, report: LeakReport, map: FrameMapper, heapBytes: number | undefined): BySitesResult {
  if (report.verdict !== 'leak' || input.error !== undefined) return { explained: false }
  const stacks = listenerStacks(input, report, map)
  if (stacks === undefined) return { explained: false }
  const sited = { ...report, stacks }
  if (!sitesExplainLeak(sited, pageSited)) return { explained: false }
  const heap = heapBytes === undefined ? '' : ` (${(heapBytes / 1e6).toFixed(0)} MB of heap, seconds to write and read over CDP)`
  return {
    explained: true,
    report: {
      ...sited,
      diagnosisSkipped:
        `the page's heap snapshot${heap} was not taken: the sites above are where the leaked listeners were added; ` +
        "pass { diagnose: 'full' } to toLeak for who holds them",
    },
  }
}

function mapGraph(graph: HeapGraph, map: FrameMapper): HeapGraph {
  const traceFunctions: TraceFunction[] = graph.traceFunctions.map((fn) => {
    if (fn.script === '' || !/^https?:/.test(fn.script)) return fn
    const [frame] = map([{ functionName: fn.name, url: fn.script, line: fn.line, column: fn.column }])
    return frame ? { name: fn.name, script: frame.file, line: frame.line, column: frame.column } : fn
  })
  return { ...graph, traceFunctions }
}

function mapSampled(node: SampledNode, map: FrameMapper): SampledNode {
  const frame = node.callFrame
  let callFrame = frame
  if (/^https?:/.test(frame.url)) {
    const [mapped] = map([{ functionName: frame.functionName, url: frame.url, line: frame.lineNumber + 1, column: frame.columnNumber + 1 }])
    if (mapped) callFrame = { functionName: frame.functionName, url: mapped.file, lineNumber: mapped.line - 1, columnNumber: mapped.column - 1 }
  }
  return { callFrame, selfSize: node.selfSize, children: node.children.map((child) => mapSampled(child, map)) }
}

/**
 * Closes the tracked window after the page's extra calls and explains the leak.
 * Never throws for a failure of its own: the diagnosis then carries `error` (the verdict stands).
 */
export async function diagnoseEnd(sessionId: string, cdp: CdpLike, input: DiagnoseEndInput, report: LeakReport, map: FrameMapper): Promise<LeakReport> {
  if (report.verdict !== 'leak') return report
  const stacks = listenerStacks(input, report, map)
  const window = windows.get(sessionId)
  windows.delete(sessionId)
  const calls = input.calls
  const base = { calls, kinds: [], sites: [], exactFrames: false, retainedBytesPerCall: 0, snapshotNodes: 0, sourceMapped: false, backend: 'cdp' }
  const phases = { start: 0, calls: 0, snapshot: 0, analysis: 0 }
  let diagnosis: Diagnosis
  if (!window) {
    diagnosis = { ...base, durationMs: 0, phasesMs: phases, error: `the heap profiler did not start: ${input.heapError ?? 'unknown reason'}` }
  } else {
    const started = window.started
    // Parsed as the chunks arrive, so parsing overlaps the transfer.
    const parser = new SnapshotParser()
    let parseError: unknown
    const onChunk = (params: { chunk: string }): void => {
      if (parseError !== undefined) return
      try {
        parser.write(params.chunk)
      } catch (error) {
        parseError = error
      }
    }
    try {
      const lastCallId = await idsAssigned(window, IDS_TIMEOUT_MS)
      await cdp.send('HeapProfiler.collectGarbage')
      await cdp.send('HeapProfiler.collectGarbage')
      const callsDone = performance.now()
      phases.calls = callsDone - started
      const { profile } = (await cdp.send('HeapProfiler.stopSampling')) as { profile: { head: SampledNode } }
      cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk as never)
      await cdp.send('HeapProfiler.stopTrackingHeapObjects', { reportProgress: false, treatGlobalObjectsAsRoots: true })
      cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk as never)
      if (parseError !== undefined) throw parseError
      const graph = mapGraph(parser.end(), map)
      const snapshotDone = performance.now()
      phases.snapshot = snapshotDone - callsDone
      const sites = sampledSites(mapSampled(profile.head, map), calls, false)
      const analysed = analyse(graph, calls, { firstNewId: window.firstNewId, lastCallId, sites })
      phases.analysis = performance.now() - snapshotDone
      diagnosis = {
        calls,
        kinds: analysed.kinds,
        sites: analysed.sites,
        exactFrames: false,
        retainedBytesPerCall: analysed.retainedBytes / calls,
        backend: 'cdp',
        durationMs: performance.now() - started,
        phasesMs: phases,
        snapshotNodes: graph.nodeCount,
        sourceMapped: analysed.kinds.some((kind) => kind.stack?.some((frame) => frame.sourceMapped)),
      }
    } catch (error) {
      diagnosis = { ...base, durationMs: performance.now() - started, phasesMs: phases, error: `the diagnosis failed: ${describeError(error)}` }
    } finally {
      cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk as never)
      cdp.off('HeapProfiler.lastSeenObjectId', window.listener as never)
      await cdp.send('HeapProfiler.disable').catch(() => undefined)
    }
  }
  if (process.env['LEAKSPEC_DEBUG']) console.error('leakspec diagnosis phases', JSON.stringify(diagnosis.phasesMs), 'nodes', diagnosis.snapshotNodes)
  return { ...report, ...(stacks ? { stacks } : {}), diagnosis }
}
