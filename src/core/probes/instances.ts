/**
 * Exact live instance counts of given classes, from `v8.queryObjects(ctor, { format: 'count' })`
 * (Node ≥ 20.13 and ≥ 21.7): the number of objects whose prototype chain contains `ctor.prototype`,
 * counted after a full GC. Opt-in (`instancesOf`), because each read walks the heap (tens of
 * milliseconds at small heaps, more at large ones).
 *
 * Node prints an ExperimentalWarning on the first call; this probe keeps that one warning (and only
 * that one) from reaching the test output.
 */
import * as v8 from 'node:v8'
import type { CountProbe } from './probe.js'

type QueryObjects = (ctor: unknown, options: { format: 'count' }) => number

/** Why `v8.queryObjects` cannot be used here, or `undefined` when it can. */
export function queryObjectsUnavailable(): string | undefined {
  if (typeof (v8 as { queryObjects?: unknown }).queryObjects === 'function') return undefined
  return `v8.queryObjects() needs Node 20.13 or later (this is Node ${process.versions.node})`
}

/** Calls `v8.queryObjects` with Node's ExperimentalWarning about it suppressed. */
function countInstances(ctor: unknown): number {
  const query = (v8 as unknown as { queryObjects: QueryObjects }).queryObjects
  const original = process.emitWarning
  process.emitWarning = function filtered(this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const text = typeof warning === 'string' ? warning : warning.message
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type
    const name = typeof warning === 'string' ? type : warning.name
    if (name === 'ExperimentalWarning' && /queryObjects/.test(text)) return
    ;(original as (...args: unknown[]) => void).call(process, warning, ...rest)
  } as typeof process.emitWarning
  try {
    return query(ctor, { format: 'count' })
  } finally {
    process.emitWarning = original
  }
}

/** The display name of a class, unique within the probe (`Session`, `Session#2`). */
function names(classes: readonly Function[]): string[] {
  const seen = new Map<string, number>()
  return classes.map((ctor) => {
    const base = ctor.name || '(anonymous class)'
    const count = (seen.get(base) ?? 0) + 1
    seen.set(base, count)
    return count === 1 ? base : `${base}#${count}`
  })
}

/**
 * Creates the instance-count probe: one count per class, keys `instances:<ClassName>`.
 * @param classes constructors (classes or functions with a `prototype`)
 */
export function createInstancesProbe(classes: readonly Function[]): CountProbe {
  const unavailable = queryObjectsUnavailable()
  const labels = names(classes)
  return {
    name: 'instances',
    label: 'live instances',
    settles: false,
    ...(unavailable ? { unavailable } : {}),
    read() {
      const counts: Record<string, number> = {}
      classes.forEach((ctor, index) => {
        counts[labels[index]!] = countInstances(ctor)
      })
      return counts
    },
  }
}
