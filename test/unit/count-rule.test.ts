import { describe, expect, test } from 'vitest'
import { EARLY_MIN_CALLS, earlyCountLeaks, isCheckpoint, steadyGrowth, type Checkpoint } from '../../src/core/count-rule.js'

/** Checkpoints at 0 (baseline), 1, 2, 4, … up to `last`, with `count(calls)` for key `handles:X`. */
function schedule(last: number, count: (calls: number) => number, key = 'handles:X'): Checkpoint[] {
  const points: Checkpoint[] = [{ calls: 0, counts: { [key]: count(0) } }]
  for (let calls = 1; calls <= last; calls *= 2) points.push({ calls, counts: { [key]: count(calls) } })
  return points
}

describe('isCheckpoint', () => {
  test('powers of two from 1 to 256', () => {
    expect([1, 2, 4, 8, 16, 32, 64, 128, 256].every(isCheckpoint)).toBe(true)
    expect([0, 3, 6, 12, 100, 512, 1024].some(isCheckpoint)).toBe(false)
  })
})

describe('earlyCountLeaks', () => {
  test('one item per call is a leak at call 32, not before', () => {
    expect(earlyCountLeaks(schedule(16, (calls) => calls))).toEqual([])
    expect(earlyCountLeaks(schedule(32, (calls) => calls))).toEqual([{ key: 'handles:X', perCall: 1, grown: 32, calls: 32 }])
    expect(EARLY_MIN_CALLS).toBe(32)
  })

  test('half an item per call is a leak; a bit less is not (yet)', () => {
    // Rises 2, 4, 8 over the intervals 4→8, 8→16, 16→32 (4, 8, 16 calls): exactly half per call.
    expect(earlyCountLeaks(schedule(32, (calls) => Math.floor(calls / 2)))).toHaveLength(1)
    // One item per three calls: rises 1, 3, 5 over 4, 8, 16 calls.
    expect(earlyCountLeaks(schedule(32, (calls) => Math.floor(calls / 3)))).toEqual([])
  })

  test('a bounded pool that fills up within the first calls is never a leak', () => {
    const pool = (size: number) => (calls: number) => Math.min(calls, size)
    for (const last of [32, 64, 128, 256]) expect(earlyCountLeaks(schedule(last, pool(10)))).toEqual([])
    // A pool of 20 still fills at call 16–32, so the interval 16→32 rises by 4 only (of 16 calls).
    expect(earlyCountLeaks(schedule(32, pool(20)))).toEqual([])
  })

  test('one lazily created resource, and a count that falls back, are not leaks', () => {
    expect(earlyCountLeaks(schedule(64, (calls) => (calls > 0 ? 1 : 0)))).toEqual([])
    expect(earlyCountLeaks(schedule(64, (calls) => (calls === 32 ? 32 : 0)))).toEqual([])
  })

  test("another party's short-lived items in a reading do not change the rate per call", () => {
    // Measured under Vitest 5 on a loaded machine: one interval per call, and the runner's own timers
    // for a moment in the readings after calls 2 and 4 (two of them) — 0 +1 +3 +5 +8 +16 +32.
    const seen = [0, 1, 3, 5, 8, 16, 32]
    const points = schedule(32, (calls) => seen[calls === 0 ? 0 : Math.log2(calls) + 1]!)
    // Rates 3/4, 8/8, 16/16 over 4→8, 8→16, 16→32: the median is 1 (end to end it would be 27/28).
    expect(earlyCountLeaks(points)).toEqual([{ key: 'handles:X', perCall: 1, grown: 32, calls: 32 }])
    // Two items too many in the last reading: rates 4/4, 8/8, 18/16, median 1.
    const late = schedule(32, (calls) => (calls === 32 ? 34 : calls))
    expect(earlyCountLeaks(late)).toEqual([{ key: 'handles:X', perCall: 1, grown: 34, calls: 32 }])
  })

  test('each key is decided on its own', () => {
    const points = schedule(64, (calls) => calls).map((point) => ({
      calls: point.calls,
      counts: { ...point.counts, 'fds:file': 3 },
    }))
    expect(earlyCountLeaks(points).map((leak) => leak.key)).toEqual(['handles:X'])
  })
})

describe('steadyGrowth', () => {
  test('five connections left by five calls before call 6 hangs', () => {
    const points = [...schedule(4, (calls) => calls), { calls: 5, counts: { 'handles:X': 5 } }]
    expect(steadyGrowth(points)).toEqual([{ key: 'handles:X', perCall: 1, grown: 5, calls: 5 }])
  })

  test('nothing grew, or too little: no evidence', () => {
    expect(steadyGrowth([...schedule(4, () => 2), { calls: 5, counts: { 'handles:X': 2 } }])).toEqual([])
    // Two items in five calls: fewer than three.
    expect(steadyGrowth([...schedule(4, (calls) => Math.min(calls, 2)), { calls: 5, counts: { 'handles:X': 2 } }])).toEqual([])
    // Too few readings (a failure at the first calls).
    expect(steadyGrowth(schedule(1, (calls) => calls))).toEqual([])
  })

  test('growth that stopped before the failure is not steady', () => {
    const points = [...schedule(64, (calls) => Math.min(calls, 40)), { calls: 99, counts: { 'handles:X': 40 } }]
    expect(steadyGrowth(points)).toEqual([])
  })
})
