/**
 * Releasing what a leaking check left open, so that it does not poison the next test.
 *
 * A check of a function that leaks one socket, server, file, timer, child process or worker per call
 * leaves dozens of them open when it ends (the count schedule decides at about 32–64 calls, and the
 * diagnosis calls the function a few more times). Left alone, they would count against the file
 * limit and a database server's connection limit in every later test of the file. The ledger notes
 * every resource created while the check and its diagnosis run and not yet destroyed (an async hook,
 * weakly held: clean code leaves nothing in it) and the fds open when it starts; after a leak verdict on a handle or fd signal it closes the ones
 * of the leaked kinds that are still open:
 *
 * - timers and immediates: cleared;
 * - servers: `server.close()`; child processes: killed; workers: terminated (their own API, through
 *   the handle's owner object, so they end the way the program would end them);
 * - sockets and pipes: the native handle is closed without events, so that a client library that
 *   never expected its socket to end (a database client) emits no `error` into the test; a server's
 *   end of a connection accepted in this process is destroyed instead (it emits `close`, so that the
 *   server counts it out and `server.close()` can finish);
 * - FileHandles: closed; fds opened with `fs.open`/`openSync` (kind `file`) and still open: closed.
 *
 * Only kinds that leaked are touched, and only resources created after the ledger started.
 */
import { createHook, type AsyncHook } from 'node:async_hooks'
import { closeSync } from 'node:fs'
import * as timers from 'node:timers'
import { fdKind, fdTableUnavailable, readFdTable } from './probes/fds.js'
import { canonicalResourceType } from './probes/resources.js'
import type { LeakReport } from './report.js'

/** async_hooks types that are not resources a call can leave open. */
const SKIPPED: ReadonlySet<string> = new Set(['PROMISE', 'TickObject', 'Microtask'])

interface Noted {
  /** Canonical type (`TCPSocketWrap`, `Timeout`, …). */
  readonly type: string
  readonly ref: WeakRef<object>
}

/** The handle's owner (`net.Socket`, `net.Server`, `ChildProcess`, `Worker`), where Node sets one. */
function ownerOf(resource: object): Record<string, unknown> | undefined {
  for (const symbol of Object.getOwnPropertySymbols(resource)) {
    if (symbol.description === 'owner_symbol') {
      const owner = (resource as Record<symbol, unknown>)[symbol]
      return typeof owner === 'object' && owner !== null ? (owner as Record<string, unknown>) : undefined
    }
  }
  return undefined
}

function call(target: Record<string, unknown> | undefined, method: string, ...args: unknown[]): boolean {
  const fn = target?.[method]
  if (typeof fn !== 'function') return false
  try {
    const result: unknown = (fn as (...a: unknown[]) => unknown).apply(target, args)
    if (result instanceof Promise) result.catch(() => {})
    return true
  } catch {
    return false
  }
}

/** Closes one resource of a leaked type; `true` when it was open and has been closed. */
function close(type: string, resource: object): boolean {
  const handle = resource as Record<string, unknown>
  switch (type) {
    case 'Timeout':
      if (handle['_destroyed'] === true) return false
      timers.clearTimeout(resource as NodeJS.Timeout)
      return true
    case 'Immediate':
      if (handle['_destroyed'] === true) return false
      timers.clearImmediate(resource as NodeJS.Immediate)
      return true
    case 'FileHandle':
      if (typeof handle['fd'] !== 'number' || (handle['fd'] as number) < 0) return false
      return call(handle, 'close')
    case 'TCPServerWrap':
    case 'PipeServerWrap': {
      const server = ownerOf(resource)
      if (server === undefined || server['listening'] !== true) return false
      return call(server, 'close')
    }
    case 'ProcessWrap': {
      const child = ownerOf(resource)
      if (child === undefined || child['exitCode'] !== null || child['signalCode'] !== null) return false
      return call(child, 'kill', 'SIGKILL')
    }
    case 'Worker': {
      const worker = ownerOf(resource)
      if (worker === undefined || worker['threadId'] === -1) return false
      return call(worker, 'terminate')
    }
    case 'TCPSocketWrap':
    case 'PipeWrap':
    case 'TLSWrap': {
      const socket = ownerOf(resource)
      if (socket === undefined || socket['destroyed'] === true) return false
      // A server's end of a connection (accepted in this process): destroyed, so that it emits
      // 'close' and its server counts it out — else `server.close()` would wait for it forever.
      if (typeof socket['_server'] === 'object' && socket['_server'] !== null) return call(socket, 'destroy')
      // A client's end: the native handle, not socket.destroy(), so that no 'close' or 'error'
      // reaches a client that would treat it as a lost connection and throw into the test.
      if (!call(handle, 'close')) return false
      return true
    }
    default: {
      const owner = ownerOf(resource)
      if (owner !== undefined && (call(owner, 'close') || call(owner, 'destroy'))) return true
      return false
    }
  }
}

