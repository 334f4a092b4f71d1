import { describe, expect, test } from 'vitest'
import { clearOfNoise, combine, growsWithCalls, CONFIRM_RATIO, decideSignal, isFalling, isMarginal, MIN_LEAK_CALLS, MIN_ROUND_BYTES, type RuleParams } from '../../src/core/verdict.js'

const params: RuleParams = { rounds: 7, confirmRounds: 3, extraRounds: 2, floor: 16 }
/** Calls per round for L0 = 32: 32, 64, …, 2048 (+1 for the call inside each paired reading). */
const calls = [33, 65, 129, 257, 513, 1025, 2049, 4097, 8193]

/** Builds readings m0…mn from growth per round (bytes). */
function readings(perRound: number[], start = 1_000_000): number[] {
  const out = [start]
  for (const growth of perRound) out.push(out[out.length - 1]! + growth)
  return out
}

describe('decideSignal, bytes', () => {
  test('a steady leak of 40 B per call asks for a confirmation round after the 3 counted rounds, then leaks', () => {
    const seven = calls.slice(0, 7)
    const series = readings(seven.map((c) => c * 40))
    const before = decideSignal('heap', 'bytes', series, seven, params)
    expect(before.state, 'after 7 rounds').toEqual({ status: 'pending', wantsExtraRound: false, wantsConfirmRound: true })
    const confirmed = [...seven, 4097]
    const after = decideSignal('heap', 'bytes', readings(confirmed.map((c) => c * 40)), confirmed, params, true)
    expect(after.state, 'after the confirmation round').toEqual({ status: 'leak', marginal: false })
    expect(after.estimatePerCall, 'estimate').toBeCloseTo(40, 6)
  })

  test('a structure sized by the calls between GCs (a WeakMap table) grows 16 B/call per doubling round but not in the confirmation round', () => {
    // rounds 5-9 at 16.3 B/call (marginal: extended to 9), then the confirmation round (GC halfway) with no growth
    const perCallGrowth = [200, 100, 50, 30, 16.3, 16.3, 16.3, 16.3, 16.3, 0]
    const sizes = [...calls, 16385]
    const decision = decideSignal('heap', 'bytes', readings(perCallGrowth.map((g, i) => g * sizes[i]!)), sizes, params, true)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 10 })
  })

  test('growth that comes per round, not per call, is clean at the confirmation round (it does not double with the calls)', () => {
    // A clean Worker create/terminate pair with 1 call in round 1 and 5 rounds (fresh-process run):
    // 5180, 5173, 1674, 1709, 1071 B per call at 2…17 calls (10–18 kB per round), then 299 B per call
    // (9.9 kB) in the 33-call confirmation round.
    const small = { ...params, rounds: 5 }
    const sizes = [2, 3, 5, 9, 17]
    const perRound = [5180 * 2, 5173.3 * 3, 1673.6 * 5, 1709.3 * 9, 1070.6 * 17]
    const before = decideSignal('heap', 'bytes', readings(perRound), sizes, small)
    // Falling by about half per call from round to round: marginal, so more rounds are asked for.
    expect(before.state, 'after 5 rounds').toEqual({ status: 'pending', wantsExtraRound: true })
    const after = decideSignal('heap', 'bytes', readings([...perRound, 33 * 298.9]), [...sizes, 33], small, true)
    expect(after.state, 'after the confirmation round').toEqual({ status: 'clean', decidedAtRound: 6 })
  })

  test('a confirmation round growing exactly as much as the round before is clean; a little more is a leak', () => {
    const seven = calls.slice(0, 7)
    const perRound = seven.map((c) => c * 40)
    const last = perRound[6]!
    const same = decideSignal('heap', 'bytes', readings([...perRound, last - 1]), [...seven, 4097], params, true)
    expect(same.state.status, 'confirmation grew less than the round before').toBe('clean')
    const more = decideSignal('heap', 'bytes', readings([...perRound, CONFIRM_RATIO * last]), [...seven, 4097], params, true)
    expect(more.state.status, 'confirmation grew as much as the round before').toBe('leak')
  })

  test('a Map leak whose table doubles in the confirmation round as in every round still leaks', () => {
    // 48 B objects plus a table that doubles once per round (entries double each round): 2^k × 20 B per doubling
    const seven = calls.slice(0, 7)
    const sizes = [...seven, 4097]
    let total = 0
    const perRound = sizes.map((c) => {
      const table = 20 * 2 ** Math.floor(Math.log2(total + c)) - (total > 0 ? 20 * 2 ** Math.floor(Math.log2(total)) : 0)
      total += c
      return c * 48 + table
    })
    const decision = decideSignal('heap', 'bytes', readings(perRound), sizes, params, true)
    expect(decision.state.status).toBe('leak')
  })

  test('small rounds must also grow by MIN_ROUND_BYTES: 100 B/call over 17, 33 and 65 calls is below the resolution', () => {
    const small = [2, 3, 5, 9, 17, 33, 65]
    const decision = decideSignal('heap', 'bytes', readings(small.map((c) => c * 100)), small, params)
    expect(65 * 100, 'largest round').toBeLessThan(MIN_ROUND_BYTES)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 5 })
  })

  test('growth below the floor in the first counted round is clean at once (early exit)', () => {
    // rounds 1-4 uncounted (big warm-up growth), round 5 grows 10 B/call < 16
    const perRound = [300, 200, 100, 50, 10].map((g, i) => g * calls[i]!)
    const decision = decideSignal('heap', 'bytes', readings(perRound), calls.slice(0, 5), params)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 5 })
    expect(decision.estimatePerCall).toBe(0)
  })

  test('a bounded step of 20 KB in one counted round is diluted below the floor by the next', () => {
    const perRound = [0, 0, 0, 0, 20_000, 0, 0]
    const decision = decideSignal('heap', 'bytes', readings(perRound), calls.slice(0, 7), params)
    expect(decision.state.status).toBe('clean')
  })

  test('is pending until K counted rounds were seen', () => {
    const series = readings(calls.slice(0, 6).map((c) => c * 40))
    const decision = decideSignal('heap', 'bytes', series, calls.slice(0, 6), params)
    expect(decision.state).toEqual({ status: 'pending', wantsExtraRound: false })
  })

  test('an isolated +200 KB spike followed by a drop is repaired and does not make a leak', () => {
    // rounds 5, 6, 7 would otherwise read: +200 KB spike at reading 6, back down at reading 7
    const perRound = [0, 0, 0, 0, 0, 0, 0].map(() => 0)
    const series = readings(perRound)
    series[6] = series[6]! + 200_000
    const decision = decideSignal('heap', 'bytes', series, calls.slice(0, 7), params)
    expect(decision.state.status).toBe('clean')
    expect(decision.perCall[5], 'round 6 after repair').toBe(0)
  })

  test('a doubling container (staircase) that resizes once per round still leaks', () => {
    // growth per round alternates 0.6x and 1.5x of a 44 B/call mean
    const perRound = [0.6, 1.5, 0.6, 1.5, 0.6, 1.5, 0.7].map((f, i) => f * 44 * calls[i]!)
    const decision = decideSignal('heap', 'bytes', readings(perRound), calls.slice(0, 7), params)
    expect(decision.state.status).not.toBe('clean')
  })

  test('growth near the floor asks for extra rounds instead of guessing', () => {
    const perRound = calls.slice(0, 7).map((c) => c * 20)
    const decision = decideSignal('heap', 'bytes', readings(perRound), calls.slice(0, 7), params)
    expect(decision.state).toEqual({ status: 'pending', wantsExtraRound: true })
  })

  test('slow-settling bounded growth that halves each round is extended and then clean', () => {
    // 200, 100, 50, 25 (round 8), 12.5 (round 9) B per call: a cache filling up
    const perCallGrowth = [400, 300, 250, 220, 200, 100, 50, 25, 12.5]
    const perRound = perCallGrowth.map((g, i) => g * calls[i]!)
    const seven = decideSignal('heap', 'bytes', readings(perRound.slice(0, 7)), calls.slice(0, 7), params)
    expect(seven.state, 'after 7 rounds').toEqual({ status: 'pending', wantsExtraRound: true })
    const nine = decideSignal('heap', 'bytes', readings(perRound), calls, params)
    expect(nine.state, 'after 9 rounds').toEqual({ status: 'clean', decidedAtRound: 9 })
  })

  test('marginal evidence that persists through the extra rounds and the confirmation round is a marginal leak', () => {
    const nine = decideSignal('heap', 'bytes', readings(calls.map((c) => c * 20)), calls, params)
    expect(nine.state, 'after 9 rounds').toEqual({ status: 'pending', wantsExtraRound: false, wantsConfirmRound: true })
    const sizes = [...calls, 16385]
    const decision = decideSignal('heap', 'bytes', readings(sizes.map((c) => c * 20)), sizes, params, true)
    expect(decision.state).toEqual({ status: 'leak', marginal: true })
  })
})

