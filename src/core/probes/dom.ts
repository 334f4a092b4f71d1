/**
 * DOM signals in a DOM environment (jsdom, happy-dom): keys `dom:<kind>`.
 *
 * - `detached nodes`: nodes created during the check (`createElement`, `createElementNS`,
 *   `createTextNode`, `createComment`, `createDocumentFragment`, `cloneNode`, `importNode`) that are
 *   still alive after GC and not connected to a document;
 * - `nodes in the document`: nodes connected to the document (a walk of the tree, shadow roots
 *   included): rendering into the page per call without unmounting grows it;
 * - `MutationObserver`, `ResizeObserver`, `IntersectionObserver` (where the environment has them):
 *   observers that `observe()`d during the check, are still alive and were not disconnected;
 * - `animation frames`: `requestAnimationFrame` callbacks still pending (neither run nor cancelled).
 *
 * Cost. Counting live objects exactly (`v8.queryObjects`) took 0.7–1.5 s per read in a jsdom or
 * happy-dom heap (25–45 MB), dozens of times a full GC, so nodes and observers are tracked as they are
 * made instead: for each interval between two readings, the first {@link SAMPLE} items made are held
 * through WeakRefs (the rest only counted), and a reading estimates the live ones as the live
 * fraction of the sample times the items made. The probe's own memory is then bounded (a few kB per
 * interval, dropped when none of its sample is live) and never grows with the number of calls, which
 * would read as heap growth per call. A per-call leak keeps its whole sample live, so its estimate is
 * the exact count; clean code keeps none, so it reads exactly 0.
 */
import type { DomRealm } from './dom-realm.js'
import type { CountProbe } from './probe.js'

/** Items held per interval between two readings. */
export const SAMPLE = 64

interface Interval {
  readonly refs: WeakRef<object>[]
  made: number
}

/** Items made between readings, estimated live from a bounded sample (see the module comment). */
export class SampledCount {
  readonly #live: (item: object) => boolean
  #current: Interval = { refs: [], made: 0 }
  #kept: Interval[] = []

  /** @param live whether an item that is still alive counts (a node: not connected) */
  constructor(live: (item: object) => boolean) {
    this.#live = live
  }

  /** Notes an item made (or activated) now. */
  note(item: object): void {
    const current = this.#current
    current.made++
    if (current.refs.length < SAMPLE) current.refs.push(new WeakRef(item))
  }

  /** Estimated items noted so far that are still alive and live; closes the current interval. */
  read(): number {
    if (this.#current.made > 0) {
      this.#kept.push(this.#current)
      this.#current = { refs: [], made: 0 }
    }
    let total = 0
    const kept: Interval[] = []
    for (const interval of this.#kept) {
      let live = 0
      for (const ref of interval.refs) {
        const item = ref.deref()
        if (item !== undefined && this.#live(item)) live++
      }
      if (live === 0) continue
      kept.push(interval)
      total += (live / interval.refs.length) * interval.made
    }
    this.#kept = kept
    return Math.round(total)
  }
}

const NODE_FACTORIES = ['createElement', 'createElementNS', 'createTextNode', 'createComment', 'createDocumentFragment', 'importNode'] as const
const OBSERVERS = ['MutationObserver', 'ResizeObserver', 'IntersectionObserver'] as const
/** Per observer: how many observe() calls are in force (a number on the observer itself). */
const OBSERVING = Symbol('leakspec.observing')

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

function get(target: object, key: PropertyKey): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key]
  } catch {
    return undefined
  }
}

/** Nodes connected to `root` (itself included), open shadow roots included. */
export function connectedNodes(root: object): number {
  let count = 0
  const stack: object[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()!
    count++
    const shadow = get(node, 'shadowRoot')
    if (isObject(shadow)) stack.push(shadow)
    for (let child = get(node, 'firstChild'); isObject(child); child = get(child, 'nextSibling')) stack.push(child)
  }
  return count
}

type Method = (...args: unknown[]) => unknown

/** Options of {@link createDomProbe}. */
export interface DomProbeOptions {
  /** Record the stack where every node, observer and frame request was made: diagnosis only, slow. @default false */
  readonly captureStacks?: boolean
}

