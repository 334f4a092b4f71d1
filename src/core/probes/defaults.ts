/**
 * The count probes a check runs, chosen from the options: handles (async_hooks and
 * `getActiveResourcesInfo()`), open file descriptors, live listeners and, in a DOM environment,
 * the DOM signals (detached nodes, nodes in the document, observers, animation frames). Probes that cannot measure
 * on this platform are left out and named in `unavailable`.
 */
import type { ResolvedLeakOptions } from '../options.js'
import { createDomProbe } from './dom.js'
import { findDomRealm } from './dom-realm.js'
import { createFdsProbe } from './fds.js'
import { createInstancesProbe } from './instances.js'
import { createListenersProbe } from './listeners.js'
import type { CountProbe } from './probe.js'
import { createResourcesProbe } from './resources.js'

/** The probes to run, and the reasons of those that cannot run here (probe name → reason). */
export interface SignalProbes {
  readonly probes: CountProbe[]
  readonly unavailable: Record<string, string>
}

/** Creates the resource probes the options switch on. */
export function createSignalProbes(options: ResolvedLeakOptions): SignalProbes {
  const candidates: CountProbe[] = []
  if (options.handles) {
    candidates.push(createResourcesProbe({ asyncHooks: options.asyncHooks, ignoreTypes: options.ignoreTypes }))
  }
  if (options.fds) candidates.push(createFdsProbe({ ignoreTypes: options.ignoreTypes }))
  if (options.listeners) candidates.push(createListenersProbe({ ignoreEvents: options.ignoreEvents }))
  if (options.instancesOf.length > 0) candidates.push(createInstancesProbe(options.instancesOf))
  if (options.dom) {
    // Only in a DOM environment (jsdom, happy-dom): detached nodes, nodes in the document, observers, frames.
    const realm = findDomRealm()
    if (realm !== undefined) candidates.push(createDomProbe(realm))
  }
  const probes: CountProbe[] = []
  const unavailable: Record<string, string> = {}
  for (const probe of candidates) {
    if (probe.unavailable === undefined) probes.push(probe)
    else unavailable[probe.name] = probe.unavailable
  }
  return { probes, unavailable }
}

/** Items ignored by rules, merged over the probes (`<rule>: <name>` → count). */
export function collectIgnored(probes: readonly CountProbe[]): Record<string, number> {
  const merged: Record<string, number> = {}
  for (const probe of probes) {
    for (const [rule, count] of Object.entries(probe.ignored?.() ?? {})) {
      const key = `${rule} (${probe.name})`
      merged[key] = (merged[key] ?? 0) + count
    }
  }
  return merged
}
