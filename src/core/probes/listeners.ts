/**
 * Live listeners by event name: listeners added while the check runs, net of removals, on
 * EventEmitters and EventTargets (AbortSignal included) that are still alive after GC.
 *
 * While a check runs, `EventEmitter.prototype.{on, addListener, prependListener, once,
 * prependOnceListener, off, removeListener, removeAllListeners}` and
 * `EventTarget.prototype.{addEventListener, removeEventListener}` are wrapped so that the probe learns
 * which targets and event names the code touches; they are restored exactly when the check ends
 * (also when it fails). The counts themselves are read from the targets (`listenerCount`,
 * `getEventListeners`), so `once` wrappers, `{ once: true }`, `removeAllListeners()` and aborted
 * signals are accounted for by Node itself.
 *
 * Targets are held weakly (a `WeakMap` to find a target's record, `WeakRef`s to enumerate them), so
 * listeners on targets that were collected do not count. A target gets a record only when listeners
 * are added to it after a full GC that it survived; until then it only carries a non-enumerable
 * symbol stamp, so per-call temporary emitters and signals cost no memory of the probe's (which would
 * otherwise grow with the round size and read as heap growth). A target's baseline for an event is its count
 * at the first reading after the event was first touched: listeners that an object sets up on itself
 * when it is created (a socket listening to its own `end`) are part of that object, not a listener
 * leak — if the object leaks, the handle, fd or heap signal says so.
 *
 * No stack is captured while the verdict is measured; {@link ListenerTracker} with `captureStacks`
 * is the diagnosis mode that records add sites.
 */
import { EventEmitter, getEventListeners } from 'node:events'
import { performance as nodePerformance } from 'node:perf_hooks'
import { domListenerReader, domTargetLabel, findDomRealm, type DomListenerReader, type DomRealm } from './dom-realm.js'
import { IgnoredTally } from './ignored.js'
import type { CountProbe } from './probe.js'

type EventName = string | symbol

const EE_ADD = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'] as const
const EE_REMOVE = ['off', 'removeListener', 'removeAllListeners'] as const
const ET_ADD = ['addEventListener'] as const
const ET_REMOVE = ['removeEventListener'] as const

/**
 * Node's own `EventTarget.prototype` (that of `AbortSignal`, `MessagePort`, `performance`). Not the
 * global `EventTarget`: a DOM environment replaces that one with its own class (Vitest and Jest with
 * jsdom or happy-dom), whose listeners `getEventListeners` cannot read.
 */
function nodeEventTargetPrototype(): object {
  for (let proto = Object.getPrototypeOf(nodePerformance); proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (Object.hasOwn(proto, 'addEventListener') && Object.hasOwn(proto, 'dispatchEvent')) return proto as object
  }
  return EventTarget.prototype
}

const listenerCount = EventEmitter.prototype.listenerCount
const rawListeners = EventEmitter.prototype.rawListeners

/** Baseline not taken yet: the next reading takes it. */
const PENDING = -1

/** The GC epoch in which a target was first seen to get a listener (see `#firstTouch`). */
const SEEN = Symbol('leakspec.listenersSeen')

/** The name an event is reported under (`listeners:<name>`). */
export function eventKey(event: EventName): string {
  return typeof event === 'symbol' ? event.toString() : String(event)
}

interface AddSite {
  readonly listener: unknown
  readonly stack: string
}

interface TargetRecord {
  readonly ref: WeakRef<object>
  /** `dom`: an EventTarget of a DOM environment (jsdom, happy-dom), read through `read`. */
  readonly kind: 'emitter' | 'target' | 'dom'
  /** DOM targets: the label the keys carry (`window`, `<div>`), and how to read its listeners. */
  readonly label?: string
  readonly read?: DomListenerReader
  /** Event → baseline count (or PENDING). */
  readonly events: Map<EventName, number>
  /** Add sites by event (diagnosis mode only). */
  sites?: Map<EventName, AddSite[]>
}

