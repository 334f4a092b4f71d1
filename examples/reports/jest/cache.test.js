const { EventEmitter } = require('node:events')
const { leakTest } = require('leakspec/jest-environment')
const { lookupBuggy, lookupFixed } = require('./cache.js')

// Forced GCs cost more in a Jest process than in a small one: room for all the rounds.
const options = { timeBudget: 20_000 }
let n = 0
const bus = new EventEmitter()
bus.setMaxListeners(0)

describe('cache', () => {
  test('buggy lookup keeps every key', async () => {
    await expect(() => lookupBuggy(`user-${n++}`)).not.toLeak(options)
  })

  test('fixed lookup is bounded', async () => {
    await expect(() => lookupFixed(`user-${n++}`)).not.toLeak(options)
  })
})

test('subscribing per request leaves a listener behind', async () => {
  await expect(() => bus.on('invalidate', () => {})).not.toLeak(options)
})

// The whole test (with its hooks) run as a leak check: leakTest.
leakTest('a request cycle, run as a leak check', () => {
  const listener = () => {}
  bus.on('invalidate', listener)
  expect(lookupFixed('home').length).toBe(32)
  bus.off('invalidate', listener)
})
