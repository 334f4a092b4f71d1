/**
 * `toLeak` in the page (Vitest Browser Mode): the same matcher contract as in Node — the runner
 * inverts `.not`, `pass` is true when `fn` leaks, an inconclusive check rejects with a
 * `LeakCheckError` — with the sampler running here and every GC, reading, option check, diagnosis and
 * message done by the leakspec browser commands in Vitest's server process.
 *
 * No `node:` modules here: this file is bundled into the page.
 */
import { LeakCheckError } from '../core/errors.js'
import type { LeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import { noteOverlap, track } from '../matchers/guard.js'
import { assertPlacement } from '../matchers/placement.js'
import { epochNow, PageWatchdog, turn } from './clock.js'
import { PageListenerTracker } from './listeners.js'
import {
  COMMANDS,
  type BeginResult,
  type BySitesResult,
  type DiagnoseEndInput,
  type FinishResult,
  type MeasureResult,
  type PageReading,
} from './protocol.js'
import { runPageCheck, type PageCheckToken, type PageMeter } from './sampler.js'
import { pageSited } from '../diagnose/site-explained.js'

/** Calls a browser command by name (Vitest's `commands` object from `vitest/browser`). */
export type CommandCaller = (name: string, ...args: unknown[]) => Promise<unknown>

/** The parts of a matcher's `this` that the page's `toLeak` reads (Vitest 4.1+). */
export interface PageMatcherContext {
  readonly isNot?: boolean | undefined
  readonly task?: { meta: object; timeout?: number; result?: { startTime?: number } } | undefined
}

/** What the page's `toLeak` resolves to. */
export interface PageToLeakResult {
  readonly pass: boolean
  readonly message: () => string
  readonly report: LeakReport
}

/** Extra calls the diagnosis makes with listener add sites recorded. */
const DIAGNOSIS_CALLS = 8

let running = false

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
  return `${String(value)} (${typeof value})`
}

/**
 * Options travel to the server as JSON. Two kinds of value cannot, and mean nothing in the page
 * anyway: classes (`instancesOf` counts instances with Node's `v8.queryObjects`) and RegExps in
 * `ignoreStacks` (sent as their source text, which validates the same way).
 */
function serializableOptions(options: LeakOptions | undefined): unknown {
  if (options === undefined || options === null || typeof options !== 'object') return options
  const copy: Record<string, unknown> = { ...options }
  if (Array.isArray(copy['instancesOf']) && copy['instancesOf'].length > 0) {
    throw new TypeError(
      'leakspec: toLeak option `instancesOf` counts instances with Node\'s v8.queryObjects, which the page of ' +
        'Vitest Browser Mode does not have. Fix: leave instancesOf out in browser tests (the heap, DOM node and ' +
        'listener signals still find the leak), or check that code in a Node test.',
    )
  }
  if (Array.isArray(copy['ignoreStacks'])) {
    copy['ignoreStacks'] = (copy['ignoreStacks'] as unknown[]).map((item) => (item instanceof RegExp ? item.source || '(?:)' : item))
  }
  return copy
}

function timeLeftMs(context: PageMatcherContext, checkStarted: number): number | undefined {
  const timeout = context.task?.timeout
  if (timeout === undefined || timeout <= 0) return undefined
  const started = context.task?.result?.startTime
  return timeout - (epochNow() - (started ?? checkStarted))
}

function record(context: PageMatcherContext, entry: FinishResult['record']): void {
  const meta = context.task?.meta as Record<string, unknown> | undefined
  if (!meta) return
  const existing = meta['leakspec'] as { checks: unknown[] } | undefined
  const checks = existing?.checks ?? []
  checks.push(entry)
  meta['leakspec'] = { checks }
}

function unavailableError(reason: string, hint: string): LeakCheckError {
  return new LeakCheckError(
    'GC_UNAVAILABLE',
    `${hint}\n\nleakspec could not reach a verdict: no way to force a garbage collection in this browser. ${reason}. This is neither a pass nor a leak.`,
  )
}

/** What the page saw during diagnosis calls. */
interface ObservedCalls {
  readonly listeners: DiagnoseEndInput['listeners']
  readonly error?: string
}

