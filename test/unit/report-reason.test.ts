/**
 * The reason texts of core/report-build.ts, against hand-computed series.
 */
import { describe, expect, test } from 'vitest'
import { resolveOptions } from '../../src/core/options.js'
import { buildReport } from '../../src/core/report-build.js'
import { decideSignal, type RuleParams } from '../../src/core/verdict.js'

const params: RuleParams = { rounds: 7, confirmRounds: 3, extraRounds: 0, floor: 16 }
const calls = [33, 65, 129, 257, 513, 1025, 2049]

function readings(perRound: readonly number[]): number[] {
  const out = [1_000_000]
  for (const growth of perRound) out.push(out[out.length - 1]! + growth)
  return out
}

describe('a clean verdict within the noise', () => {
  test('states the resolution of the smallest counted round, which every leak had to clear', () => {
    // Early rounds move the heap by 20 kB either way (noise 20 kB: a counted round must grow 40 kB). The counted
    // rounds grow 30, 45 and 50 kB: round 5 (513 calls) is within the noise, no extra rounds are allowed.
    const perRound = [20_000, -20_000, 20_000, 20_000, 30_000, 45_000, 50_000]
    const heap = readings(perRound)
    const decision = decideSignal('heap', 'bytes', heap, calls, params)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 7, belowNoise: true })
    const report = buildReport({
      confirmed: false,
      grownBytes: 0,
      guardReadings: 0,
      decisions: [decision],
      heapReadings: heap,
      countReadings: heap.map(() => ({})),
      roundCalls: calls,
      roundTimes: calls.map((_, i) => i * 100),
      params,
      stoppedEarly: false,
      testTimeout: undefined,
      calls: 4071,
      gcs: 21,
      durationMs: 700,
      callsPerRound: 32,
      async: false,
      gc: 'exposed',
      options: resolveOptions(undefined),
      where: 'process',
    })
    expect(report.verdict).toBe('clean')
    // 2 × 20 kB over the 513 calls of round 5 is 77.97 B per call (over round 7's 2,049 calls it would read 20 B,
    // less than a leak that round 5 could not have shown).
    expect(report.reason).toBe(
      "no signal leaked by round 7: the heap's growth stayed within the noise of the first rounds (about 20.0 kB per round); " +
        'a leak of more than about 78 B per call would have stood clear of it (raise timeBudget or extraRounds to look closer)',
    )
  })
})