/** A DOM item made while stacks were captured, with where it was made. */
interface Captured {
  readonly kind: 'node' | string
  readonly ref: WeakRef<object>
  readonly stack: string
}

/** The DOM probe, with the diagnosis-mode reading of where the live items were made. */
export interface DomProbe extends CountProbe {
  /**
   * Diagnosis mode: the stacks where the items of a `dom:<kind>` signal that are still live were
   * made (`detached nodes`, `nodes in the document`, an observer class, `animation frames`).
   */
  sites(kind: string): string[]
}

/**
 * Creates the DOM probe for a DOM environment. Its wrappers are installed at `start()` and removed
 * exactly at `stop()`.
 */
export function createDomProbe(realm: DomRealm, options: DomProbeOptions = {}): DomProbe {
  const restore: Array<() => void> = []
  let active = false
  const capture = options.captureStacks === true
  const captured: Captured[] = []
  const remember = (kind: string, item: object): void => {
    if (capture) captured.push({ kind, ref: new WeakRef(item), stack: new Error('made').stack ?? '' })
  }
  const detached = new SampledCount((node) => get(node, 'isConnected') === false)
  const observers = new Map<string, SampledCount>()
  /** Pending animation frame callbacks (their tokens), and the tokens by request id. */
  let frames = new Set<object>()
  let ids = new Map<unknown, object>()
  let framesSeen = false

  /** Wraps `proto[name]` (own data property) with `after(result, this, args)`; restored at stop. */
  const wrap = (holder: object, name: string, make: (original: Method) => Method): void => {
    const descriptor = Object.getOwnPropertyDescriptor(holder, name)
    if (descriptor === undefined || descriptor.configurable !== true) return
    const current = (): unknown => (descriptor.get !== undefined ? descriptor.get.call(holder) : descriptor.value)
    const original = current()
    if (typeof original !== 'function') return
    const wrapper = make(function (this: unknown, ...args: unknown[]): unknown {
      return Reflect.apply(current() as Method, this, args)
    })
    Object.defineProperty(wrapper, 'name', { value: (original as Method).name })
    Object.defineProperty(holder, name, { configurable: true, enumerable: descriptor.enumerable ?? false, writable: true, value: wrapper })
    restore.push(() => {
      if (Object.getOwnPropertyDescriptor(holder, name)?.value === wrapper) Object.defineProperty(holder, name, descriptor)
    })
  }

  /** The prototype on `object`'s chain (itself included) that owns `name`. */
  const owner = (object: unknown, name: string): object | undefined => {
    for (let proto = isObject(object) ? object : null; proto !== null; proto = Object.getPrototypeOf(proto)) {
      if (Object.hasOwn(proto, name)) return proto
    }
    return undefined
  }

  /** Factory calls under way: a factory that calls another (createElement → createElementNS) notes once. */
  let depth = 0
  const factory = (original: Method): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      depth++
      let node: unknown
      try {
        node = Reflect.apply(original, this, args)
      } finally {
        depth--
      }
      if (active && depth === 0 && isObject(node)) {
        detached.note(node)
        remember('node', node)
      }
      return node
    }

  const start = (): void => {
    active = true
    const document = realm.document
    for (const name of NODE_FACTORIES) {
      const proto = owner(document, name)
      if (proto !== undefined) wrap(proto, name, factory)
    }
    const nodeProto = realm.Node?.prototype
    const cloneOwner = owner(nodeProto, 'cloneNode')
    if (cloneOwner !== undefined) wrap(cloneOwner, 'cloneNode', factory)
    for (const name of OBSERVERS) {
      const ctor = get(realm.window, name) ?? get(globalThis, name)
      const proto = typeof ctor === 'function' ? (ctor as { prototype?: unknown }).prototype : undefined
      if (!isObject(proto)) continue
      const count = new SampledCount((observer) => ((get(observer, OBSERVING) as number | undefined) ?? 0) > 0)
      observers.set(name, count)
      const setObserving = (observer: unknown, change: (now: number) => number): void => {
        if (!isObject(observer)) return
        const now = (get(observer, OBSERVING) as number | undefined) ?? 0
        try {
          Reflect.defineProperty(observer, OBSERVING, { value: change(now), writable: true, configurable: true })
        } catch {
          // a frozen observer: it then counts as not observing
        }
      }
      const observeOwner = owner(proto, 'observe')
      if (observeOwner !== undefined) {
        wrap(observeOwner, 'observe', (original) =>
          function (this: unknown, ...args: unknown[]): unknown {
            const result = Reflect.apply(original, this, args)
            if (active && isObject(this)) {
              const before = (get(this, OBSERVING) as number | undefined) ?? 0
              setObserving(this, (now) => now + 1)
              if (before === 0) {
                count.note(this)
                remember(name, this)
              }
            }
            return result
          },
        )
      }
      const unobserveOwner = owner(proto, 'unobserve')
      if (unobserveOwner !== undefined) {
        wrap(unobserveOwner, 'unobserve', (original) =>
          function (this: unknown, ...args: unknown[]): unknown {
            setObserving(this, (now) => Math.max(0, now - 1))
            return Reflect.apply(original, this, args)
          },
        )
      }
      const disconnectOwner = owner(proto, 'disconnect')
      if (disconnectOwner !== undefined) {
        wrap(disconnectOwner, 'disconnect', (original) =>
          function (this: unknown, ...args: unknown[]): unknown {
            setObserving(this, () => 0)
            return Reflect.apply(original, this, args)
          },
        )
      }
    }
    // requestAnimationFrame: an own property of the global (Vitest binds the window's onto Node's
    // global; jsdom's window owns it) or a method of the window's prototype (happy-dom).
    const holders = new Set<object>()
    for (const holder of [globalThis, realm.window]) {
      const found = owner(holder, 'requestAnimationFrame')
      if (found !== undefined) holders.add(found)
    }
    for (const holder of holders) {
      framesSeen = true
      wrap(holder, 'requestAnimationFrame', (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          const callback = args[0]
          if (!active || typeof callback !== 'function') return Reflect.apply(original, this, args)
          const token: { id?: unknown } = {}
          frames.add(token)
          remember('animation frames', token)
          args[0] = function (this: unknown, ...inner: unknown[]): unknown {
            frames.delete(token)
            ids.delete(token.id)
            return Reflect.apply(callback as Method, this, inner)
          }
          const id = Reflect.apply(original, this, args)
          token.id = id
          if (frames.has(token)) ids.set(id, token)
          return id
        },
      )
      wrap(holder, 'cancelAnimationFrame', (original) =>
        function (this: unknown, ...args: unknown[]): unknown {
          const token = ids.get(args[0])
          if (token !== undefined) {
            frames.delete(token)
            ids.delete(args[0])
          }
          return Reflect.apply(original, this, args)
        },
      )
    }
  }
  return {
    name: 'dom',
    label: 'DOM',
    start,
    read() {
      const counts: Record<string, number> = {
        'detached nodes': detached.read(),
        'nodes in the document': connectedNodes(realm.document),
      }
      for (const [name, count] of observers) counts[name] = count.read()
      if (framesSeen) {
        // Rebuilt so that the tables never keep the capacity a round of pending frames gave them.
        frames = new Set(frames)
        ids = new Map(ids)
        counts['animation frames'] = frames.size
      }
      return counts
    },
    stop() {
      active = false
      for (const undo of restore.splice(0).reverse()) undo()
    },
    sites(kind) {
      const stacks: string[] = []
      for (const item of captured) {
        const object = item.ref.deref()
        if (object === undefined) continue
        const connected = get(object, 'isConnected')
        const live =
          kind === 'detached nodes'
            ? item.kind === 'node' && connected === false
            : kind === 'nodes in the document'
              ? item.kind === 'node' && connected === true
              : kind === 'animation frames'
                ? item.kind === kind && frames.has(object)
                : item.kind === kind && ((get(object, OBSERVING) as number | undefined) ?? 0) > 0
        if (live) stacks.push(item.stack)
      }
      return stacks
    },
  }
}
