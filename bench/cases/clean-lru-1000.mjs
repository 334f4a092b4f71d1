/** A bounded LRU cache of capacity 1000, filling up from empty with always-new keys. */
import { createLru } from './lru.mjs'

export const truth = 'clean'
export const bytesPerCall = 0
export const about =
  'bounded LRU (capacity 1000) warming up: a new key per call; it fills during the rounds, so early rounds grow'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const cache = createLru(1000)
  let n = 0
  return () => {
    const key = `k${n++}`
    return cache.get(key) ?? cache.set(key, { key, value: n * 2 })
  }
}