/**
 * `calls` more calls of `fn` with listener add sites recorded, then a GC (listeners on targets that
 * the calls dropped, a component's container, are not the leak) and the sites still registered.
 */
async function observedCalls(fn: () => unknown, calls: number, call: CommandCaller, ignoreEvents: ReadonlyArray<string | symbol>, callTimeout: number): Promise<ObservedCalls> {
  const tracker = new PageListenerTracker(ignoreEvents)
  tracker.start()
  tracker.recordSites(true)
  const watchdog = new PageWatchdog(callTimeout)
  let error: string | undefined
  try {
    for (let i = 0; i < calls; i++) {
      const result = fn()
      if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
        const outcome = await watchdog.settle(result as PromiseLike<unknown>)
        if (!outcome.settled) throw new Error(`call ${i + 1} did not settle`)
        if (!outcome.ok) throw outcome.error
      }
    }
    await turn()
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)
  } finally {
    watchdog.disarm()
  }
  // GC, and let the tracker's finalization callbacks run.
  await call(COMMANDS.measure, false)
  await turn()
  await turn()
  const listeners = tracker.sites()
  tracker.stop()
  return { listeners, ...(error !== undefined ? { error } : {}) }
}

/** The time a diagnosis needs, milliseconds: with the heap snapshot (at a small page heap), or sites only. */
const FULL_ESTIMATE_MS = 3000
const SITES_ESTIMATE_MS = 500

function tooLittleTime(report: LeakReport, estimateMs: number, timeLeft: number | undefined): LeakReport | undefined {
  if (timeLeft === undefined || timeLeft >= estimateMs + 1000) return undefined
  return {
    ...report,
    diagnosisSkipped: `it needs about ${(estimateMs / 1000).toFixed(1)} s and the test has ${(Math.max(0, timeLeft) / 1000).toFixed(1)} s left. Raise the test timeout (for example to ${Math.ceil((report.durationMs * 3 + 10_000) / 5000) * 5000} ms) to see what leaked, who holds it and where it was added`,
  } as LeakReport
}

/**
 * The diagnosis in the page: a few more calls with listener add sites recorded; the server maps the
 * sites through Vitest's source maps. When every leaked signal is a listener on a page EventTarget
 * (and `diagnose` is not `'full'`), the calls run without heap tracking first: if their add sites
 * explain the leak, that is the diagnosis and no heap snapshot is taken (seconds at a React page's
 * heap). Otherwise the calls run again under CDP allocation tracking and the server explains the heap
 * from the snapshot that ends it.
 */
async function diagnoseInPage(
  fn: () => unknown,
  report: LeakReport,
  call: CommandCaller,
  ignoreEvents: ReadonlyArray<string | symbol>,
  timeLeft: () => number | undefined,
): Promise<LeakReport> {
  if (report.verdict !== 'leak') return report
  const calls = Math.max(4, Math.min(DIAGNOSIS_CALLS, Math.floor(500 / Math.max(report.durationMs / Math.max(report.calls, 1), 0.01))))
  const callTimeout = report.options.callTimeout
  if (report.options.diagnose !== 'full' && report.leaks.every((signal) => pageSited(signal.key))) {
    const short = tooLittleTime(report, SITES_ESTIMATE_MS, timeLeft())
    if (short !== undefined) return short
    const observed = await observedCalls(fn, calls, call, ignoreEvents, callTimeout)
    const result = (await call(COMMANDS.diagnoseBySites, { calls, ...observed }, report)) as BySitesResult
    if (result.explained) return result.report
  }
  // A diagnosis with the heap snapshot: skip it when the test would time out first, and say so.
  const short = tooLittleTime(report, FULL_ESTIMATE_MS, timeLeft())
  if (short !== undefined) return short
  const started = (await call(COMMANDS.diagnoseStart)) as { ok: boolean; error?: string }
  // The sites go to the server first, on their own, and the page lets go of them (and of the
  // tracker's entries) before the snapshot, so that they are not in it.
  let input: DiagnoseEndInput | undefined = {
    calls,
    ...(await observedCalls(fn, calls, call, ignoreEvents, callTimeout)),
    ...(started.ok ? {} : { heapError: started.error ?? 'the heap profiler did not start' }),
  }
  await call(COMMANDS.diagnoseSites, input)
  input = undefined
  await turn()
  return (await call(COMMANDS.diagnoseEnd, report)) as LeakReport
}

