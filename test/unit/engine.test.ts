import { afterAll, afterEach, describe, expect, test, vi } from 'vitest'
import { setTimeout as realSleep } from 'node:timers/promises'
import { assertNoLeaks, LeakCheckError, LeakError, measureLeaks } from '../../src/index.js'

const held: unknown[] = []
const timers: NodeJS.Timeout[] = []
afterAll(() => {
  held.length = 0
  for (const timer of timers) clearInterval(timer)
})

const clean = () => {
  const items = []
  for (let i = 0; i < 20; i++) items.push({ i, name: `item ${i}` })
  return items.length
}
const leaky = () => {
  held.push({ at: held.length, tag: 'x' })
}

async function rejection(promise: Promise<unknown>): Promise<LeakCheckError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the check to fail')
    },
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(LeakCheckError)
  return error as LeakCheckError
}

describe('measureLeaks verdicts', () => {
  test('a leaky function leaks and a clean one is clean, with the leak estimate far above the clean one', async () => {
    const bad = await measureLeaks(leaky)
    const good = await measureLeaks(clean)
    expect(bad.verdict, bad.reason).toBe('leak')
    expect(good.verdict, good.reason).toBe('clean')
    if (bad.verdict !== 'leak') return
    expect(bad.leaks.map((signal) => signal.key)).toEqual(['heap'])
    const counted = (report: typeof bad | typeof good) =>
      Math.max(...report.rounds.filter((round) => round.counted).map((round) => round.heapPerCall))
    expect(bad.leaks[0].perCall).toBeGreaterThan(counted(good) * 2)
    expect(good.rounds.length, 'clean stops at the first counted round').toBe(5)
    expect(bad.calls).toBeGreaterThan(good.calls)
  })

  test('async functions are awaited per call', async () => {
    let settled = 0
    const report = await measureLeaks(async () => {
      await Promise.resolve()
      settled++
    })
    expect(report.verdict).toBe('clean')
    expect(report.async).toBe(true)
    expect(settled).toBe(report.calls)
  })

  test('a setInterval per call leaks as a Timeout handle with 1 per call', async () => {
    const report = await measureLeaks(() => {
      timers.push(setInterval(() => {}, 3_600_000))
    })
    expect(report.verdict).toBe('leak')
    if (report.verdict !== 'leak') return
    const handle = report.leaks.find((signal) => signal.key === 'handles:Timeout')
    expect(handle?.perCall).toBe(1)
  })

  test('a timer that is cleared is clean', async () => {
    const report = await measureLeaks(() => {
      clearTimeout(setTimeout(() => {}, 3_600_000))
    })
    expect(report.verdict, report.reason).toBe('clean')
  })

  test('handles: false stops watching handles', async () => {
    const report = await measureLeaks(
      () => {
        const timer = setInterval(() => {}, 3_600_000)
        timers.push(timer)
      },
      { handles: false },
    )
    expect(report.signals.some((signal) => signal.key.startsWith('handles:'))).toBe(false)
  })

  test('the report carries the per-round series relative to the baseline', async () => {
    const report = await measureLeaks(clean)
    expect(report.series.heap[0]).toBe(0)
    expect(report.series.heap).toHaveLength(report.rounds.length + 1)
    expect(report.series.calls).toEqual(report.rounds.map((round) => round.calls))
    expect(report.rounds.map((round) => round.calls)).toEqual(
      report.rounds.map((round) => report.callsPerRound * 2 ** (round.round - 1) + 1),
    )
  })
})

describe('errors are never leak verdicts', () => {
  test('fn throwing at call 7 fails with that error and the call number', async () => {
    let calls = 0
    const cause = new Error('boom')
    const error = await rejection(
      measureLeaks(() => {
        if (++calls === 7) throw cause
      }),
    )
    expect(error.code).toBe('FN_THREW')
    expect(error.call).toBe(7)
    expect(error.cause).toBe(cause)
    expect(error.message).toBe(
      'leakspec: the function under test threw on call 7: Error: boom. ' +
        'This is not a leak verdict; fix the error (every call must succeed) and run the check again.',
    )
  })

  test('fn rejecting at call 3 fails with FN_REJECTED', async () => {
    let calls = 0
    const error = await rejection(
      measureLeaks(async () => {
        if (++calls === 3) throw new TypeError('bad input')
      }),
    )
    expect(error.code).toBe('FN_REJECTED')
    expect(error.call).toBe(3)
    expect(error.message).toMatch(/rejected on call 3: TypeError: bad input/)
  })

  test('a promise that never settles fails with CALL_TIMEOUT naming the call', async () => {
    let calls = 0
    const error = await rejection(
      measureLeaks(() => (++calls === 2 ? new Promise(() => {}) : Promise.resolve()), { callTimeout: 50 }),
    )
    expect(error.code).toBe('CALL_TIMEOUT')
    expect(error.call).toBe(2)
    expect(error.message).toMatch(/call 2 of the function under test did not settle within 50 ms/)
  })

  test('a thenable that never calls back fails with CALL_TIMEOUT', async () => {
    const error = await rejection(measureLeaks(() => ({ then() {} }), { callTimeout: 50 }))
    expect(error.code).toBe('CALL_TIMEOUT')
    expect(error.call).toBe(1)
  })

  test('two checks at once are refused with OVERLAP', async () => {
    const first = measureLeaks(clean)
    const error = await rejection(measureLeaks(clean))
    expect(error.code).toBe('OVERLAP')
    expect(error.message).toMatch(/another leak check is already running.*await.*test\.concurrent/s)
    expect((await first).verdict).toBe('clean')
  })

  test('not a function is a TypeError naming the fix', async () => {
    await expect(measureLeaks(42 as never)).rejects.toThrowError(
      new TypeError(
        "leakspec: measureLeaks(fn) needs a function to call repeatedly; received 42 (number). Fix: wrap the code in a function, for example `() => client.request('/ping')`.",
      ),
    )
  })

  test('slow calls that exhaust the time budget are inconclusive, never guessed', async () => {
    const report = await measureLeaks(() => realSleep(15), { timeBudget: 100 })
    expect(report.verdict).toBe('inconclusive')
    if (report.verdict !== 'inconclusive') return
    expect(report.cause).toBe('time-budget')
    expect(report.reason).toMatch(/time budget of 100 ms \(not counting forced GCs\) ran out after \d+ of \d+ rounds/)
    await expect(assertNoLeaks(() => realSleep(15), { timeBudget: 100 })).rejects.toMatchObject({
      code: 'INCONCLUSIVE',
    })
  })
})

describe('fake timers in the test', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  test('cannot stall the sampler: clean stays clean, leaky stays leaky', async () => {
    vi.useFakeTimers()
    const good = await measureLeaks(async () => {
      await Promise.resolve()
    })
    const bad = await measureLeaks(leaky)
    expect(good.verdict).toBe('clean')
    expect(bad.verdict).toBe('leak')
  })
})

describe('assertNoLeaks', () => {
  test('throws LeakError with the formatted message and the report', async () => {
    const error = await assertNoLeaks(leaky).then(
      (report) => report,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(LeakError)
    const leak = error as LeakError
    expect(leak.report.verdict).toBe('leak')
    expect(leak.message.split('\n').slice(0, 3)).toEqual([
      'assertNoLeaks(fn)',
      '',
      expect.stringMatching(/^Expected the function not to leak, but it leaks about \d+\.\d B of heap per call\.$/),
    ])
  })

  test('resolves with the clean report', async () => {
    await expect(assertNoLeaks(clean)).resolves.toMatchObject({ verdict: 'clean' })
  })
})
