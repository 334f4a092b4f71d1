/**
 * Creation and add-site stacks of leaked resources: the diagnosis pass after a `leak` verdict on a
 * handle, fd or listener signal.
 *
 * It re-runs a few calls of the function with stack capture switched on — an async_hooks `init`
 * hook for handles, the same plus `fs.open`/`fs.openSync` for file descriptors, and the listener
 * wrappers in add-site mode for listeners — and reports the stacks of the items that are still open
 * (or still registered) afterwards, grouped and counted. Frames are shown user code first; node
 * internals, `node_modules` and leakspec's own frames are folded into a count. Stack capture never
 * runs while the verdict is measured: it is slow and it allocates.
 */
import type { ResourceStacks, SignalStacks, StackFrameOrigin, StackGroup } from '../core/diagnosis.js'
import { createHook, executionAsyncId } from 'node:async_hooks'
import { OWN_DIRS } from './frames.js'
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers'
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { sleep, turn } from '../core/clock.js'
import { resolveGc } from '../core/gc.js'
import { fdKind, fdTableUnavailable, readFdTable } from '../core/probes/fds.js'
import { createDomProbe, type DomProbe } from '../core/probes/dom.js'
import { findDomRealm } from '../core/probes/dom-realm.js'
import { ListenerTracker } from '../core/probes/listeners.js'
import { canonicalResourceType } from '../core/probes/resources.js'
import type { LeakReport, SignalSummary } from '../core/report.js'
import { isThenable } from '../core/call-errors.js'

/** One parsed line of a V8 stack trace. */
export interface ParsedFrame {
  /** The function part (`leakyConnect`, `async Promise.all`, `new Foo`), `''` when there is none. */
  readonly fn: string
  /** The location as printed: a path, a `file://` URL or `node:internal/...` (with line and column). */
  readonly location: string
  /** The file part of the location (no line and column). */
  readonly file: string
  readonly origin: StackFrameOrigin
}

/** Options of {@link diagnoseResourceStacks}. */
export interface ResourceStacksOptions {
  /** Calls with stack capture on. @default 4 */
  readonly calls?: number
  /** How long one call may take, in milliseconds. @default 5000 */
  readonly callTimeout?: number
  /** Stack patterns to ignore (substring or RegExp). @default the report's `ignoreStacks` option */
  readonly ignoreStacks?: ReadonlyArray<string | RegExp>
  /** Deepest stack captured, in frames. @default 64 */
  readonly stackDepth?: number
}

/** Signal families this module explains. */
const FAMILIES = ['handles:', 'fds:', 'listeners:', 'dom:'] as const

/** Whether a signal key is a resource signal (handles, fds, listeners, DOM items). */
export function isResourceSignal(key: string): boolean {
  return FAMILIES.some((family) => key.startsWith(family))
}

function toPath(file: string): string {
  if (!file.startsWith('file://')) return file
  try {
    return fileURLToPath(file)
  } catch {
    return file
  }
}

/** Classifies a frame's file: node internals, `node_modules`, leakspec's own code, or user code. */
export function frameOriginOf(file: string): StackFrameOrigin {
  if (file === '' || file.startsWith('node:') || file === 'native' || !/[\\/]/.test(file)) return 'node'
  const resolved = toPath(file)
  if (OWN_DIRS.some((dir) => resolved.startsWith(dir))) return 'leakspec'
  if (/[\\/]node_modules[\\/]/.test(resolved)) return 'node_modules'
  return 'user'
}

/** Parses the `at …` lines of a V8 stack (the message line is skipped). */
export function parseStack(stack: string): ParsedFrame[] {
  const frames: ParsedFrame[] = []
  for (const raw of stack.split('\n')) {
    const line = raw.trim()
    if (!line.startsWith('at ')) continue
    const body = line.slice(3)
    const open = body.lastIndexOf(' (')
    const fn = open !== -1 && body.endsWith(')') ? body.slice(0, open) : ''
    const location = open !== -1 && body.endsWith(')') ? body.slice(open + 2, -1) : body
    const file = location.replace(/:\d+(?::\d+)?$/, '')
    frames.push({ fn, location, file, origin: frameOriginOf(file) })
  }
  return frames
}

function renderFrame(frame: ParsedFrame): string {
  const file = toPath(frame.file)
  const relative = path.isAbsolute(file) ? path.relative(process.cwd(), file) : file
  const location = relative + frame.location.slice(frame.file.length)
  return frame.fn === '' ? `at ${location}` : `at ${frame.fn} (${location})`
}

/**
 * Groups stacks by their innermost user frame (the line that created the item); each group shows the
 * first `depth` user frames of its first stack. Largest group first.
 */
