// A memoizing lookup, twice: the buggy one keeps every result forever, the fixed one is bounded.
const forever = new Map<string, { key: string; value: number[] }>()

/** Buggy: caches every key it ever saw, so a stream of distinct keys grows the heap without end. */
export function lookupBuggy(key: string): number[] {
  let entry = forever.get(key)
  if (!entry) forever.set(key, (entry = { key, value: new Array(32).fill(key.length) }))
  return entry.value
}

const bounded = new Map<string, number[]>()

/** Fixed: at most 64 entries, the oldest evicted first. */
export function lookupFixed(key: string): number[] {
  let value = bounded.get(key)
  if (!value) {
    value = new Array(32).fill(key.length)
    bounded.set(key, value)
    if (bounded.size > 64) bounded.delete(bounded.keys().next().value!)
  }
  return value
}
