// leakspec with node:test — no plugin, no setup file: assertNoLeaks throws a LeakError whose message
// is the same one `toLeak` prints, and node:test reports it as the test's failure.
// Run: node --test examples/node-test/   (the leaky test fails on purpose; run.mjs here checks that)
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertNoLeaks, measureLeaks } from 'leakspec'
import { createLookup } from './cache.mjs'

test('an unbounded lookup leaks (fails on purpose)', async () => {
  const lookup = createLookup()
  let id = 0
  await assertNoLeaks(() => lookup(`request-${id++}`))
})

test('a bounded lookup does not leak', async () => {
  const lookup = createLookup({ bounded: true })
  let id = 0
  await assertNoLeaks(() => lookup(`request-${id++}`))
})

test('measureLeaks returns the verdict and the rounds as data', async () => {
  const lookup = createLookup({ bounded: true })
  let id = 0
  const report = await measureLeaks(() => lookup(`request-${id++}`))
  assert.equal(report.verdict, 'clean', report.reason)
})