/** A listener still registered at the end of a diagnosis, with where it was added. */
export interface ListenerAddSite {
  /** Event name as reported (`data`, `abort`, `Symbol(x)`). */
  readonly event: string
  /** `Error().stack` text captured when the listener was added. */
  readonly stack: string
}

/** Options of {@link ListenerTracker}. */
export interface ListenerTrackerOptions {
  /** Record the add site (a stack) of every listener: diagnosis only, it is slow. @default false */
  readonly captureStacks?: boolean
  /** Event names not to count. @default [] */
  readonly ignoreEvents?: readonly EventName[]
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

/**
 * The key a target's event is counted under: the event name for Node's emitters and targets,
 * `<event> on <target>` for DOM targets (`resize on window`, `click on <button>`).
 */
function keyOf(record: TargetRecord, event: EventName): string {
  return record.kind === 'dom' ? `${eventKey(event)} on ${record.label}` : eventKey(event)
}

function countOf(record: TargetRecord, target: object, event: EventName): number {
  try {
    if (record.kind === 'dom') return typeof event === 'string' ? record.read!(target, event).length : 0
    if (record.kind === 'emitter') return listenerCount.call(target as EventEmitter, event)
    return getEventListeners(target as EventTarget, event as string).length
  } catch {
    return 0
  }
}

function stillRegistered(record: TargetRecord, target: object, event: EventName, listener: unknown): boolean {
  try {
    const list: unknown[] =
      record.kind === 'dom'
        ? typeof event === 'string'
          ? record.read!(target, event)
          : []
        : record.kind === 'emitter'
        ? rawListeners.call(target as EventEmitter, event)
        : getEventListeners(target as EventTarget, event as string)
    return list.some(
      (entry) => entry === listener || (isObject(entry) && (entry as { listener?: unknown }).listener === listener),
    )
  } catch {
    return false
  }
}

/**
 * Watches listener additions and removals while started. One tracker at a time may be started.
 */
export class ListenerTracker {
  readonly #captureStacks: boolean
  readonly #ignored: ReadonlySet<string>
  readonly #tally = new IgnoredTally('ignoreEvents')
  #byTarget = new WeakMap<object, TargetRecord>()
  #records: TargetRecord[] = []
  #restore: Array<() => void> = []
  #active = false
  #realm: DomRealm | undefined
  /** Cleared by any full GC: the records of collected targets can then be swept. */
  #gcSentinel = new WeakRef<object>({})
  /** Full GCs seen (through the sentinel) since the tracker was created. */
  #epoch = 0

  constructor(options: ListenerTrackerOptions = {}) {
    this.#captureStacks = options.captureStacks ?? false
    this.#ignored = new Set((options.ignoreEvents ?? []).map(eventKey))
  }