/**
 * Makes the page's `toLeak` matcher.
 * @param call calls a leakspec browser command in Vitest's server process
 */
export function createPageToLeak(call: CommandCaller) {
  const meter: PageMeter = {
    async measure(dom: boolean): Promise<PageReading> {
      const result = (await call(COMMANDS.measure, dom)) as MeasureResult
      if (!result.ok) throw new LeakCheckError('GC_UNAVAILABLE', `leakspec: ${result.unavailable}.`)
      return result.reading
    },
  }
  /**
   * `await expect(fn).not.toLeak(options?)` in a Vitest Browser Mode test: passes when each call of
   * `fn` leaves nothing behind (heap, DOM nodes, documents, EventTarget listeners); must be awaited.
   * @throws {TypeError} synchronously when the received value is not a function
   * @returns a promise of the matcher result; it rejects with a TypeError for invalid options and
   *   with a `LeakCheckError` when no verdict can be reached
   */
  return function toLeak(this: PageMatcherContext, received: unknown, options?: LeakOptions): Promise<PageToLeakResult> {
    const hint = `expect(fn).${this.isNot ? 'not.' : ''}toLeak(${options === undefined ? '' : 'options'})`
    if (typeof received !== 'function') {
      throw new TypeError(
        `leakspec: ${hint} needs a function to call repeatedly; received ${describeValue(received)}. ` +
          "Fix: wrap the code in a function, for example `() => { render(<Widget />); cleanup() }`.",
      )
    }
    assertPlacement(this, hint)
    const sent = serializableOptions(options)
    const token: PageCheckToken = { aborted: false }
    const context = this
    const checkStarted = epochNow()
    const fn = received as () => unknown
    const run = async (): Promise<PageToLeakResult> => {
      const begun = (await call(COMMANDS.begin, sent)) as BeginResult
      if (!begun.ok) {
        if ('typeError' in begun) throw new TypeError(begun.typeError)
        throw unavailableError(begun.unavailable, hint)
      }
      if (running) {
        noteOverlap()
        throw new LeakCheckError(
          'OVERLAP',
          'leakspec: another leak check is already running in this page. Leak checks measure the whole heap, ' +
            'so two at once would measure each other. Fix: `await` each check before starting the next, and do not ' +
            'run leak checks in concurrent tests (test.concurrent).',
        )
      }
      running = true
      const resolved = begun.options
      let report: LeakReport
      try {
        const left = timeLeftMs(context, checkStarted)
        const limits = left === undefined ? {} : { testTimeLeftMs: Math.max(0, left - Math.max(250, left * 0.05)) }
        report = await runPageCheck(fn, resolved, meter, resolved.listeners ? new PageListenerTracker(resolved.ignoreEvents) : undefined, token, limits)
        if (report.verdict === 'leak' && context.isNot === true && resolved.diagnose) {
          report = await diagnoseInPage(fn, report, call, resolved.ignoreEvents, () => timeLeftMs(context, checkStarted))
        }
      } catch (error) {
        if (error instanceof LeakCheckError && error.code === 'ABANDONED') {
          return { pass: !context.isNot, message: () => error.message, report: undefined as never }
        }
        if (error instanceof LeakCheckError && error.code === 'GC_UNAVAILABLE') throw unavailableError(error.message.replace(/^leakspec: /, '').replace(/\.$/, ''), hint)
        throw error
      } finally {
        running = false
      }
      const finished = (await call(COMMANDS.finish, report, hint)) as FinishResult
      record(context, finished.record)
      if (report.verdict === 'inconclusive') {
        throw new LeakCheckError(report.cause === 'gc-unavailable' ? 'GC_UNAVAILABLE' : 'INCONCLUSIVE', finished.message, { report })
      }
      return { pass: report.verdict === 'leak', message: () => finished.message, report }
    }
    return track(run(), token, hint)
  }
}
