/**
 * The DOM of the running test, when there is one: jsdom or happy-dom, in Vitest (`environment:
 * 'jsdom' | 'happy-dom'`) or Jest (`testEnvironment: 'jsdom'`). Found afresh when a check starts.
 *
 * These environments implement their own `EventTarget`, `Node` and observer classes, not Node's:
 * - in Jest, the test's global object *is* the jsdom window, and its classes are the window's;
 * - in Vitest, the window's properties are copied onto Node's global as getters, and its functions
 *   (`addEventListener` among them) are bound to the real window: `window.addEventListener(...)`
 *   never looks up `EventTarget.prototype`, and the listener lands on the real window, which
 *   `document.defaultView`'s own getter (on `Document.prototype`) still returns.
 *
 * Listener counts are read from the environment's own storage, so `{ once: true }`, `signal` and
 * `removeEventListener` are accounted for by the environment itself:
 * - happy-dom: the `Symbol(listeners)` property of a target (`{ bubbling: Map, capturing: Map }`);
 * - jsdom up to 26: the `Symbol(impl)` property of a wrapper, whose `_eventListeners` holds them;
 * - jsdom 27 and later keep the implementation in a private field: its own `implForWrapper` (from
 *   the loaded `generated/utils.js` module) finds it.
 */
import * as nodeModule from 'node:module'

/** What leakspec found of the DOM environment of the running test. */
export interface DomRealm {
  /** Which implementation it is (`dom` when neither jsdom nor happy-dom is recognised). */
  readonly flavor: 'jsdom' | 'happy-dom' | 'dom'
  /** The window that holds `window.addEventListener` listeners (not always `globalThis`: see above). */
  readonly window: object
  /** `globalThis.document`. */
  readonly document: object
  /** Prototypes of the environment that define `addEventListener` (Node's own EventTarget left out). */
  readonly eventTargetPrototypes: readonly object[]
  /** Objects with an own `addEventListener` property (a bound copy or a window method) to wrap as well. */
  readonly ownListenerHolders: readonly object[]
  /** The environment's `Node` class, when it has one. */
  readonly Node: (abstract new (...args: never[]) => object) | undefined
}

/** The listeners of one event type on a DOM target, as the code added them (functions or objects). */
export type DomListenerReader = (target: object, type: string) => unknown[]

function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

function safeGet(target: object, key: PropertyKey): unknown {
  try {
    return (target as Record<PropertyKey, unknown>)[key]
  } catch {
    return undefined
  }
}

