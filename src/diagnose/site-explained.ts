/**
 * When the add or creation sites of a leak are its whole explanation, so that the heap snapshot (seconds
 * at a DOM-sized heap) need not be taken: pure, shared by the DOM environments' diagnosis (Node) and
 * Vitest Browser Mode (the page decides whether to try, the server decides from the sites it mapped).
 * No `node:` modules: the page imports it.
 */
import type { LeakReport } from '../core/report.js'

/**
 * Whether a signal's add or creation site says where the fix goes: a listener on a DOM target
 * (`listeners:resize on window`) or a DOM item (`dom:detached nodes`, observers, frames). A heap leak
 * and a listener on an EventEmitter (`listeners:data`) need the heap snapshot.
 */
export function isSiteExplained(key: string): boolean {
  return (key.startsWith('listeners:') && key.includes(' on ')) || key.startsWith('dom:')
}

/**
 * Whether every leaked signal of `report` is one of {@link isSiteExplained}'s, matched by `sited`
 * (what the environment can record), and its sites were found: at least one group with a user frame
 * among the report's `stacks`.
 */
export function sitesExplainLeak(report: LeakReport & { verdict: 'leak' }, sited: (key: string) => boolean = isSiteExplained): boolean {
  return report.leaks.every(
    (signal) =>
      isSiteExplained(signal.key) &&
      sited(signal.key) &&
      report.stacks?.signals.some((entry) => entry.key === signal.key && entry.groups.some((group) => group.frames.length > 0)) === true,
  )
}

/**
 * Signals whose sites the page of Vitest Browser Mode records: listeners on its EventTargets (the
 * creation sites of DOM nodes are not recorded there yet, so a DOM node leak keeps the heap snapshot).
 */
export function pageSited(key: string): boolean {
  return isSiteExplained(key) && key.startsWith('listeners:')
}
