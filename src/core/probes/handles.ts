/**
 * Active handles and requests by type, from `process.getActiveResourcesInfo()`.
 *
 * The list is process- (or thread-) wide and includes the test runner's own resources, so only
 * differences against the baseline reading mean anything. Unref'd resources are not listed.
 */
import type { CountProbe } from './probe.js'

/** Creates the active-handles probe. */
export function createHandlesProbe(): CountProbe {
  return {
    name: 'handles',
    label: 'active handles',
    read() {
      const counts: Record<string, number> = {}
      for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1
      return counts
    },
  }
}