describe('decideSignal, counts', () => {
  test('+1 handle per call leaks, with 1 per call as the estimate', () => {
    const perRound = calls.slice(0, 7)
    const decision = decideSignal('handles:Timeout', 'count', readings(perRound, 3), calls.slice(0, 7), params)
    expect(decision.state).toEqual({ status: 'leak', marginal: false })
    expect(decision.estimatePerCall).toBe(1)
  })

  test('a handle that rises once and stays is clean', () => {
    const decision = decideSignal('handles:Timeout', 'count', [2, 3, 3, 3, 3, 3, 3, 3], calls.slice(0, 7), params)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 5 })
  })

  test('one handle per round (a leak every few hundred calls) still rises in every round', () => {
    const decision = decideSignal('handles:Timeout', 'count', [0, 1, 2, 3, 4, 5, 6, 7], calls.slice(0, 7), params)
    expect(decision.state.status).toBe('leak')
  })
})

describe('isMarginal', () => {
  test.each([
    { window: [40, 41, 39], floor: 16, marginal: false },
    { window: [30, 31, 33], floor: 16, marginal: true },
    { window: [200, 120, 100], floor: 16, marginal: true },
    { window: [200, 120, 101], floor: 16, marginal: false },
  ])('$window with floor $floor → $marginal', ({ window, floor, marginal }) => {
    expect(isMarginal(window, floor)).toBe(marginal)
  })
})

