/**
 * Listeners on DOM EventTargets in the page (window, document, elements, AbortSignal, …), counted by
 * event type: the listeners added while a check runs that were not removed, on targets that are still
 * alive after GC. The count is exact and named (`listeners:resize on window`), which the renderer's own counter
 * (`Memory.getDOMCounters().jsEventListeners`, one number for the whole process) is not.
 *
 * `EventTarget.prototype.addEventListener` / `removeEventListener` of the page's realm are wrapped
 * while a check runs (and only then), and so are the window's own (Window is a [Global] interface).
 * The tracker keeps what it saw on the target itself (a non-enumerable property under a symbol of its
 * own, or a WeakMap for a target that is not extensible), so it never keeps alive what it watches, and
 * keeps net counts by type; a FinalizationRegistry subtracts a target's listeners when GC collects the
 * target. Nothing it holds grows with the calls on collected targets (a component mount adds about
 * 150 listeners to its container), which would be measured as the function's heap. (A WeakMap keyed by
 * every target was: its table grew to hold the targets made between two full GCs, about 8 B per call
 * of a React mount for the first 4,000 calls of a check in Chromium, with rounds doubling — enough to
 * keep a clean component's counted rounds above the 16 B floor until the time budget ran out.)
 * A record left on a target that outlives the check holds only what the target holds; `stop()` clears
 * the window's and the document's.
 * Listeners added with `once` are not counted (the browser removes
 * them when they fire, unseen); a listener tied to an AbortSignal is uncounted when the signal aborts.
 * The add site (`new Error().stack`) is kept only when asked (the diagnosis), never during the verdict.
 */

/** One listener added while tracking, kept in the per-target record (only while its target lives). */
interface Entry {
  readonly type: string
  readonly listener: object
  readonly capture: boolean
  /** Add-site stack, only while sites are recorded. */
  readonly stack?: string
}

/**
 * What the tracker keeps per target, in a WeakMap keyed by the target (an ephemeron: the record lives
 * exactly as long as its target, and holding the listeners from it keeps nothing alive that the
 * target does not). `counts` is also the FinalizationRegistry's held value, so it holds no listener.
 */
interface TargetRecord {
  readonly entries: Entry[]
  readonly counts: Record<string, number>
  /** `window`, `document`, `<div>`, `AbortSignal`… (the same labels as in jsdom and happy-dom). */
  readonly label: string
}

/** `AddEventListenerOptions` of the DOM (leakspec compiles without the DOM library). */
interface AddOptions {
  readonly capture?: boolean
  readonly once?: boolean
  readonly signal?: AbortSignal
}

type Add = EventTarget['addEventListener']
type Remove = EventTarget['removeEventListener']

function captureOf(options: boolean | AddOptions | EventListenerOptions | undefined): boolean {
  return typeof options === 'boolean' ? options : options?.capture === true
}

/**
 * A short name of an event target for messages and signal keys: `window`, `document`, `<div>`,
 * `AbortSignal` (the labels the jsdom / happy-dom listener probe uses, so keys read the same).
 */
export function describeTarget(target: EventTarget): string {
  if (target === (globalThis as unknown)) return 'window'
  const node = target as { nodeType?: unknown; localName?: unknown }
  if (node.nodeType === 9) return 'document'
  if (node.nodeType === 1 && typeof node.localName === 'string' && node.localName !== '') return `<${node.localName}>`
  const ctor = (target as { constructor?: { name?: string } }).constructor
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : Object.prototype.toString.call(target).slice(8, -1)
  return name === 'Object' || name === '' ? 'EventTarget' : name
}

/** Where a record is kept on its target: one symbol for every tracker, each record names its tracker's run. */
const RECORD = Symbol('leakspec.listeners')

type Recorded = TargetRecord & { readonly run: object }

