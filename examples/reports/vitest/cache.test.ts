import { EventEmitter } from 'node:events'
import { describe, expect, test } from 'vitest'
import { lookupBuggy, lookupFixed } from './cache.js'

let n = 0
const bus = new EventEmitter()
bus.setMaxListeners(0)

describe('cache', () => {
  test('buggy lookup keeps every key', async () => {
    await expect(() => lookupBuggy(`user-${n++}`)).not.toLeak()
  })

  test('fixed lookup is bounded', async () => {
    await expect(() => lookupFixed(`user-${n++}`)).not.toLeak()
  })
})

test('subscribing per request leaves a listener behind', async () => {
  await expect(() => bus.on('invalidate', () => {})).not.toLeak()
})

// The whole test (with its hooks) run as a leak check: tagged `leak`.
test('a request cycle, run as a leak check', { tags: ['leak'] }, () => {
  const listener = (): void => {}
  bus.on('invalidate', listener)
  expect(lookupFixed('home').length).toBe(32)
  bus.off('invalidate', listener)
})