export function groupStacks(stacks: readonly string[], depth = 3): StackGroup[] {
  const groups = new Map<string, { count: number; frames: string[]; folded: Record<string, number> }>()
  for (const stack of stacks) {
    const frames = parseStack(stack)
    const user = frames.filter((frame) => frame.origin === 'user').slice(0, depth).map(renderFrame)
    const signature = user[0] ?? ''
    let group = groups.get(signature)
    if (group === undefined) {
      const folded: Record<string, number> = { node: 0, node_modules: 0, leakspec: 0 }
      for (const frame of frames) if (frame.origin !== 'user') folded[frame.origin]!++
      group = { count: 0, frames: user, folded }
      groups.set(signature, group)
    }
    group.count++
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count)
    .map((group) => ({
      count: group.count,
      frames: group.frames,
      folded: group.folded as StackGroup['folded'],
    }))
}

function matches(stack: string, pattern: string | RegExp): boolean {
  if (typeof pattern === 'string') return stack.includes(pattern)
  pattern.lastIndex = 0
  return pattern.test(stack)
}

async function callWithin(fn: () => unknown, ms: number): Promise<void> {
  const result = fn()
  if (!isThenable(result)) return
  let timer: ReturnType<typeof realSetTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`a call did not settle within ${ms} ms`)), ms)
  })
  try {
    await Promise.race([Promise.resolve(result), timeout])
  } finally {
    if (timer !== undefined) realClearTimeout(timer)
  }
}

interface Origin {
  readonly trigger: number
  readonly stack: string
  /**
   * For a resource created from a native callback with no JS caller (a FileHandle is created when
   * `open` completes, with trigger 0): the stack of the latest resource created from user code before it.
   */
  readonly previous: string | undefined
}

/** Most async resources whose origin is remembered during a diagnosis (a bound on its memory). */
const MAX_ORIGINS = 200_000

/**
 * Whether user code created the item: past leakspec's own capturing frames (the hook, the wrapper)
 * and node internals, the first frame is user code (not leakspec's, not a dependency's).
 */
function createdByUser(stack: string): boolean {
  const frames = parseStack(stack)
  let index = 0
  while (index < frames.length && frames[index]!.origin === 'leakspec') index++
  while (index < frames.length && frames[index]!.origin === 'node') index++
  return frames[index]?.origin === 'user'
}

/**
 * A stack with user frames for an item: its own, or else (for items created in a callback, such as a
 * FileHandle created when `open` completes) its own followed by the stack of the nearest async
 * ancestor that has user frames.
 */
function withUserFrames(stack: string, asyncId: number, origins: ReadonlyMap<number, Origin>): string {
  if (stack === '' || createdByUser(stack)) return stack
  let id = asyncId
  for (let depth = 0; depth < 16; depth++) {
    const origin = origins.get(id)
    if (origin === undefined) break
    if (createdByUser(origin.stack)) return `${stack}\n${origin.stack.split('\n').slice(1).join('\n')}`
    if (origin.trigger === 0 && origin.previous !== undefined) {
      return `${stack}\n${origin.previous.split('\n').slice(1).join('\n')}`
    }
    id = origin.trigger
  }
  return stack
}

interface Created {
  readonly asyncId: number
  readonly type: string
  readonly stack: string
  readonly resource: WeakRef<object> | undefined
  readonly timer: { _destroyed?: boolean } | undefined
}

type FsOpen = typeof fs.open
type FsOpenSync = typeof fs.openSync

/** Wraps `fs.open` and `fs.openSync` to learn which stack opened which fd; returns the restore. */
function watchFsOpen(onOpen: (fd: number, stack: string) => void): () => void {
  const target = fs as unknown as { open: FsOpen; openSync: FsOpenSync }
  const open = target.open
  const openSync = target.openSync
  let installed = false
  try {
    target.open = function (this: unknown, ...args: unknown[]): void {
      const stack = new Error('fd opened').stack ?? ''
      const last = args.length - 1
      const callback = args[last]
      if (typeof callback === 'function') {
        args[last] = function (this: unknown, error: unknown, fd: unknown): unknown {
          if (error == null && typeof fd === 'number') onOpen(fd, stack)
          return Reflect.apply(callback, this, [error, fd])
        }
      }
      return Reflect.apply(open, this, args) as void
    } as FsOpen
    target.openSync = function (this: unknown, ...args: unknown[]): number {
      const fd = Reflect.apply(openSync, this, args) as number
      onOpen(fd, new Error('fd opened').stack ?? '')
      return fd
    } as FsOpenSync
    installed = true
    syncBuiltinESMExports()
  } catch {
    // A frozen or non-writable fs (some sandboxes): fds are then matched through handles only.
  }
  return () => {
    if (!installed) return
    target.open = open
    target.openSync = openSync
    syncBuiltinESMExports()
  }
}

