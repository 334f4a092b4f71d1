/** A bounded LRU cache of capacity 100, filling up from empty with always-new keys. */
import { createLru } from './lru.mjs'

export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'bounded LRU (capacity 100) warming up: a new key per call, oldest evicted once full'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const cache = createLru(100)
  let n = 0
  return () => {
    const key = `k${n++}`
    return cache.get(key) ?? cache.set(key, { key, value: n * 2 })
  }
}
