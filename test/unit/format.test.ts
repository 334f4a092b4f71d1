import { describe, expect, test } from 'vitest'
import { DEFAULT_OPTIONS } from '../../src/core/options.js'
import type { LeakReport, SignalSummary } from '../../src/core/report.js'
import { formatBytes, formatClean, formatInconclusive, formatLeak } from '../../src/message/format.js'

const rounds = [33, 65, 129, 257, 513, 1025, 2049].map((calls, index) => ({
  round: index + 1,
  calls,
  counted: index >= 4,
  heapPerCall: [300, 120, 60, 45, 41.5, 40, 39.25][index]!,
  counts: index === 1 ? { 'handles:Timeout': -1 } : index >= 4 ? { 'handles:Timeout': calls } : {},
  atMs: 10 * (index + 1),
}))

const base = {
  rounds,
  series: { calls: rounds.map((r) => r.calls), heap: [], counts: {} },
  calls: 4205,
  gcs: 22,
  durationMs: 123.4,
  callsPerRound: 32,
  extraRoundsUsed: 0,
  async: false,
  gc: 'exposed' as const,
  options: DEFAULT_OPTIONS,
}

const heap = { key: 'heap', unit: 'bytes' as const, status: 'leak' as const, perCall: 40, marginal: false }
const timeout = { key: 'handles:Timeout', unit: 'count' as const, status: 'leak' as const, perCall: 1, marginal: false }

describe('formatLeak', () => {
  test('pins the whole message for a heap-and-handle leak', () => {
    const report: LeakReport = {
      ...base,
      verdict: 'leak',
      reason: 'grew in each of the last 3 rounds',
      signals: [heap, timeout],
      leaks: [heap, timeout],
      stoppedEarly: false,
    }
    expect(formatLeak(report, 'expect(fn).not.toLeak()')).toBe(
      [
        'expect(fn).not.toLeak()',
        '',
        'Expected the function not to leak, but each call leaves about 1 Timeout handle open (and 40.0 B of heap per call).',
        '',
        'Leaking (grew in each of the last 3 rounds; heap floor 16 B per call):',
        '  Timeout handles  1 per call',
        '  heap             40.0 B per call',
        '',
        '  round  calls  heap/call  other signals',
        '     1      33    300.0 B  -',
        '     2      65    120.0 B  -',
        '     3     129     60.0 B  -',
        '     4     257     45.0 B  -',
        '     5*    513     41.5 B  Timeout +513',
        '     6*   1025     40.0 B  Timeout +1025',
        '     7*   2049     39.3 B  Timeout +2049',
        '  (* counted rounds)',
        '',
        '4205 calls · 22 GCs · 123 ms · 32 calls in round 1 · gc exposed',
        '',
        'What to try:',
        '  - A Timeout handle stays open per call: clear the timer (clearTimeout / clearInterval) or let it fire before the call returns (or resolves).',
        '  - Look for what keeps a reference after each call: a module-level array or Map, a cache without a bound, a closure stored on a long-lived object, a listener or timer that is never removed.',
        '  - If this is a bounded cache that is still filling, warm it up before the check or raise `rounds` (now 7; each extra round doubles the calls).',
      ].join('\n'),
    )
  })

  test('names the fix for the handle type, with the right article, and says "1 call" in the footer', () => {
    const worker = { key: 'handles:Worker', unit: 'count' as const, status: 'leak' as const, perCall: 1, marginal: false }
    const onError = { key: 'listeners:error', unit: 'count' as const, status: 'leak' as const, perCall: 1, marginal: false }
    const report: LeakReport = {
      ...base,
      callsPerRound: 1,
      verdict: 'leak',
      reason: 'grew in each of the last 3 rounds',
      signals: [worker, onError],
      leaks: [worker, onError],
      stoppedEarly: false,
    }
    const message = formatLeak(report, 'expect(fn).not.toLeak()')
    expect(message).toContain('  - A Worker handle stays open per call: terminate the worker (await worker.terminate()) before the call returns')
    expect(message).toContain("  - An 'error' listener is added per call and never removed")
    expect(message).toContain('· 1 call in round 1 ·')
  })

  /** Count signals leaking 1 per call, one per key. */
  const leaking = (first: string, ...rest: string[]): [SignalSummary, ...SignalSummary[]] => {
    const leak = (key: string): SignalSummary => ({ key, unit: 'count', status: 'leak', perCall: 1, marginal: false })
    return [leak(first), ...rest.map(leak)]
  }

  test('advice: the owning handle first with a note, then one line for the fds and one for the listeners', () => {
    const signals = leaking('fds:anon_inode', 'fds:pipe', 'handles:MessagePort', 'handles:Worker', 'listeners:close', 'listeners:error', 'listeners:finish')
    const report: LeakReport = { ...base, verdict: 'leak', reason: 'grew in each of the last 3 rounds', signals, leaks: signals, stoppedEarly: false }
    const tips = formatLeak(report, 'h').split('What to try:\n')[1]!.split('\n')
    expect(tips).toEqual([
      "  - A Worker handle stays open per call: terminate the worker (await worker.terminate()) before the call returns (or resolves). The other resources that leak with it are probably its own (a worker's message ports, pipes and stdio stream listeners): check again once it is fixed.",
      '  - A MessagePort handle stays open per call: close the port (port.close()) before the call returns (or resolves).',
      '  - File descriptors (anon_inode, pipe) stay open per call: close what opens them (fs.close, filehandle.close(), stream.destroy(), socket.destroy(), server.close()) before the call returns (or resolves).',
      "  - 'close', 'error' and 'finish' listeners are added per call and never removed: remove them (off, removeListener, removeEventListener), add them once outside the call, or tie them to an AbortSignal that is aborted.",
    ])
  })

  test('advice: no ownership note for what an owner cannot hold', () => {
    const signals = leaking('handles:Timeout', 'handles:TCPSocketWrap')
    const report: LeakReport = { ...base, verdict: 'leak', reason: 'grew in each of the last 3 rounds', signals, leaks: signals, stoppedEarly: false }
    const tips = formatLeak(report, 'h').split('What to try:\n')[1]!.split('\n')
    expect(tips[0]).toMatch(/^  - A TCPSocketWrap handle stays open per call: destroy the socket .*\(or resolves\)\.$/)
    expect(tips[1]).toMatch(/^  - A Timeout handle stays open per call: clear the timer/)
  })

  test('a heap-only leak has a heap headline', () => {
    const report: LeakReport = {
      ...base,
      verdict: 'leak',
      reason: 'grew in each of the last 3 rounds',
      signals: [heap],
      leaks: [heap],
      stoppedEarly: false,
    }
    expect(formatLeak(report, 'h').split('\n')[2]).toBe(
      'Expected the function not to leak, but it leaks about 40.0 B of heap per call.',
    )
  })

  test('marks marginal signals', () => {
    const marginal = { ...heap, perCall: 20, marginal: true }
    const report: LeakReport = {
      ...base,
      verdict: 'leak',
      reason: 'grew in each of the last 3 rounds, after 2 extra round(s) because the evidence was marginal',
      signals: [marginal],
      leaks: [marginal],
      stoppedEarly: false,
      extraRoundsUsed: 2,
    }
    expect(formatLeak(report, 'h')).toContain('  heap  20.0 B per call  (marginal)')
    expect(formatLeak(report, 'h')).toContain('after 2 extra round(s) because the evidence was marginal')
  })
})

