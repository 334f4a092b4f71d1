import { describe, expect, test } from 'vitest'
import { growthPerCall, median, powerOfTwoAtMost, repairSpikes, SPIKE_BYTES, unresolvedSpike } from '../../src/core/stats.js'

describe('repairSpikes', () => {
  test('replaces an isolated up-spike by the value interpolated by calls', () => {
    // readings 0, 300 KB (spike), 0 with 100 and 300 calls around it: line from 0 to 0 → 0
    expect(repairSpikes([0, 300_000, 0], [100, 300])).toEqual([0, 0, 0])
  })

  test('interpolates along a steady slope, weighted by calls', () => {
    // slope 10 B/call: 0 → 1000 (100 calls) → 4000 (300 calls); spike at the middle of +200 KB
    expect(repairSpikes([0, 1000 + 200_000, 4000], [100, 300])).toEqual([0, 1000, 4000])
  })

  test('keeps a step that stays (the next reading is not lower)', () => {
    expect(repairSpikes([0, 300_000, 300_000], [100, 100])).toEqual([0, 300_000, 300_000])
  })

  test('keeps bumps smaller than the spike height', () => {
    expect(repairSpikes([0, SPIKE_BYTES - 1, 0], [1, 1])).toEqual([0, SPIKE_BYTES - 1, 0])
  })

  test('never changes the first or last reading, nor its input', () => {
    const input = [500_000, 0, 500_000]
    expect(repairSpikes(input, [1, 1])).toEqual([500_000, 0, 500_000])
    const spiky = [0, 400_000, 0]
    repairSpikes(spiky, [1, 1])
    expect(spiky, 'input untouched').toEqual([0, 400_000, 0])
  })
})

describe('growthPerCall', () => {
  test('divides each difference by the calls between the readings', () => {
    expect(growthPerCall([100, 420, 420, 100], [32, 64, 10])).toEqual([10, 0, -32])
  })
  test('one reading gives no growth', () => {
    expect(growthPerCall([5], [])).toEqual([])
  })
})

describe('median', () => {
  test.each([
    [[3], 3],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[-1, -1, -1], -1],
  ])('median(%j) = %d', (values, expected) => {
    expect(median(values)).toBe(expected)
  })
  test('an empty list is a RangeError', () => {
    expect(() => median([])).toThrowError(RangeError)
  })
})

describe('powerOfTwoAtMost', () => {
  test.each([
    [1000, 1, 32, 32],
    [31.9, 1, 32, 16],
    [16, 1, 32, 16],
    [1.5, 1, 32, 1],
    [0.2, 1, 32, 1],
    [Number.NaN, 1, 32, 1],
    [Infinity, 1, 32, 32],
  ])('powerOfTwoAtMost(%d, %d, %d) = %d', (value, min, max, expected) => {
    expect(powerOfTwoAtMost(value, min, max)).toBe(expected)
  })
})

describe('repairSpikes: memory held across one reading of steady growth', () => {
  test('repairs the reading when the series grows on after it', () => {
    // 100 B/call over 1,000-call rounds, 200 kB held across reading 2 only
    expect(repairSpikes([0, 100_000, 400_000, 300_000 + 10, 400_000], [1000, 1000, 1000, 1000])).toEqual([
      0, 100_000, 200_005, 300_010, 400_000,
    ])
  })

  test('keeps a step when nothing grows after it', () => {
    expect(repairSpikes([0, 100_000, 400_000, 400_000, 400_100], [1000, 1000, 1000, 1000])).toEqual([
      0, 100_000, 400_000, 400_000, 400_100,
    ])
  })
})

describe('unresolvedSpike', () => {
  test('the reading before the last above its neighbours, the last not lower', () => {
    expect(unresolvedSpike([0, 100_000, 400_000, 410_000], [1000, 1000, 1000])).toBe(true)
    expect(unresolvedSpike([0, 100_000, 400_000, 390_000], [1000, 1000, 1000])).toBe(false)
    expect(unresolvedSpike([0, 100_000, 200_000, 300_000], [1000, 1000, 1000])).toBe(false)
    expect(unresolvedSpike([0, 100_000], [1000])).toBe(false)
  })
})
