/**
 * The server half of `toLeak` in Vitest Browser Mode: browser commands that the leakspec plugin
 * registers, run in Vitest's Node process. The page cannot force a GC or read a precise heap; these
 * commands do it over the Chrome DevTools Protocol session of the test's page (Playwright provider,
 * Chromium): `HeapProfiler.collectGarbage`, `Runtime.getHeapUsage`, `Memory.getDOMCounters`. They also
 * validate options and turn the page's report into the failure message and report record with the
 * same Node code as every other runner, so the text is the same.
 */
import { DEFAULT_OPTIONS, resolveOptions, type LeakOptions, type ResolvedLeakOptions } from '../core/options.js'
import type { LeakReport } from '../core/report.js'
import { formatClean, formatInconclusive, formatLeak } from '../message/format.js'
import { toRecord } from '../matchers/toLeak.js'
import { COMMANDS, type BeginResult, type BySitesResult, type DiagnoseEndInput, type FinishResult, type MeasureResult } from '../browser/protocol.js'
import { createFrameMapper, diagnoseBySites, diagnoseEnd, diagnoseStart, type CdpLike } from './browser-diagnose.js'

/** The subset of Vitest's `BrowserCommandContext` the commands use. */
export interface BrowserCommandContextLike {
  readonly sessionId: string
  readonly provider: { readonly name: string; getCDPSession?: (sessionId: string) => Promise<CdpLike> }
  readonly project?: {
    readonly config?: { readonly root?: string; readonly browser?: { readonly name?: string } }
    readonly browser?: { parseStacktrace?: (stack: string) => Array<{ method: string; file: string; line: number; column: number }> } | undefined
  }
}

type Command = (context: BrowserCommandContextLike, ...args: never[]) => unknown

const sessions = new Map<string, Promise<CdpLike>>()

const NOT_CHROMIUM =
  'leakspec in Vitest Browser Mode forces GC and reads the heap over the Chrome DevTools Protocol, which needs the ' +
  "Playwright provider with Chromium. Fix: use provider: playwright() from '@vitest/browser-playwright' and " +
  "instances: [{ browser: 'chromium' }] for the leak tests"

async function cdpFor(context: BrowserCommandContextLike): Promise<CdpLike | string> {
  const provider = context.provider
  const browser = context.project?.config?.browser?.name
  if (provider.name !== 'playwright' || typeof provider.getCDPSession !== 'function' || (browser !== undefined && browser !== 'chromium')) {
    return `${NOT_CHROMIUM} (this project runs ${browser ?? 'a browser'} with the ${provider.name} provider)`
  }
  let session = sessions.get(context.sessionId)
  if (!session) {
    session = provider.getCDPSession(context.sessionId)
    sessions.set(context.sessionId, session)
    session.catch(() => sessions.delete(context.sessionId))
  }
  try {
    return await session
  } catch (error) {
    return `${NOT_CHROMIUM} (no CDP session: ${error instanceof Error ? error.message : String(error)})`
  }
}

interface HeapUsage {
  usedSize: number
  embedderHeapUsedSize?: number
  backingStorageSize?: number
}

interface DomCounters {
  documents: number
  nodes: number
  jsEventListeners: number
}

/**
 * The commands, keyed by their names in {@link COMMANDS}.
 * @param defaults the plugin's `defaults` (each `toLeak` starts from them)
 */
export function createBrowserCommands(defaults: LeakOptions | undefined): Record<string, Command> {
  const base: ResolvedLeakOptions = defaults === undefined ? DEFAULT_OPTIONS : resolveOptions(defaults, DEFAULT_OPTIONS, 'leakspec({ defaults })')
  const begin = async (context: BrowserCommandContextLike, options: unknown): Promise<BeginResult> => {
    let resolved: ResolvedLeakOptions
    try {
      resolved = resolveOptions(options, base, 'toLeak')
    } catch (error) {
      if (error instanceof TypeError) return { ok: false, typeError: error.message }
      throw error
    }
    const cdp = await cdpFor(context)
    if (typeof cdp === 'string') return { ok: false, unavailable: cdp }
    return { ok: true, options: resolved }
  }
  const measure = async (context: BrowserCommandContextLike, dom: boolean): Promise<MeasureResult> => {
    const started = performance.now()
    const cdp = await cdpFor(context)
    if (typeof cdp === 'string') return { ok: false, unavailable: cdp }
    await cdp.send('HeapProfiler.collectGarbage')
    const gcMs = performance.now() - started
    const usage = (await cdp.send('Runtime.getHeapUsage')) as HeapUsage
    const counters = dom ? ((await cdp.send('Memory.getDOMCounters')) as DomCounters) : undefined
    return {
      ok: true,
      reading: {
        heap: usage.usedSize + (usage.embedderHeapUsedSize ?? 0),
        external: usage.backingStorageSize ?? 0,
        gcMs,
        ...(counters ? { dom: { documents: counters.documents, nodes: counters.nodes, jsEventListeners: counters.jsEventListeners } } : {}),
      },
    }
  }
  const finish = (_context: BrowserCommandContextLike, report: LeakReport, hint: string): FinishResult => {
    const message =
      report.verdict === 'leak' ? formatLeak(report, hint) : report.verdict === 'clean' ? formatClean(report, hint) : formatInconclusive(report, hint)
    return { message, record: toRecord(report) }
  }
  const startDiagnosis = async (context: BrowserCommandContextLike): Promise<{ ok: boolean; error?: string }> => {
    const cdp = await cdpFor(context)
    if (typeof cdp === 'string') return { ok: false, error: cdp }
    return diagnoseStart(context.sessionId, cdp)
  }
  const sites = new Map<string, DiagnoseEndInput>()
  const diagnosisSites = (context: BrowserCommandContextLike, input: DiagnoseEndInput): void => {
    sites.set(context.sessionId, input)
  }
  const mapperFor = (context: BrowserCommandContextLike) => {
    const browser = context.project?.browser
    const parse = browser?.parseStacktrace ? (stack: string) => browser.parseStacktrace!(stack) : undefined
    return createFrameMapper(context.project?.config?.root ?? process.cwd(), parse)
  }
  const endDiagnosis = async (context: BrowserCommandContextLike, report: LeakReport): Promise<LeakReport> => {
    const input = sites.get(context.sessionId) ?? { calls: 0, listeners: [] }
    sites.delete(context.sessionId)
    const cdp = await cdpFor(context)
    if (typeof cdp === 'string') return report
    return diagnoseEnd(context.sessionId, cdp, input, report, mapperFor(context))
  }
  const bySites = async (context: BrowserCommandContextLike, input: DiagnoseEndInput, report: LeakReport): Promise<BySitesResult> => {
    const cdp = await cdpFor(context)
    const usage = typeof cdp === 'string' ? undefined : ((await cdp.send('Runtime.getHeapUsage').catch(() => undefined)) as HeapUsage | undefined)
    const heap = usage === undefined ? undefined : usage.usedSize + (usage.embedderHeapUsedSize ?? 0)
    return diagnoseBySites(input, report, mapperFor(context), heap)
  }
  return {
    [COMMANDS.begin]: begin as Command,
    [COMMANDS.measure]: measure as Command,
    [COMMANDS.finish]: finish as Command,
    [COMMANDS.diagnoseStart]: startDiagnosis as Command,
    [COMMANDS.diagnoseSites]: diagnosisSites as Command,
    [COMMANDS.diagnoseEnd]: endDiagnosis as Command,
    [COMMANDS.diagnoseBySites]: bySites as Command,
  }
}