describe('formatClean and formatInconclusive', () => {
  test('clean explains why .toLeak() failed', () => {
    const report: LeakReport = { ...base, verdict: 'clean', reason: 'no signal grew in counted round 5', signals: [] }
    expect(formatClean(report, 'expect(fn).toLeak()').split('\n').slice(0, 3)).toEqual([
      'expect(fn).toLeak()',
      '',
      'Expected the function to leak, but it is clean: no signal grew in counted round 5 (heap floor 16 B per call).',
    ])
  })

  test('inconclusive names the cause and the fix', () => {
    const report: LeakReport = {
      ...base,
      verdict: 'inconclusive',
      cause: 'time-budget',
      reason: 'the time budget of 4000 ms ran out after 3 of 7 rounds',
      signals: [],
    }
    const lines = formatInconclusive(report, 'expect(fn).not.toLeak()').split('\n')
    expect(lines[2]).toBe(
      'leakspec could not reach a verdict: the time budget of 4000 ms ran out after 3 of 7 rounds. This is neither a pass nor a leak.',
    )
    expect(lines[3]).toBe('Fix: raise the `timeBudget` option (and the test timeout with it), or make each call cheaper.')
  })
})

test.each([
  [0, '0.0 B'],
  [41.94, '41.9 B'],
  [-5.7, '-5.7 B'],
  [999.9, '999.9 B'],
  [1000, '1.0 kB'],
  [12_345, '12.3 kB'],
  [3_200_000, '3.2 MB'],
  [4_100_000_000, '4.10 GB'],
])('formatBytes(%d) = %s', (bytes, text) => {
  expect(formatBytes(bytes)).toBe(text)
})