/**
 * After a `leak` verdict, re-runs `calls` calls of `fn` with stack capture on and returns the creation
 * (handles, fds) or add-site (listeners) stacks of the items that stayed open, per leaking resource
 * signal. Returns `undefined` when the report has no leaking resource signal.
 *
 * @param fn the function that was checked
 * @param report the check's report (only `leak` reports are diagnosed)
 * @param options see {@link ResourceStacksOptions}
 * @example
 * const report = await measureLeaks(fn)
 * const stacks = await diagnoseResourceStacks(fn, report)
 * if (stacks) console.log(formatResourceStacks(stacks))
 */
export async function diagnoseResourceStacks(
  fn: () => unknown,
  report: LeakReport,
  options: ResourceStacksOptions = {},
): Promise<ResourceStacks | undefined> {
  if (report.verdict !== 'leak') return undefined
  const leaks = report.leaks.filter((signal) => isResourceSignal(signal.key))
  if (leaks.length === 0) return undefined
  const calls = options.calls ?? 4
  const callTimeout = options.callTimeout ?? report.options.callTimeout
  const ignoreStacks = options.ignoreStacks ?? report.options.ignoreStacks
  const handleKinds = new Set(leaks.filter((s) => s.key.startsWith('handles:')).map((s) => s.key.slice(8)))
  const fdKinds = new Set(leaks.filter((s) => s.key.startsWith('fds:')).map((s) => s.key.slice(4)))
  const eventKeys = new Set(leaks.filter((s) => s.key.startsWith('listeners:')).map((s) => s.key.slice(10)))
  const watchFds = fdKinds.size > 0 && fdTableUnavailable() === undefined

  const created = new Map<number, Created>()
  const origins = new Map<number, Origin>()
  let lastUserStack: string | undefined
  const openedFds = new Map<number, { stack: string; asyncId: number }>()
  const hook =
    handleKinds.size > 0 || watchFds
      ? createHook({
          init(asyncId, type, trigger, resource) {
            const stack = new Error('resource created').stack ?? ''
            const fromUser = createdByUser(stack)
            if (origins.size < MAX_ORIGINS) {
              origins.set(asyncId, { trigger, stack, previous: fromUser ? undefined : lastUserStack })
            }
            // Promises are not candidates: leakspec's own awaits carry the test's frames in their async stacks.
            if (fromUser && type !== 'PROMISE') lastUserStack = stack
            if (type === 'PROMISE' || type === 'TickObject' || type === 'Microtask') return
            if (!watchFds && !handleKinds.has(canonicalResourceType(type))) return
            const timer = type === 'Timeout' || type === 'Immediate' ? (resource as { _destroyed?: boolean }) : undefined
            created.set(asyncId, {
              asyncId,
              type,
              stack,
              resource: timer === undefined && typeof resource === 'object' && resource !== null ? new WeakRef(resource) : undefined,
              timer,
            })
          },
          destroy(asyncId) {
            created.delete(asyncId)
          },
        })
      : undefined
  const tracker = eventKeys.size > 0 ? new ListenerTracker({ captureStacks: true }) : undefined
  const domRealm = leaks.some((s) => s.key.startsWith('dom:')) ? findDomRealm() : undefined
  const domProbe: DomProbe | undefined = domRealm === undefined ? undefined : createDomProbe(domRealm, { captureStacks: true })
  const fdsBefore = watchFds ? readFdTable() : new Map<number, string>()
  const stackLimit = Error.stackTraceLimit
  let restoreFs: (() => void) | undefined
  let error: string | undefined
  let made = 0
  try {
    Error.stackTraceLimit = options.stackDepth ?? 64
    if (watchFds) restoreFs = watchFsOpen((fd, stack) => openedFds.set(fd, { stack, asyncId: executionAsyncId() }))
    hook?.enable()
    tracker?.start()
    domProbe?.start?.()
    for (; made < calls; made++) await callWithin(fn, callTimeout)
    for (let i = 0; i < 3; i++) await turn()
    for (const ms of [1, 4, 10]) await sleep(ms)
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)
  } finally {
    Error.stackTraceLimit = stackLimit
    hook?.disable()
    tracker?.stop()
    domProbe?.stop?.()
    restoreFs?.()
  }
  const gc = resolveGc()
  if (gc.available) gc.collect()
  await turn()

  const live = [...created.values()].filter((item) => {
    if (item.timer !== undefined) return item.timer._destroyed !== true
    if (item.type === 'FILEHANDLE') {
      const handle = item.resource?.deref() as { fd?: number } | undefined
      return handle !== undefined && typeof handle.fd === 'number' && handle.fd >= 0
    }
    return true
  })

  const stacksFor = (signal: SignalSummary): string[] | undefined => {
    const [family, kind] = [signal.key.slice(0, signal.key.indexOf(':')), signal.key.slice(signal.key.indexOf(':') + 1)]
    if (family === 'handles') {
      return live
        .filter((item) => canonicalResourceType(item.type) === kind)
        .map((item) => withUserFrames(item.stack, item.asyncId, origins))
    }
    if (family === 'listeners') return tracker?.addSites(new Set([kind])).map((site) => site.stack)
    if (family === 'dom') return domProbe?.sites(kind)
    if (!watchFds) return undefined
    const after = readFdTable()
    const byFd = new Map<number, { stack: string; asyncId: number }>()
    for (const item of live) {
      const fd = (item.resource?.deref() as { fd?: unknown } | undefined)?.fd
      if (typeof fd === 'number' && fd >= 0) byFd.set(fd, item)
    }
    const stacks: string[] = []
    for (const [fd, target] of after) {
      if (fdsBefore.get(fd) === target || fdKind(target) !== kind) continue
      const site = openedFds.get(fd) ?? byFd.get(fd)
      stacks.push(site === undefined ? '' : withUserFrames(site.stack, site.asyncId, origins))
    }
    return stacks
  }

  const signals: SignalStacks[] = []
  for (const signal of leaks) {
    const stacks = stacksFor(signal) ?? []
    const ignored: Record<string, number> = {}
    const kept: string[] = []
    for (const stack of stacks) {
      const pattern = stack === '' ? undefined : ignoreStacks.find((candidate) => matches(stack, candidate))
      if (pattern === undefined) kept.push(stack)
      else ignored[String(pattern)] = (ignored[String(pattern)] ?? 0) + 1
    }
    signals.push({
      key: signal.key,
      items: stacks.length,
      groups: groupStacks(kept.filter((stack) => stack !== '')),
      ignored,
      allIgnored: stacks.length > 0 && kept.length === 0,
    })
  }
  return { calls: made, signals, ...(error === undefined ? {} : { error }) }
}

