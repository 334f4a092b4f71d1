// leakspec with Mocha — no plugin, no setup file: assertNoLeaks throws a LeakError whose message is
// the same one `toLeak` prints, and Mocha reports it as the test's failure. A check takes from a
// fraction of a second to a few seconds (more when it fails: the diagnosis), so raise Mocha's 2 s
// timeout (.mocharc.json here sets 60 s).
// Run: node examples/mocha/run.mjs   (installs Mocha, runs it; the leaky test fails on purpose)
import assert from 'node:assert/strict'
import { assertNoLeaks, measureLeaks } from 'leakspec'
import { createLookup } from './cache.mjs'

describe('lookup', () => {
  it('an unbounded lookup leaks (fails on purpose)', async () => {
    const lookup = createLookup()
    let id = 0
    await assertNoLeaks(() => lookup(`request-${id++}`))
  })

  it('a bounded lookup does not leak', async () => {
    const lookup = createLookup({ bounded: true })
    let id = 0
    await assertNoLeaks(() => lookup(`request-${id++}`))
  })

  it('measureLeaks returns the verdict as data', async () => {
    const lookup = createLookup({ bounded: true })
    let id = 0
    const report = await measureLeaks(() => lookup(`request-${id++}`))
    assert.equal(report.verdict, 'clean', report.reason)
  })
})
