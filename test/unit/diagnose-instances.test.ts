/**
 * instancesOf: exact live instance counts as an extra signal of the verdict.
 */
import { describe, expect, test } from 'vitest'
import { measureLeaks } from '../../src/index.js'
import { createInstancesProbe } from '../../src/core/probes/instances.js'
import * as leaks from '../fixtures/diagnose/leaks.js'

/**
 * Each read walks the heap (0.1–0.5 s in a Vitest worker on a loaded machine) and the sampler re-reads
 * a rising count up to 8 times to let it settle, so keep the readings few and the budget generous.
 */
const SLOW_PROBE = { rounds: 3, confirmRounds: 3, warmup: 1, timeBudget: 120_000 } as const

describe('instancesOf', () => {
  test('a leaked class rises by one instance per call; a clean one does not', { timeout: 300_000 }, async () => {
    let index = 0
    const leaky = await measureLeaks(() => leaks.leakIntoModuleArray(index++), { instancesOf: [leaks.UserSession], diagnose: false, ...SLOW_PROBE })
    leaks.reset()
    const signal = leaky.signals.find((candidate) => candidate.key === 'instances:UserSession')
    expect(leaky.verdict).toBe('leak')
    expect(signal?.status).toBe('leak')
    expect(signal?.perCall).toBeCloseTo(1, 5)

    const clean = await measureLeaks(() => leaks.clean(index++), { instancesOf: [leaks.UserSession], ...SLOW_PROBE })
    expect(clean.verdict).toBe('clean')
    expect(clean.signals.find((candidate) => candidate.key === 'instances:UserSession')?.status).not.toBe('leak')
  })

  test('counts exactly and without an ExperimentalWarning', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`)
    }
    process.on('warning', onWarning)
    try {
      class Marker {}
      const probe = createInstancesProbe([Marker])
      const kept = [new Marker(), new Marker(), new Marker()]
      expect(probe.read()).toEqual({ Marker: 3 })
      kept.pop()
      expect(probe.read()).toEqual({ Marker: 2 })
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((text) => text.includes('queryObjects'))).toEqual([])
    } finally {
      process.off('warning', onWarning)
    }
  })

  test('invalid values are a TypeError naming the fix', async () => {
    await expect(measureLeaks(() => {}, { instancesOf: ['UserSession' as never] })).rejects.toThrow(
      /option `instancesOf` must be an array of class values; item 0 is "UserSession" \(string\)\. Fix: pass for example \{ instancesOf: \[Session\] \}/,
    )
  })
})
