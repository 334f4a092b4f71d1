/**
 * Handles and requests by type, from two sources, reported once per type:
 *
 * - **async_hooks** (`init`/`destroy`): resources created while the check runs and not yet
 *   destroyed, unref'd ones included (`process.getActiveResourcesInfo()` omits those);
 * - **`process.getActiveResourcesInfo()`**: growth of the active (ref'd) handles and requests since
 *   the check began.
 *
 * Per type the larger of the two counts is reported under `handles:<Type>`, with the type spelled as
 * `getActiveResourcesInfo()` spells it (`TCPSocketWrap`, `FileHandle`, …), so one leak is one signal
 * whichever source saw it ("best source wins"). The hook stays cheap: a map insert on `init`, a map
 * delete on `destroy`, no stack capture. Promises, ticks and microtasks are not resources and are
 * skipped; their count would only cost time.
 *
 * Cost: while any async hook with a `destroy` callback is enabled, Node tracks the destruction of every
 * promise, which makes promise-heavy calls several times slower (µs per promise). The check's cost is
 * dominated by full GCs, so this barely shows in a check's duration; `asyncHooks: false` turns the
 * hook off (unref'd resources are then not seen).
 */
import { createHook, type AsyncHook } from 'node:async_hooks'
import { IgnoredTally } from './ignored.js'
import type { CountProbe } from './probe.js'

/** async_hooks type names → the names `process.getActiveResourcesInfo()` uses. */
const CANONICAL: Readonly<Record<string, string>> = {
  TCPWRAP: 'TCPSocketWrap',
  TCPSERVERWRAP: 'TCPServerWrap',
  TCPCONNECTWRAP: 'TCPConnectWrap',
  PIPEWRAP: 'PipeWrap',
  PIPESERVERWRAP: 'PipeServerWrap',
  PIPECONNECTWRAP: 'PipeConnectWrap',
  PROCESSWRAP: 'ProcessWrap',
  TTYWRAP: 'TTYWrap',
  UDPWRAP: 'UDPWrap',
  UDPSENDWRAP: 'UDPSendWrap',
  SIGNALWRAP: 'SignalWrap',
  FSEVENTWRAP: 'FSEventWrap',
  STATWATCHER: 'StatWatcher',
  FILEHANDLE: 'FileHandle',
  FILEHANDLECLOSEREQ: 'FileHandleCloseReq',
  FSREQCALLBACK: 'FSReqCallback',
  FSREQPROMISE: 'FSReqPromise',
  WORKER: 'Worker',
  MESSAGEPORT: 'MessagePort',
  GETADDRINFOREQWRAP: 'GetAddrInfoReqWrap',
  GETNAMEINFOREQWRAP: 'GetNameInfoReqWrap',
  QUERYWRAP: 'QueryWrap',
  DNSCHANNEL: 'DNSChannel',
  WRITEWRAP: 'WriteWrap',
  SHUTDOWNWRAP: 'ShutdownWrap',
  TLSWRAP: 'TLSWrap',
  ZLIB: 'Zlib',
  JSSTREAM: 'JSStream',
  JSUDPWRAP: 'JSUDPWrap',
  HTTPINCOMINGMESSAGE: 'HTTPIncomingMessage',
  HTTPCLIENTREQUEST: 'HTTPClientRequest',
  STREAMPIPE: 'StreamPipe',
  SENDWRAP: 'SendWrap',
}

/** async_hooks types that are not resources a call can leave open. */
const SKIPPED: ReadonlySet<string> = new Set(['PROMISE', 'TickObject', 'Microtask'])

/**
 * The name a resource type is reported under: the `getActiveResourcesInfo()` spelling for known
 * async_hooks types, the type itself otherwise.
 * @param type an async_hooks type (`TCPWRAP`) or an active-resource name (`TCPSocketWrap`)
 */
export function canonicalResourceType(type: string): string {
  return CANONICAL[type] ?? type
}

/** Options of {@link createResourcesProbe}. */
export interface ResourcesProbeOptions {
  /** Count through async_hooks too (sees unref'd resources). @default true */
  readonly asyncHooks?: boolean
  /**
   * Resource types not to count, in either spelling (`Timeout`, `TCPSocketWrap` or `TCPWRAP`),
   * compared case-insensitively. @default []
   */
  readonly ignoreTypes?: readonly string[]
}