function describeFolded(folded: StackGroup['folded']): string {
  const parts: string[] = []
  if (folded.node > 0) parts.push(`${folded.node} node internal${folded.node === 1 ? '' : 's'}`)
  if (folded.node_modules > 0) parts.push(`${folded.node_modules} node_modules`)
  if (folded.leakspec > 0) parts.push(`${folded.leakspec} leakspec`)
  return parts.length === 0 ? '' : `(${parts.join(', ')} frame${parts.length === 1 && (folded.node + folded.node_modules + folded.leakspec) === 1 ? '' : 's'} folded)`
}

/**
 * The text of a resource-stack diagnosis, for a failure message:
 *
 * ```
 * Where the leaked items were created (4 diagnosis calls):
 *   Timeout handles: 4 still open
 *     4× at leaky (test/cases.ts:12:5)
 *        at run (test/cases.ts:40:3)
 *        (14 node internals, 6 node_modules frames folded)
 * ```
 * @param name names a signal key for people (for example the message's `signalName`)
 */
export function formatResourceStacks(stacks: ResourceStacks, name: (key: string) => string = (key) => key): string {
  const lines = [`Where the leaked items were created (${stacks.calls} diagnosis call${stacks.calls === 1 ? '' : 's'}):`]
  for (const signal of stacks.signals) {
    const ignoredCount = Object.values(signal.ignored).reduce((sum, count) => sum + count, 0)
    lines.push(`  ${name(signal.key)}: ${signal.items} still ${signal.key.startsWith('dom:') ? 'there' : 'open'}${ignoredCount > 0 ? `, ${ignoredCount} ignored` : ''}`)
    for (const [pattern, count] of Object.entries(signal.ignored)) {
      lines.push(`    ${count} ignored by ignoreStacks ${pattern}`)
    }
    for (const group of signal.groups) {
      const [first, ...rest] = group.frames.length > 0 ? group.frames : ['(no user frame: created by node internals or node_modules)']
      const prefix = `${group.count}× `
      lines.push(`    ${prefix}${first}`)
      for (const frame of rest) lines.push(`    ${' '.repeat(prefix.length)}${frame}`)
      const folded = describeFolded(group.folded)
      if (folded !== '') lines.push(`    ${' '.repeat(prefix.length)}${folded}`)
    }
    const found = signal.groups.reduce((sum, group) => sum + group.count, 0)
    const missing = signal.items - found - ignoredCount
    if (missing > 0) lines.push(`    ${missing} without a creation stack (opened outside the watched calls)`)
    if (signal.items === 0) lines.push('    (none stayed open during the diagnosis calls; the leak may need more calls or depend on state)')
  }
  if (stacks.error !== undefined) lines.push(`  (the diagnosis stopped early: ${stacks.error})`)
  return lines.join('\n')
}
