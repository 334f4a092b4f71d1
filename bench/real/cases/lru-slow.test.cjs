// lru-cache: a memoized slow lookup (>= 50 ms per call: a 50 ms wait plus a small hash), every call
// a new key, so the cache fills to its bound of 100 entries and then evicts one per call.
const { createHash } = require('node:crypto')
const { setTimeout: sleep } = require('node:timers/promises')
const { LRUCache } = require('lru-cache')
const { retain } = require('./_shared.cjs')

const cache = new LRUCache({ max: 100 })

async function slowLookup(key) {
  await sleep(50)
  return { key, digest: createHash('sha256').update(`item ${key}`).digest('hex') }
}

async function memoized(key) {
  const hit = cache.get(key)
  if (hit) return hit
  const value = await slowLookup(key)
  cache.set(key, value)
  return value
}

let n = 0

async function call() {
  const value = await memoized(n++)
  return value.digest.length
}

test('lru-slow: clean', async () => {
  await expect(call).not.toLeak()
})

test('lru-slow: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