  /** Installs the wrappers. */
  start(): void {
    if (this.#active) return
    this.#active = true
    this.#patch(EventEmitter.prototype, EE_ADD, 'emitter', true)
    this.#patch(EventEmitter.prototype, EE_REMOVE, 'emitter', false)
    const nodeTarget = nodeEventTargetPrototype()
    this.#patch(nodeTarget, ET_ADD, 'target', true)
    this.#patch(nodeTarget, ET_REMOVE, 'target', false)
    // A DOM environment's own EventTarget classes (jsdom, happy-dom), and the window's methods that
    // Vitest binds onto Node's global (they never look up a prototype).
    this.#realm = findDomRealm([nodeTarget])
    if (this.#realm !== undefined) {
      for (const proto of this.#realm.eventTargetPrototypes) {
        this.#patch(proto, ET_ADD, 'dom', true)
        this.#patch(proto, ET_REMOVE, 'dom', false)
      }
      for (const holder of this.#realm.ownListenerHolders) {
        this.#patchOwn(holder, 'addEventListener', true)
        this.#patchOwn(holder, 'removeEventListener', false)
      }
    }
  }

  /** Restores the original methods (exactly the descriptors that were there). */
  stop(): void {
    this.#active = false
    for (const restore of this.#restore.splice(0).reverse()) restore()
  }

  /** Net listeners added since each touched event's baseline, by event key, on live targets. */
  counts(): Record<string, number> {
    const counts: Record<string, number> = {}
    const skipped: Record<string, number> = {}
    this.#sweep()
    for (const record of this.#records) {
      const target = record.ref.deref()
      if (target === undefined) continue
      for (const [event, base] of record.events) {
        const current = countOf(record, target, event)
        if (base === PENDING) {
          record.events.set(event, current)
          continue
        }
        const key = keyOf(record, event)
        const net = current - base
        if (this.#ignored.has(key) || this.#ignored.has(eventKey(event))) skipped[key] = (skipped[key] ?? 0) + net
        else counts[key] = (counts[key] ?? 0) + net
      }
    }
    this.#tally.observe(skipped)
    return counts
  }

  /** Items kept out of the counts by `ignoreEvents` (growth since the first reading). */
  ignored(): Record<string, number> {
    return this.#tally.growth()
  }

  /**
   * Diagnosis mode: the add sites of listeners that are still registered on live targets, for the
   * given event keys (all when omitted).
   */
  addSites(eventKeys?: ReadonlySet<string>): ListenerAddSite[] {
    const sites: ListenerAddSite[] = []
    for (const record of this.#records) {
      const target = record.ref.deref()
      if (target === undefined || record.sites === undefined) continue
      for (const [event, list] of record.sites) {
        const key = keyOf(record, event)
        if (eventKeys !== undefined && !eventKeys.has(key)) continue
        for (const site of list) {
          if (stillRegistered(record, target, event, site.listener)) sites.push({ event: key, stack: site.stack })
        }
      }
    }
    return sites
  }

  #patch(proto: object, names: readonly string[], kind: TargetRecord['kind'], adds: boolean): void {
    for (const name of names) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, name)
      if (descriptor === undefined || typeof descriptor.value !== 'function') continue
      const original = descriptor.value as (...args: unknown[]) => unknown
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const tracker = this
      const wrapper = function (this: unknown): unknown {
        if (tracker.#active && isObject(this) && arguments.length > 0) {
          tracker.#touch(this, arguments[0] as EventName, kind, adds, adds ? arguments[1] : undefined)
        }
        // eslint-disable-next-line prefer-rest-params
        return Reflect.apply(original, this, arguments)
      }
      Object.defineProperty(wrapper, 'name', { value: original.name })
      Object.defineProperty(wrapper, 'length', { value: original.length })
      Object.defineProperty(proto, name, { ...descriptor, value: wrapper })
      this.#restore.push(() => {
        const current = Object.getOwnPropertyDescriptor(proto, name)
        // Someone wrapped it on top of us: leave theirs in place (ours passes through when inactive).
        if (current?.value === wrapper) Object.defineProperty(proto, name, descriptor)
      })
    }
  }

  /**
   * Wraps an own `addEventListener` / `removeEventListener` of a global object: Vitest defines the
   * window's methods on Node's global, bound to the real window (an accessor), and jsdom's window
   * owns them. Calls on the global itself count for the real window.
   */
  #patchOwn(holder: object, name: string, adds: boolean): void {
    const descriptor = Object.getOwnPropertyDescriptor(holder, name)
    if (descriptor === undefined || descriptor.configurable !== true) return
    const current = (): unknown => (descriptor.get !== undefined ? descriptor.get.call(holder) : descriptor.value)
    if (typeof current() !== 'function') return
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const tracker = this
    const realm = this.#realm!
    const wrapper = function (this: unknown): unknown {
      const original = current() as (...args: unknown[]) => unknown
      if (tracker.#active && arguments.length > 0) {
        const target = this === undefined || this === null || this === globalThis ? realm.window : this
        if (isObject(target)) tracker.#touch(target, arguments[0] as EventName, 'dom', adds, adds ? arguments[1] : undefined)
      }
      // eslint-disable-next-line prefer-rest-params
      return Reflect.apply(original, this, arguments)
    }
    Object.defineProperty(wrapper, 'name', { value: name })
    Object.defineProperty(holder, name, { configurable: true, enumerable: descriptor.enumerable ?? false, writable: true, value: wrapper })
    this.#restore.push(() => {
      const now = Object.getOwnPropertyDescriptor(holder, name)
      if (now?.value === wrapper) Object.defineProperty(holder, name, descriptor)
    })
  }

  #touch(target: object, event: EventName, kind: TargetRecord['kind'], adds: boolean, listener: unknown): void {
    if (typeof event !== 'string' && typeof event !== 'symbol') return
    let record = this.#byTarget.get(target)
    if (record === undefined) {
      // A removal on a target never added to cannot make its count grow: not worth a record.
      if (!adds) return
      if (this.#gcSentinel.deref() === undefined) {
        this.#epoch++
        this.#sweep()
      }
      if (!this.#captureStacks && this.#firstTouch(target)) return
      if (kind === 'dom') {
        const read = domListenerReader(target)
        // An EventTarget whose listeners leakspec cannot read is not counted (never guessed).
        if (read === undefined) return
        record = { ref: new WeakRef(target), kind, events: new Map(), label: domTargetLabel(target, this.#realm), read }
      } else {
        record = { ref: new WeakRef(target), kind, events: new Map() }
      }
      this.#byTarget.set(target, record)
      this.#records.push(record)
    }
    if (!record.events.has(event)) record.events.set(event, PENDING)
    if (this.#captureStacks && adds && listener !== undefined) {
      record.sites ??= new Map()
      let list = record.sites.get(event)
      if (list === undefined) record.sites.set(event, (list = []))
      list.push({ listener, stack: new Error('listener added').stack ?? '' })
    }
  }

  /**
   * Whether this add is the target's first one in the current GC epoch, so that it needs no record
   * yet. A target gets a record only when listeners are added to it again after a full GC: targets that
   * live for one call (an emitter or AbortSignal per call) then cost no memory of ours, which would
   * otherwise grow with the round size and read as heap growth. The epoch is stamped on the target
   * (a non-enumerable symbol property that dies with it); a target that cannot take it (frozen, a
   * Proxy that refuses) gets a record at once.
   */
  #firstTouch(target: object): boolean {
    const stamp = (target as Record<symbol, unknown>)[SEEN]
    if (stamp === this.#epoch) return true
    if (typeof stamp === 'number') return false
    try {
      return Reflect.defineProperty(target, SEEN, { value: this.#epoch, writable: true, configurable: true })
    } catch {
      return false
    }
  }

  #sweep(): void {
    // Both containers are rebuilt rather than trimmed: a WeakMap keeps the capacity it grew to when a
    // round's temporary targets were all alive at once (they are kept until the job ends), and that
    // capacity would read as heap growing with the round size.
    const records: TargetRecord[] = []
    const byTarget = new WeakMap<object, TargetRecord>()
    for (const record of this.#records) {
      const target = record.ref.deref()
      if (target === undefined) continue
      records.push(record)
      byTarget.set(target, record)
    }
    this.#records = records
    this.#byTarget = byTarget
    this.#gcSentinel = new WeakRef<object>({})
  }
}

/** Options of {@link createListenersProbe}. */
export interface ListenersProbeOptions {
  /** Event names not to count (`data`, `abort`, …). @default [] */
  readonly ignoreEvents?: readonly EventName[]
}

/** Creates the listeners probe (keys `listeners:<event>`). */
export function createListenersProbe(options: ListenersProbeOptions = {}): CountProbe {
  const tracker = new ListenerTracker({ ignoreEvents: options.ignoreEvents ?? [] })
  return {
    name: 'listeners',
    label: 'live listeners',
    start: () => tracker.start(),
    read: () => tracker.counts(),
    ignored: () => tracker.ignored(),
    stop: () => tracker.stop(),
  }
}