interface TimerLike {
  _destroyed?: boolean
}

interface FileHandleLike {
  fd?: number
}

/** A live resource created during the check. */
type Entry =
  | { readonly type: string; readonly timer: TimerLike }
  | { readonly type: string; readonly file: WeakRef<FileHandleLike> }
  | { readonly type: string }

function alive(entry: Entry): boolean {
  // Timers and immediates are marked destroyed synchronously when they fire or are cleared; the
  // destroy hook follows an event-loop turn later (this also hides leakspec's own sleep timers).
  if ('timer' in entry) return entry.timer._destroyed !== true
  // Native FileHandles emit destroy only when collected; a closed one reports a negative fd.
  if ('file' in entry) {
    const handle = entry.file.deref()
    return handle !== undefined && typeof handle.fd === 'number' && handle.fd >= 0
  }
  return true
}

/** Lower-cased ignore list in both spellings. */
function ignoreSet(types: readonly string[]): Set<string> {
  const set = new Set<string>()
  for (const type of types) {
    set.add(type.toLowerCase())
    set.add(canonicalResourceType(type).toLowerCase())
    for (const [hookType, name] of Object.entries(CANONICAL)) {
      if (name.toLowerCase() === type.toLowerCase()) set.add(hookType.toLowerCase())
    }
  }
  return set
}

/**
 * Creates the handles probe (keys `handles:<Type>`): per type, the larger of the resources created
 * during the check and still open (async_hooks, unref'd included) and the growth of
 * `process.getActiveResourcesInfo()` since `start()`.
 */
export function createResourcesProbe(options: ResourcesProbeOptions = {}): CountProbe {
  const useHooks = options.asyncHooks ?? true
  const ignored = ignoreSet(options.ignoreTypes ?? [])
  const isIgnored = (type: string): boolean => ignored.size > 0 && ignored.has(type.toLowerCase())
  const live = new Map<number, Entry>()
  let hook: AsyncHook | undefined
  let activeAtStart: Record<string, number> = {}
  const ignoredTally = new IgnoredTally('ignoreTypes')

  const active = (): Record<string, number> => {
    const counts: Record<string, number> = {}
    for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
    return counts
  }

  return {
    name: 'handles',
    label: 'active handles',
    start() {
      activeAtStart = active()
      if (!useHooks) return
      hook = createHook({
        init(asyncId, type, _trigger, resource) {
          if (SKIPPED.has(type)) return
          if (type === 'Timeout' || type === 'Immediate') live.set(asyncId, { type, timer: resource as TimerLike })
          else if (type === 'FILEHANDLE') live.set(asyncId, { type, file: new WeakRef(resource as FileHandleLike) })
          else live.set(asyncId, { type })
        },
        destroy(asyncId) {
          live.delete(asyncId)
        },
      })
      hook.enable()
    },
    read() {
      const fromHooks: Record<string, number> = {}
      const skipped: Record<string, number> = {}
      for (const entry of live.values()) {
        if (!alive(entry)) continue
        const type = canonicalResourceType(entry.type)
        if (isIgnored(type)) skipped[type] = (skipped[type] ?? 0) + 1
        else fromHooks[type] = (fromHooks[type] ?? 0) + 1
      }
      const counts: Record<string, number> = { ...fromHooks }
      const now = active()
      for (const type of new Set([...Object.keys(now), ...Object.keys(activeAtStart)])) {
        const grown = (now[type] ?? 0) - (activeAtStart[type] ?? 0)
        if (isIgnored(type)) {
          if (grown > (skipped[type] ?? 0)) skipped[type] = grown
          continue
        }
        // A type that shrank since the start (the runner closed something) is not reported as negative.
        if (grown > 0) counts[type] = Math.max(counts[type] ?? 0, grown)
      }
      ignoredTally.observe(skipped)
      return counts
    },
    ignored() {
      return ignoredTally.growth()
    },
    stop() {
      hook?.disable()
      hook = undefined
      live.clear()
    },
  }
}
