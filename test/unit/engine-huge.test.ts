import { afterAll, expect, test } from 'vitest'
import { measureLeaks } from '../../src/index.js'

// Kept in its own file so its memory is released with the worker.
const held: Buffer[][] = []
afterAll(() => {
  held.length = 0
})

test('a 10 MB-per-call leak stops early with a leak verdict and the process survives', async () => {
  const report = await measureLeaks(() => {
    // 10 MB of JS heap per call (arrays of numbers, not external memory)
    held.push(Array.from({ length: 1_310_720 }, () => 0.5) as unknown as Buffer[])
  })
  expect(report.verdict).toBe('leak')
  if (report.verdict !== 'leak') return
  expect(report.stoppedEarly).toBe(true)
  expect(report.reason).toMatch(/stopped early/)
  expect(report.leaks[0].key).toBe('heap')
  // Stopped long before the 7 rounds: far fewer calls than a normal leak verdict.
  expect(report.calls).toBeLessThan(200)
  held.length = 0
})
