/**
 * A memoizing lookup, in two versions: one keeps every key it ever saw (a leak when keys are
 * unbounded, such as request ids), the other keeps the last 100.
 */
export function createLookup({ bounded = false } = {}) {
  const cache = new Map()
  return function lookup(key) {
    let value = cache.get(key)
    if (value === undefined) {
      value = { key, computedAt: Date.now() }
      cache.set(key, value)
      if (bounded && cache.size > 100) cache.delete(cache.keys().next().value)
    }
    return value
  }
}
