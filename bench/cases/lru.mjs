/**
 * A minimal LRU cache on a Map (insertion order = recency), used by the LRU cases.
 * Not a case itself.
 * @param {number} capacity maximum number of entries
 */
export function createLru(capacity) {
  const map = new Map()
  return {
    get(key) {
      const value = map.get(key)
      if (value === undefined) return undefined
      map.delete(key)
      map.set(key, value)
      return value
    },
    set(key, value) {
      map.delete(key)
      map.set(key, value)
      if (map.size > capacity) map.delete(map.keys().next().value)
      return value
    },
    get size() {
      return map.size
    },
  }
}
