/**
 * Noise groups: constructors that grew during the diagnosis calls but not by a whole number per call
 * are marked `irregular`, listed after the per-call kinds and folded into one line of the message.
 */
import type { Diagnosis } from '../../src/core/diagnosis.js'
import { describe, expect, test } from 'vitest'
import { diagnose, formatDiagnosis, measureLeaks } from '../../src/index.js'
import { isPerCallCount } from '../../src/diagnose/diagnose.js'
import * as leaks from '../fixtures/diagnose/leaks.js'

describe('isPerCallCount', () => {
  test('about a whole number per call, within 10 % and two objects', () => {
    expect(isPerCallCount(32, 32)).toBe(true)
    expect(isPerCallCount(34, 32)).toBe(true)
    expect(isPerCallCount(30, 32)).toBe(true)
    expect(isPerCallCount(64, 32)).toBe(true)
    expect(isPerCallCount(99, 32)).toBe(true)
  })
  test('half, one and a half, or a few per call are not', () => {
    expect(isPerCallCount(16, 32)).toBe(false)
    expect(isPerCallCount(48, 32)).toBe(false)
    expect(isPerCallCount(24, 32)).toBe(false)
    expect(isPerCallCount(3, 32)).toBe(false)
  })
})

describe('a leak with noise', () => {
  test('the per-call constructor is the leak; the irregular one is marked and folded', async () => {
    let index = 0
    const fn = (): void => leaks.leakWithNoise(index++)
    try {
      const report = await measureLeaks(fn, { diagnose: false })
      expect(report.verdict).toBe('leak')
      const diagnosis: Diagnosis = await diagnose(fn, report, { calls: 32 })
      const names = diagnosis.kinds.map((kind) => kind.name)
      const session = diagnosis.kinds.find((kind) => kind.name === 'UserSession')
      const warmup = diagnosis.kinds.find((kind) => kind.name === 'WarmupRecord')
      expect(session?.irregular, JSON.stringify(diagnosis.kinds.map((kind) => [kind.name, kind.count]))).toBeUndefined()
      expect(session?.pathText).toMatch(/sessionLog: Array › \[\d+\]: UserSession$/)
      expect(warmup?.irregular, JSON.stringify(diagnosis.kinds.map((kind) => [kind.name, kind.count]))).toBe(true)
      expect(warmup?.perCall).toBeGreaterThan(1.3)
      expect(warmup?.perCall).toBeLessThan(1.75)
      expect(warmup?.pathText).toBeUndefined()
      expect(names.indexOf('UserSession')).toBeLessThan(names.indexOf('WarmupRecord'))
      const text = formatDiagnosis(diagnosis)
      expect(text).toMatch(/^ {2}UserSession {2}1 per call/m)
      expect(text).not.toMatch(/^ {2}WarmupRecord /m)
      expect(text).toMatch(/^ {2}Also grew, but not by a whole number per call \(probably not the leak\): .*WarmupRecord 1\.\d\d\/call/m)
    } finally {
      leaks.reset()
    }
  }, 120_000)

  test('with no per-call kind, the irregular kinds are shown in full, marked', () => {
    const diagnosis: Diagnosis = {
      calls: 32,
      kinds: [{ name: 'WarmupRecord', internal: false, count: 48, perCall: 1.5, bytesPerCall: 24, irregular: true, pathText: 'module scope › cache: Array › [0]: WarmupRecord' }],
      sites: [],
      exactFrames: true,
      retainedBytesPerCall: 24,
      backend: 'node:inspector',
      durationMs: 1000,
      phasesMs: { start: 0, calls: 0, snapshot: 0, analysis: 0 },
      snapshotNodes: 0,
      sourceMapped: false,
    }
    const text = formatDiagnosis(diagnosis)
    expect(text).toMatch(/No kind of object grew by a whole number per call; these grew during the calls/)
    expect(text).toMatch(/^ {2}WarmupRecord {2}1\.50 per call/m)
    expect(text).toMatch(/held by: +module scope › cache: Array/)
    expect(text).not.toMatch(/Also grew/)
  })
})