/** Counts net listeners added on live EventTargets of this realm while started. */
export class PageListenerTracker {
  /** Records of targets that cannot take a property (frozen or sealed). */
  #fallback = new WeakMap<EventTarget, Recorded>()
  /** This run's identity (a new one at every start): records of another run are not this run's. */
  #run: object = {}
  /** Net listeners by type on live targets; a target's share is subtracted when GC collects it. */
  readonly #counts: Record<string, number> = {}
  readonly #finalizer = new FinalizationRegistry<Record<string, number>>((counts) => {
    for (const [type, count] of Object.entries(counts)) this.#counts[type] = (this.#counts[type] ?? 0) - count
  })
  /** Targets that got a listener while sites were recorded (the diagnosis only: a few calls). */
  readonly #sited = new Set<WeakRef<EventTarget>>()
  readonly #ignored: ReadonlySet<string>
  #original: { add: Add; remove: Remove } | undefined
  /** The global object's own add/remove (a [Global] interface: Window has them as own properties). */
  #globalOriginal: { add: Add; remove: Remove } | undefined
  #recordSites = false
  #ignoredCount = 0

  /** @param ignoreEvents event types not to count (the `ignoreEvents` option) */
  constructor(ignoreEvents: ReadonlyArray<string | symbol> = []) {
    this.#ignored = new Set(ignoreEvents.filter((event): event is string => typeof event === 'string'))
  }

  #record(target: EventTarget): TargetRecord | undefined {
    const own = Object.prototype.hasOwnProperty.call(target, RECORD) ? ((target as unknown as Record<symbol, Recorded>)[RECORD]) : this.#fallback.get(target)
    return own !== undefined && own.run === this.#run ? own : undefined
  }

  #keep(target: EventTarget, record: TargetRecord): void {
    const recorded: Recorded = Object.assign(record, { run: this.#run })
    try {
      Object.defineProperty(target, RECORD, { value: recorded, configurable: true, enumerable: false, writable: false })
    } catch {
      this.#fallback.set(target, recorded)
    }
  }

  /** Wraps addEventListener / removeEventListener. */
  start(): void {
    if (this.#original || typeof EventTarget !== 'function') return
    const proto = EventTarget.prototype
    this.#original = { add: proto.addEventListener, remove: proto.removeEventListener }
    this.#wrap(proto, this.#original)
    // Window is a [Global] interface: Chromium puts its operations, addEventListener included, on the
    // window object itself, where the prototype's wrapper would never see them.
    const global = globalThis as unknown as EventTarget
    if (Object.prototype.hasOwnProperty.call(global, 'addEventListener') && Object.prototype.hasOwnProperty.call(global, 'removeEventListener')) {
      this.#globalOriginal = { add: global.addEventListener, remove: global.removeEventListener }
      this.#wrap(global, this.#globalOriginal)
    }
  }

  #wrap(holder: EventTarget, original: { add: Add; remove: Remove }): void {
    const { add, remove } = original
    const tracker = this
    holder.addEventListener = function addEventListener(this: EventTarget, type, listener, options) {
      add.call(this, type, listener, options)
      if (listener !== null && listener !== undefined && (typeof listener === 'function' || typeof listener === 'object')) {
        tracker.#added(this ?? globalThis, String(type), listener, options)
      }
    } as Add
    holder.removeEventListener = function removeEventListener(this: EventTarget, type, listener, options) {
      remove.call(this, type, listener, options)
      if (listener !== null && listener !== undefined) tracker.#removed(this ?? globalThis, String(type), listener, captureOf(options))
    } as Remove
  }

  /** Restores the originals and forgets every entry. */
  stop(): void {
    if (!this.#original) return
    EventTarget.prototype.addEventListener = this.#original.add
    EventTarget.prototype.removeEventListener = this.#original.remove
    this.#original = undefined
    for (const target of [globalThis, (globalThis as { document?: unknown }).document]) {
      if (target !== null && typeof target === 'object' && Object.prototype.hasOwnProperty.call(target, RECORD)) Reflect.deleteProperty(target, RECORD)
    }
    this.#fallback = new WeakMap()
    this.#run = {}
    this.#sited.clear()
    for (const type of Object.keys(this.#counts)) delete this.#counts[type]
    if (this.#globalOriginal) {
      const global = globalThis as unknown as EventTarget
      global.addEventListener = this.#globalOriginal.add
      global.removeEventListener = this.#globalOriginal.remove
      this.#globalOriginal = undefined
    }
  }

  /** Keeps the add-site stack of every listener added from now on (the diagnosis). */
  recordSites(on: boolean): void {
    this.#recordSites = on
  }

  /**
   * Live counts by `<type> on <target>` (`resize on window`), of listeners added since start and still registered on targets that
   * GC has not collected. A target's listeners are subtracted by a FinalizationRegistry callback, a
   * task after the GC that collected it: read after letting the page's event loop turn.
   */
  read(): Record<string, number> {
    const counts: Record<string, number> = {}
    for (const [type, count] of Object.entries(this.#counts)) if (count !== 0) counts[type] = count
    return counts
  }

  /** Listeners added while sites were recorded and still registered, grouped by type, target and site. */
  sites(): Array<{ type: string; target: string; count: number; stack: string }> {
    const groups = new Map<string, { type: string; target: string; count: number; stack: string }>()
    for (const ref of this.#sited) {
      const target = ref.deref()
      const record = target === undefined ? undefined : this.#record(target)
      if (target === undefined || record === undefined) continue
      const name = record.label
      for (const entry of record.entries) {
        if (entry.stack === undefined) continue
        const key = `${entry.type}\u0000${name}\u0000${entry.stack}`
        const group = groups.get(key)
        if (group) group.count++
        else groups.set(key, { type: entry.type, target: name, count: 1, stack: entry.stack })
      }
    }
    return [...groups.values()].sort((a, b) => b.count - a.count)
  }

  /** Listeners of ignored event types that were added and not removed. */
  ignoredCount(): number {
    return this.#ignoredCount
  }

  #added(target: EventTarget, type: string, listener: object, options: boolean | AddOptions | undefined): void {
    const once = typeof options === 'object' && options?.once === true
    if (once) return
    const signal = typeof options === 'object' ? options?.signal : undefined
    if (signal?.aborted === true) return
    const capture = captureOf(options)
    let record = this.#record(target)
    // The same (type, listener, capture) twice is one listener (the DOM ignores the second add).
    if (record?.entries.some((entry) => entry.type === type && entry.capture === capture && entry.listener === listener)) return
    if (this.#ignored.has(type)) {
      this.#ignoredCount++
      return
    }
    if (!record) {
      record = { entries: [], counts: {}, label: describeTarget(target) }
      this.#keep(target, record)
      this.#finalizer.register(target, record.counts)
      if (this.#recordSites) this.#sited.add(new WeakRef(target))
    }
    const entry: Entry = { type, listener, capture, ...(this.#recordSites ? { stack: new Error().stack ?? '' } : {}) }
    record.entries.push(entry)
    const key = `${type} on ${record.label}`
    record.counts[key] = (record.counts[key] ?? 0) + 1
    this.#counts[key] = (this.#counts[key] ?? 0) + 1
    if (signal && this.#original) {
      const weakTarget = new WeakRef(target)
      this.#original.add.call(signal, 'abort', () => {
        const live = weakTarget.deref()
        if (live) this.#removed(live, type, listener, capture)
      }, { once: true })
    }
  }

  #removed(target: EventTarget, type: string, listener: object, capture: boolean): void {
    const record = this.#record(target)
    if (!record) return
    const index = record.entries.findIndex((entry) => entry.type === type && entry.capture === capture && entry.listener === listener)
    if (index === -1) return
    record.entries.splice(index, 1)
    const key = `${type} on ${record.label}`
    record.counts[key] = (record.counts[key] ?? 0) - 1
    this.#counts[key] = (this.#counts[key] ?? 0) - 1
  }
}