/** The real window behind `document`: `defaultView`'s getter from the document's prototype chain. */
function realWindow(document: object): object | undefined {
  for (let proto = Object.getPrototypeOf(document); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'defaultView')
    if (descriptor?.get === undefined) continue
    try {
      const view = descriptor.get.call(document) as unknown
      return isObject(view) ? view : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

/** Every prototype on `object`'s chain that owns an `addEventListener` function. */
function listenerPrototypes(object: unknown, into: Set<object>): void {
  if (!isObject(object)) return
  for (let proto = Object.getPrototypeOf(object); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, 'addEventListener')
    if (descriptor !== undefined && typeof descriptor.value === 'function') into.add(proto)
  }
}

/**
 * The DOM environment of the running test, or `undefined` outside one (plain Node, or a DOM that
 * has no `document.createElement`).
 * @param exclude prototypes already watched some other way (Node's `EventTarget.prototype`)
 */
export function findDomRealm(exclude: readonly object[] = []): DomRealm | undefined {
  const global = globalThis as Record<string, unknown>
  const document = safeGet(global, 'document')
  if (!isObject(document) || typeof safeGet(document, 'createElement') !== 'function') return undefined
  const window = realWindow(document) ?? (isObject(global['window']) ? (global['window'] as object) : globalThis)
  const protos = new Set<object>()
  listenerPrototypes(window, protos)
  listenerPrototypes(document, protos)
  try {
    const create = (document as { createElement(name: string): unknown }).createElement
    listenerPrototypes(create.call(document, 'div'), protos)
  } catch {
    // a document that cannot create elements here: the window's and document's chains are enough
  }
  for (const name of ['EventTarget', 'AbortController', 'XMLHttpRequest', 'MediaQueryList', 'BroadcastChannel', 'Worker', 'WebSocket']) {
    const ctor = safeGet(window, name) ?? safeGet(global, name)
    if (typeof ctor === 'function' && isObject((ctor as { prototype?: unknown }).prototype)) {
      listenerPrototypes(Object.create((ctor as { prototype: object }).prototype), protos)
    }
  }
  try {
    const AC = (safeGet(window, 'AbortController') ?? safeGet(global, 'AbortController')) as (new () => { signal: object }) | undefined
    if (typeof AC === 'function') listenerPrototypes(new AC().signal, protos)
  } catch {
    // no usable AbortController
  }
  for (const proto of exclude) protos.delete(proto)
  const holders: object[] = []
  for (const holder of new Set<object>([globalThis, window])) {
    if (Object.getOwnPropertyDescriptor(holder, 'addEventListener') !== undefined) holders.push(holder)
  }
  const NodeClass = safeGet(window, 'Node') ?? safeGet(global, 'Node')
  const flavor = isHappyDom(window) ? 'happy-dom' : jsdomUtils().length > 0 || symbolNamed(document, 'impl') !== undefined ? 'jsdom' : 'dom'
  return {
    flavor,
    window,
    document,
    eventTargetPrototypes: [...protos],
    ownListenerHolders: holders,
    Node: typeof NodeClass === 'function' ? (NodeClass as DomRealm['Node']) : undefined,
  }
}

function symbolNamed(target: object, description: string): symbol | undefined {
  try {
    return Object.getOwnPropertySymbols(target).find((symbol) => symbol.description === description)
  } catch {
    return undefined
  }
}

function isHappyDom(window: object): boolean {
  const listeners = symbolNamed(window, 'listeners')
  return listeners !== undefined && isObject(safeGet(safeGet(window, listeners) as object, 'bubbling'))
}

interface JsdomUtils {
  implForWrapper(wrapper: unknown): unknown
}

let utilsCache: { keys: number; found: JsdomUtils[] } | undefined

/** jsdom's `generated/utils.js` modules loaded in this process (one per copy of jsdom). */
function jsdomUtils(): JsdomUtils[] {
  const cache = (nodeModule as unknown as { default?: { _cache?: Record<string, { exports?: unknown }> }; _cache?: Record<string, { exports?: unknown }> })
  const modules = cache._cache ?? cache.default?._cache
  if (modules === undefined) return []
  const keys = Object.keys(modules)
  if (utilsCache?.keys === keys.length) return utilsCache.found
  const found: JsdomUtils[] = []
  for (const key of keys) {
    if (!/[\\/]jsdom[\\/]lib[\\/](?:jsdom[\\/]living[\\/]generated|generated[\\/]idl)[\\/]utils\.js$/.test(key)) continue
    const exports = modules[key]?.exports as Partial<JsdomUtils> | undefined
    if (typeof exports?.implForWrapper === 'function') found.push(exports as JsdomUtils)
  }
  utilsCache = { keys: keys.length, found }
  return found
}

/** The user's listener behind one of jsdom's entries (`{ callback, options }`, the callback a wrapper). */
function jsdomUserListener(entry: unknown): unknown {
  const callback = isObject(entry) ? safeGet(entry, 'callback') : undefined
  if (!isObject(callback)) return callback
  const wrapped = symbolNamed(callback, 'wrapper')
  return wrapped === undefined ? callback : safeGet(callback, wrapped)
}

function jsdomListeners(impl: unknown, type: string): unknown[] {
  const table = isObject(impl) ? (safeGet(impl, '_eventListeners') as Record<string, unknown[]> | null | undefined) : undefined
  const list = table?.[type]
  return Array.isArray(list) ? list.map(jsdomUserListener) : []
}

/**
 * How to read the listeners of an event type on a DOM target, or `undefined` when the target's
 * implementation is not one leakspec can read (the target is then not counted, never guessed).
 */
export function domListenerReader(target: object): DomListenerReader | undefined {
  const happy = symbolNamed(target, 'listeners')
  if (happy !== undefined) {
    const table = safeGet(target, happy) as { bubbling?: unknown; capturing?: unknown } | undefined
    if (isObject(table) && isObject(table.bubbling) && typeof (table.bubbling as Map<string, unknown[]>).get === 'function') {
      return (object, type) => {
        const own = safeGet(object, happy) as { bubbling: Map<string, unknown[]>; capturing: Map<string, unknown[]> }
        return [...(own.bubbling.get(type) ?? []), ...(own.capturing.get(type) ?? [])]
      }
    }
  }
  const impl = symbolNamed(target, 'impl')
  if (impl !== undefined && isObject(safeGet(target, impl))) {
    return (object, type) => jsdomListeners(safeGet(object, impl), type)
  }
  for (const utils of jsdomUtils()) {
    let found: unknown
    try {
      found = utils.implForWrapper(target)
    } catch {
      continue
    }
    if (isObject(found) && '_eventListeners' in found) return (object, type) => jsdomListeners(utils.implForWrapper(object), type)
  }
  return undefined
}

/**
 * A short name for a DOM event target, used in signal keys: `window`, `document`, `<div>`, or the
 * interface name (`AbortSignal`, `MediaQueryList`, `ShadowRoot`).
 */
export function domTargetLabel(target: object, realm: DomRealm | undefined): string {
  if (target === globalThis || target === realm?.window) return 'window'
  const nodeType = safeGet(target, 'nodeType')
  if (nodeType === 9) return 'document'
  if (nodeType === 1) {
    const name = safeGet(target, 'localName')
    if (typeof name === 'string' && name !== '') return `<${name}>`
  }
  const tag = Object.prototype.toString.call(target).slice(8, -1)
  const ctor = safeGet(target, 'constructor')
  const name = typeof ctor === 'function' && ctor.name !== '' ? ctor.name : tag
  return name === 'Object' || name === '' ? 'EventTarget' : name
}