/** How long a release waits at most for killed children, terminated workers and closed servers to end, ms. */
const END_WAIT_MS = 3000

/** A promise of the owner's end ('exit' of a child or worker, 'close' of a server), when it has one to wait for. */
function endOf(type: string, resource: object): Promise<unknown> | undefined {
  const event = type === 'ProcessWrap' || type === 'Worker' ? 'exit' : type === 'TCPServerWrap' || type === 'PipeServerWrap' ? 'close' : undefined
  if (event === undefined) return undefined
  const owner = ownerOf(resource) as { once?: (event: string, listener: () => void) => unknown } | undefined
  if (typeof owner?.once !== 'function') return undefined
  return new Promise((resolve) => {
    owner.once!(event, () => resolve(undefined))
  })
}

/** Notes the resources created while it runs; closes the leaked ones on request. */
export class ResourceLedger {
  /** Live resources by async id (a resource leaves when it is destroyed, so clean code adds nothing). */
  readonly #noted = new Map<number, Noted>()
  readonly #fdsAtStart: ReadonlySet<number> | undefined
  readonly #hook: AsyncHook
  readonly #released: Record<string, number> = {}

  constructor() {
    this.#fdsAtStart = fdTableUnavailable() === undefined ? new Set(readFdTable().keys()) : undefined
    this.#hook = createHook({
      init: (asyncId, type, _trigger, resource) => {
        if (SKIPPED.has(type) || typeof resource !== 'object' || resource === null) return
        this.#noted.set(asyncId, { type: canonicalResourceType(type), ref: new WeakRef(resource) })
      },
      destroy: (asyncId) => {
        this.#noted.delete(asyncId)
      },
    })
    this.#hook.enable()
  }

  /**
   * Closes what leaked, when the report is a leak on handle or fd signals, and returns the report with
   * `released` (all releases so far, by signal key). Other reports are returned unchanged.
   */
  async release<R extends LeakReport>(report: R): Promise<R> {
    if (report.verdict !== 'leak') return report
    const handleTypes = new Set(report.leaks.filter((s) => s.key.startsWith('handles:')).map((s) => s.key.slice(8)))
    const fdKinds = new Set(report.leaks.filter((s) => s.key.startsWith('fds:')).map((s) => s.key.slice(4)))
    if (handleTypes.size === 0 && fdKinds.size === 0) return report
    // Closing a server, socket or child process closes its fds too; fds that belong to a FileHandle
    // are closed by the FileHandle only (closing the number directly could later close a reused fd).
    const fileHandleFds = new Set<number>()
    const endings: Array<Promise<unknown>> = []
    for (const [asyncId, noted] of this.#noted) {
      const resource = noted.ref.deref()
      if (resource === undefined) {
        this.#noted.delete(asyncId)
        continue
      }
      const fd = (resource as { fd?: unknown }).fd
      if (noted.type === 'FileHandle' && typeof fd === 'number' && fd >= 0) fileHandleFds.add(fd)
      if (!handleTypes.has(noted.type)) continue
      if (close(noted.type, resource)) {
        this.#add(`handles:${noted.type}`, 1)
        // The end events come later (never synchronously from kill, terminate or close).
        const ending = endOf(noted.type, resource)
        if (ending !== undefined) endings.push(ending)
      }
    }
    if (handleTypes.size > 0) {
      // Let close callbacks run, and wait (bounded) for killed children, terminated workers and closed
      // servers to be gone: on a loaded machine a SIGKILLed child takes a while to be reaped.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.all(endings).then(() => new Promise((resolve) => timers.setTimeout(resolve, 20))),
        new Promise((resolve) => {
          timer = timers.setTimeout(resolve, END_WAIT_MS)
        }),
      ])
      if (timer !== undefined) timers.clearTimeout(timer)
    }
    if (fdKinds.has('file') && this.#fdsAtStart !== undefined) {
      for (const [fd, target] of readFdTable()) {
        if (this.#fdsAtStart.has(fd) || fileHandleFds.has(fd) || fdKind(target) !== 'file') continue
        try {
          closeSync(fd)
          this.#add('fds:file', 1)
        } catch {
          // Closed in between.
        }
      }
    }
    return Object.keys(this.#released).length === 0 ? report : { ...report, released: { ...this.#released } }
  }

  /** Stops noting resources. */
  stop(): void {
    this.#hook.disable()
    this.#noted.clear()
  }

  #add(key: string, count: number): void {
    this.#released[key] = (this.#released[key] ?? 0) + count
  }
}
