/**
 * The messages between the page (the matcher and its sampler in the test iframe) and Vitest's server
 * process (the browser commands registered by the leakspec plugin). Types only, no code: both sides
 * import it, and it must stay free of `node:` modules and of anything that runs in Node only.
 */
import type { LeakReport } from '../core/report.js'
import type { LeakCheckRecord } from '../matchers/toLeak.js'

/** Names of the browser commands the leakspec plugin registers (Vitest needs identifiers). */
export const COMMANDS = {
  begin: 'leakspecBegin',
  measure: 'leakspecMeasure',
  finish: 'leakspecFinish',
  diagnoseStart: 'leakspecDiagnoseStart',
  diagnoseSites: 'leakspecDiagnoseSites',
  diagnoseEnd: 'leakspecDiagnoseEnd',
  diagnoseBySites: 'leakspecDiagnoseBySites',
} as const

/** What `leakspecBegin` answers: the options resolved in Node (same rules and messages as in Node). */
export type BeginResult =
  | { readonly ok: true; readonly options: LeakReport['options'] }
  | { readonly ok: false; readonly typeError: string }
  | { readonly ok: false; readonly unavailable: string }

/** One reading of the page's renderer, taken by the server over the Chrome DevTools Protocol. */
export interface PageReading {
  /**
   * V8 heap used by the renderer's isolate plus Blink's (Oilpan) heap, bytes, read first thing after
   * a full GC (`HeapProfiler.collectGarbage`, then `Runtime.getHeapUsage`).
   */
  readonly heap: number
  /** ArrayBuffer backing stores of the isolate, bytes (`backingStorageSize`). */
  readonly external: number
  /** Milliseconds the server spent on the GC (from the command's start to the end of the GC). */
  readonly gcMs: number
  /** `Memory.getDOMCounters`, when asked for: live documents, nodes and JS event listeners. */
  readonly dom?: { readonly documents: number; readonly nodes: number; readonly jsEventListeners: number }
}

/** What `leakspecMeasure` answers. */
export type MeasureResult = { readonly ok: true; readonly reading: PageReading } | { readonly ok: false; readonly unavailable: string }

/** What `leakspecFinish` answers: the failure text and the report record, made by the Node code. */
export interface FinishResult {
  /** `formatLeak`, `formatClean` or `formatInconclusive` of the report, by its verdict. */
  readonly message: string
  /** The compact record for `task.meta.leakspec.checks` (read by the leakspec reporter). */
  readonly record: LeakCheckRecord
}

/** Listener add sites the page saw, for the diagnosis: `type` → target → frames. */
export interface ListenerSite {
  /** Event type (`resize`). */
  readonly type: string
  /** What the listener was added to: `window`, `document`, `<div>`, `AbortSignal`… */
  readonly target: string
  /** Listeners of this type on such targets added during the diagnosis calls and still there. */
  readonly count: number
  /** The add site, from the page's `Error().stack` (URL:line:column frames, innermost first). */
  readonly stack: string
}

/**
 * What the page sends with `leakspecDiagnoseSites` after the diagnosis calls, before the snapshot
 * (`leakspecDiagnoseEnd`): sent on its own so that the page holds none of it when the snapshot is taken.
 */
export interface DiagnoseEndInput {
  /** Extra calls made between start and end. */
  readonly calls: number
  /** Listener add sites seen during those calls. */
  readonly listeners: readonly ListenerSite[]
  /** Set when a diagnosis call threw or did not settle (the verdict stands). */
  readonly error?: string
  /** Set when the heap profiler could not be started. */
  readonly heapError?: string
}

/**
 * What `leakspecDiagnoseBySites` answers (sent the sites of diagnosis calls made without heap
 * tracking): the report with the sites and a note that the heap snapshot was not taken, when the
 * sites explain every leaked signal; else `explained: false` (the page then runs the full diagnosis).
 */
export type BySitesResult = { readonly explained: true; readonly report: LeakReport } | { readonly explained: false }
