import { afterAll, describe, expect, onTestFinished, test } from 'vitest'
import { measureLeaks } from '../../src/index.js'
import { runCheck } from '../../src/core/sampler.js'
import { resolveOptions } from '../../src/core/options.js'
import { formatInconclusive } from '../../src/message/format.js'

/** About 150 MB of live objects: every full GC has to mark them, so a GC here is slow. */
let ballast: unknown[] = []
afterAll(() => {
  ballast = []
})

function holdHeap(megabytes: number): void {
  for (let i = 0; i < megabytes * 16; i++) {
    // 16 arrays of 4,096 small objects per MB, kept alive until the end of the file.
    ballast.push(Array.from({ length: 2048 }, (_, j) => ({ j })))
  }
}

const noop = (): number => 1

describe('time budget and forced GCs', () => {
  test("a check that would outlast the running test's timeout stops with cause test-timeout and says how to fix it", async () => {
    const options = resolveOptions({}, undefined, 'test')
    const report = await runCheck(noop, options, [], undefined, { testTimeLeftMs: 1 })
    expect(report.verdict).toBe('inconclusive')
    if (report.verdict !== 'inconclusive') return
    expect(report.cause).toBe('test-timeout')
    expect(report.reason).toMatch(/the test would time out before the next round ended/)
    expect(report.reason).toMatch(/full GCs/)
    const message = formatInconclusive(report, 'expect(fn).not.toLeak()')
    expect(message).toMatch(/Fix: raise the test's timeout \(for example to \d+ ms/)
  })

  test('without a test timeout the same check is decided', async () => {
    const options = resolveOptions({}, undefined, 'test')
    const report = await runCheck(noop, options, [], undefined, {})
    expect(report.verdict, report.reason).toBe('clean')
  })

  test('forced GCs do not count against timeBudget: a clean check in a big heap with a small budget is still decided', async () => {
    holdHeap(150)
    onTestFinished(() => {
      ballast = []
    })
    const budget = 1000
    const report = await measureLeaks(noop, { timeBudget: budget })
    // The check took longer than its budget (its 20-odd full GCs of a 150 MB heap alone do)…
    expect(report.durationMs, 'the check outlasted its budget, so the GCs were not counted').toBeGreaterThan(budget)
    // …and the verdict was still reached: the budget counts calls and waits, not the GCs the heap size imposes.
    expect(report.verdict, report.reason).toBe('clean')
  })
})