describe('combine', () => {
  const clean = { key: 'a', unit: 'bytes' as const, perCall: [], perRound: [], estimatePerCall: 0 }
  test('clean when every signal is clean', () => {
    expect(combine([{ ...clean, state: { status: 'clean', decidedAtRound: 5 } }])).toEqual({ done: true, verdict: 'clean' })
  })
  test('leak when all are decided and one leaks', () => {
    expect(
      combine([
        { ...clean, state: { status: 'clean', decidedAtRound: 5 } },
        { ...clean, state: { status: 'leak', marginal: false } },
      ]),
    ).toEqual({ done: true, verdict: 'leak' })
  })
  test('not done while a signal is pending; extending when it asks for an extra round', () => {
    expect(combine([{ ...clean, state: { status: 'pending', wantsExtraRound: true } }])).toEqual({
      done: false,
      extending: true,
      confirming: false,
    })
    expect(combine([{ ...clean, state: { status: 'pending', wantsExtraRound: false } }])).toEqual({
      done: false,
      extending: false,
      confirming: false,
    })
    expect(
      combine([{ ...clean, state: { status: 'pending', wantsExtraRound: false, wantsConfirmRound: true } }]),
    ).toEqual({ done: false, extending: false, confirming: true })
  })
})

describe('the shape of the growth', () => {
  test('isFalling: bounded growth halving per call each round is falling; a steady leak is not', () => {
    expect(isFalling([400, 200, 100, 50])).toBe(true)
    expect(isFalling([200, 210, 190, 205])).toBe(false)
    // log2 slope of [181, 66, 138, 49] is about -0.46 per round (a clean HTTP client settling).
    expect(isFalling([181, 66, 138, 49])).toBe(true)
    // A 200 B/call leak on the same noise: about -0.15 per round.
    expect(isFalling([381, 266, 338, 249])).toBe(false)
    // Rounds that did not grow are left out; fewer than three points say nothing.
    expect(isFalling([400, -5, 100])).toBe(false)
  })

  test('clearOfNoise: counted rounds must grow by twice the median noise of the first rounds', () => {
    // First four rounds moved by 16.5, 14, 15 and 23 kB: noise 15.75 kB.
    const perRound = [16_500, -14_000, 15_000, 23_000, 31_500, 71_000, 119_000]
    expect(clearOfNoise(perRound, 4, 5, 7)).toBe(true)
    expect(clearOfNoise([16_500, -14_000, 15_000, 23_000, 15_400, 71_000, 119_000], 4, 5, 7)).toBe(false)
    // No estimate from fewer than two rounds.
    expect(clearOfNoise([1e9, 1], 1, 2, 2)).toBe(true)
  })

  test('a clean series whose counted rounds are not clear of the early noise asks for more rounds', () => {
    // A clean http.get run: rounds of 17…1025 calls; it met the old rule (each counted round above 16 B/call).
    const sizes = [17, 33, 65, 129, 257, 513, 1025]
    const perCall = [971, 425, 230, 181, 66, 138, 49]
    const decision = decideSignal('heap', 'bytes', readings(perCall.map((g, i) => g * sizes[i]!)), sizes, params)
    expect(decision.state).toEqual({ status: 'pending', wantsExtraRound: true })
  })

  test('steady growth seen over fewer than MIN_LEAK_CALLS calls asks for more rounds while they are allowed', () => {
    // 224 B per call in every round of 9 … 1025 calls (2,040 calls in all): how building a zod schema per call
    // grows for its first 2,000 calls, before it settles at 7–20 B.
    const sizes = [9, 17, 33, 65, 129, 257, 513, 1025]
    const steady = readings(sizes.map((n) => n * 224))
    expect(MIN_LEAK_CALLS).toBe(4000)
    expect(decideSignal('heap', 'bytes', steady, sizes, { ...params, extraRounds: 4 }).state).toEqual({
      status: 'pending',
      wantsExtraRound: true,
    })
    // No extra rounds left (a slow function): the confirmation round decides, as before.
    expect(decideSignal('heap', 'bytes', steady, sizes, { ...params, extraRounds: 1 }).state).toEqual({
      status: 'pending',
      wantsExtraRound: false,
      wantsConfirmRound: true,
    })
    // The same rate over 8,000 calls is not marginal for this reason.
    const big = calls.slice(0, 7)
    expect(decideSignal('heap', 'bytes', readings(big.map((n) => n * 224)), big, params).state).toEqual({
      status: 'pending',
      wantsExtraRound: false,
      wantsConfirmRound: true,
    })
  })

  test('growsWithCalls: a leak doubles its bytes per round with the calls; settling growth stays level', () => {
    expect(growsWithCalls([16_000, 32_000, 64_000, 128_000])).toBe(true)
    // An array leak whose backing store grew 1.5-fold in one round and not the next: still well above 0.4.
    expect(growsWithCalls([16_000, 40_000, 52_000, 128_000])).toBe(true)
    // A clean client with 10 concurrent keep-alive requests per call: 25, 50, 23 and 45 kB per round.
    expect(growsWithCalls([25_000, 50_000, 23_000, 45_000])).toBe(false)
    // A round that did not grow is not growth with the calls.
    expect(growsWithCalls([16_000, -1_000, 64_000])).toBe(false)
  })

  test('a confirmed series whose bytes per round stay level is clean (settling), not a leak', () => {
    const sizes = [129, 257, 513, 1025, 2049]
    const perRound = [12_000, 25_000, 50_000, 23_000, 45_000]
    const decision = decideSignal('heap', 'bytes', readings(perRound), sizes, { ...params, rounds: 4 }, true)
    expect(decision.state).toEqual({ status: 'clean', decidedAtRound: 5, settling: true })
  })
})

