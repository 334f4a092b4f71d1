// happy-dom 21 through Vitest 4.1 (test/envs/dom, Node 24): the diagnosis of @testing-library/react's
// render() + cleanup() of a fixed component names happy-dom's own growth (a cache entry per call on
// <head>'s affectsCache array, which the built-in `happy-dom-affectsCache` entry matches), not the
// diagnosis's own sampling profile, which it used to list as 20-odd leaked Objects per call held by
// `(GC roots) › Object › children: Array › …`.
import { describe, expect, it } from 'vitest'
import { getEnv } from './harness/envs.js'
import { outcome } from './harness/json-report.js'
import { runVitestFixture } from './harness/vitest.js'

describe('Vitest 4.1 with happy-dom: render() + cleanup()', () => {
  it('the diagnosis shows the affectsCache path, matched by the built-in entry, and not its own profile', async () => {
    const run = await runVitestFixture(getEnv('dom'), 'dom-rtl', ['--environment=happy-dom'])
    const test = outcome(run.report, 'diagnosis of render() + cleanup() under happy-dom')
    expect(test.failureMessages.join('\n')).toBe('')
    expect(test.status).toBe('passed')
  }, 600_000)
})
