// The DOM probe's sampled count (src/core/probes/dom.ts) and the DOM failure messages. The probe in
// real jsdom, happy-dom and jest-environment-jsdom: test/integration/dom.test.ts.
import { describe, expect, test } from 'vitest'
import { DEFAULT_OPTIONS } from '../../src/core/options.js'
import { SAMPLE, SampledCount } from '../../src/core/probes/dom.js'
import type { LeakReport, SignalSummary } from '../../src/core/report.js'
import { formatLeak, signalName } from '../../src/message/format.js'

const gc = globalThis.gc as () => void

async function collected(): Promise<void> {
  // WeakRef targets stay alive until the current job ends.
  await new Promise((resolve) => setImmediate(resolve))
  gc()
}

describe('SampledCount', () => {
  test('reads exactly the items kept when every item made is kept, beyond the sample', async () => {
    const kept: object[] = []
    const count = new SampledCount(() => true)
    for (let i = 0; i < 5 * SAMPLE; i++) {
      const item = {}
      kept.push(item)
      count.note(item)
    }
    await collected()
    expect(count.read()).toBe(5 * SAMPLE)
    for (let i = 0; i < 3; i++) count.note((kept[kept.length] = {}))
    await collected()
    expect(count.read()).toBe(5 * SAMPLE + 3)
  })

  test('reads 0 for items that were collected, and for items that are alive but not live', async () => {
    const kept: Array<{ live: boolean }> = []
    const count = new SampledCount((item) => (item as { live: boolean }).live)
    for (let i = 0; i < 1000; i++) count.note({ live: true })
    for (let i = 0; i < 100; i++) count.note((kept[i] = { live: false }))
    await collected()
    expect(count.read()).toBe(0)
    expect(kept).toHaveLength(100)
  })

  test('estimates from the live share of the sample, and forgets items that stop being live', async () => {
    const kept: Array<{ live: boolean }> = []
    const count = new SampledCount((item) => (item as { live: boolean }).live)
    for (let i = 0; i < 3000; i++) {
      const item = { live: true }
      if (i % 3 === 0) kept.push(item)
      count.note(item)
    }
    await collected()
    const estimate = count.read()
    expect(estimate).toBeGreaterThan(800)
    expect(estimate).toBeLessThan(1200)
    for (const item of kept) item.live = false
    expect(count.read()).toBe(0)
  })
})

describe('DOM failure messages', () => {
  const listener: SignalSummary = { key: 'listeners:resize on window', unit: 'count', status: 'leak', perCall: 1, marginal: false }
  const nodes: SignalSummary = { key: 'dom:detached nodes', unit: 'count', status: 'leak', perCall: 2, marginal: false }
  const heap: SignalSummary = { key: 'heap', unit: 'bytes', status: 'leak', perCall: 291.5, marginal: false }
  const report = (leaks: SignalSummary[], stacksFor: string[]): LeakReport => ({
    verdict: 'leak',
    reason: 'grew in each of the last 3 rounds',
    signals: leaks,
    leaks: [leaks[0]!, ...leaks.slice(1)],
    stoppedEarly: false,
    rounds: [],
    series: { calls: [], heap: [], counts: {} },
    calls: 100,
    gcs: 20,
    durationMs: 100,
    callsPerRound: 32,
    extraRoundsUsed: 0,
    async: false,
    gc: 'exposed',
    options: DEFAULT_OPTIONS,
    stacks: {
      calls: 4,
      signals: stacksFor.map((key) => ({
        key,
        items: 4,
        groups: [{ count: 4, frames: ['at (anonymous) (dom.test.js:10:12)'], folded: { node: 0, node_modules: 0, leakspec: 2 } }],
        ignored: {},
        allIgnored: false,
      })),
    },
  })

  test('names the target and event of a DOM listener, and where it was added', () => {
    expect(signalName('listeners:resize on window')).toBe("'resize' listeners on window")
    expect(signalName('listeners:data')).toBe("'data' listeners")
    const text = formatLeak(report([listener, heap], ['listeners:resize on window']) as never, 'expect(fn).not.toLeak()')
    expect(text).toContain("but each call leaves about 1 'resize' listener on window, added at dom.test.js:10:12 (and 291.5 B of heap per call).")
    expect(text).toContain("A 'resize' listener on window is added per call and never removed")
    expect(text).toContain('the function an effect returns')
    expect(text).toContain("  'resize' listeners on window: 4 still open")
  })

  test('names detached nodes as their own signal, with where they were created', () => {
    const text = formatLeak(report([nodes, heap], ['dom:detached nodes']) as never, 'expect(fn).not.toLeak()')
    expect(text).toContain('but each call leaves about 2 detached DOM nodes, created at dom.test.js:10:12 (and 291.5 B of heap per call).')
    expect(text).toContain('  detached DOM nodes: 4 still there')
    expect(text).toContain('DOM nodes created per call stay reachable while out of the document')
  })
})