describe('memory held across one reading on top of a leak', () => {
  // Heap series of a 150 B/call leak measured in a Vitest worker right after a failing test: 130–250 kB
  // were held across one reading and gone by the next (rounds 33 … 2,049 calls, confirmation 4,097).
  const rounds = [33, 65, 129, 257, 513, 1025, 2049]
  const opts = { ...params, extraRounds: 4 }

  test('held across the reading before the confirmation round: still a leak', () => {
    const heap = [0, 5112, 20568, 42184, 83184, 165176, 348256, 814832, 1303624]
    const decision = decideSignal('heap', 'bytes', heap, [...rounds, 4097], opts, true)
    expect(decision.state.status).toBe('leak')
    // Without the held reading the same round would have said clean: 489 kB is under 1.2 × 467 kB.
    expect(heap[8]! - heap[7]!).toBeLessThan(CONFIRM_RATIO * (heap[7]! - heap[6]!))
  })

  test('held across the reading before a counted round: one more round, not clean', () => {
    const heap = [0, 6720, 19888, 42912, 86056, 328464, 337744]
    const decision = decideSignal('heap', 'bytes', heap, rounds.slice(0, 6), opts)
    expect(decision.state.status).toBe('pending')
    // The next round grows on: the held reading is interpolated and the rounds read as the leak.
    const next = decideSignal('heap', 'bytes', [...heap, 337744 + 2049 * 157], rounds, opts)
    expect(next.state.status).toBe('pending')
    expect(next.perCall[4]!).toBeGreaterThan(100)
    expect(next.perCall[5]!).toBeGreaterThan(100)
  })

  test('a step that stays (growth that stopped) is clean once the next round shows it', () => {
    // grows 160 B/call, then 250 kB at once in round 6, then nothing
    const heap = [0, 5280, 15680, 36320, 77440, 159520, 409520, 409600, 409700]
    const sizes = [...rounds, 4097]
    // Round 7 grew nothing right after the step: held memory or a step? One more round.
    expect(decideSignal('heap', 'bytes', heap.slice(0, 8), rounds, opts).state.status).toBe('pending')
    // Nothing grew after it either: a step, and round 7 says clean.
    expect(decideSignal('heap', 'bytes', heap, sizes, opts).state).toMatchObject({ status: 'clean', decidedAtRound: 7 })
  })

  test('a step that stays before the confirmation round is clean', () => {
    const heap = [0, 5280, 15680, 36320, 77440, 159520, 323520, 900000, 900100]
    const decision = decideSignal('heap', 'bytes', heap, [...rounds, 4097], opts, true)
    expect(decision.state.status).toBe('clean')
  })
})
