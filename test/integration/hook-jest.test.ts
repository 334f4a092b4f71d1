// The leak-check hook in real Jest: 29 on Node 20 and 30 on Node 24 (leakspec/jest-environment).
// One run of the fixture suite (leakTest, the `files` glob) and one run of an unmodified suite with
// LEAKSPEC=all. Single runs (quick mode); `node test/integration/hook-stability.mjs` repeats them.
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv } from './harness/envs.js'
import { outcome, type TestOutcome } from './harness/json-report.js'
import { firstFailure, readSidecars, runHookFixture, type HookResultLike, type HookRun } from './hook.shared.js'

const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'outer inner clean leakTest with nested hooks': 'passed',
  'leak in beforeEach leakTest whose beforeEach leaks': 'failed',
  'leak in afterEach leakTest whose afterEach leaks': 'failed',
  'leak in the body leakTest whose body leaks': 'failed',
  'leakTest whose body leaves an interval open': 'failed',
  'stateful hooks an interval opened in beforeEach and closed in afterEach is clean': 'passed',
  'done callbacks a done-callback test with a done-callback beforeEach is clean': 'passed',
  'expect.assertions counts each repetition': 'passed',
  'a failing leakTest fails with its own assertion': 'failed',
  'failing beforeEach a leakTest whose beforeEach throws fails with that error': 'failed',
  'a leakTest failing on its third run': 'failed',
  'a slow test is inconclusive within its budget': 'failed',
  'an ordinary test runs once': 'passed',
  'glob-selected clean test': 'passed',
  'glob-selected leaky test': 'failed',
  'a concurrent test in a selected file runs unwrapped': 'passed',
  'cart adds items': 'passed',
  'cart totals': 'passed',
  'cart async lookup': 'passed',
}

const HEADLINE = /^Expected the function not to leak, but it leaks about \d+(?:\.\d+)? (?:B|kB) of heap per call\.$/m

describe.each([{ env: 'jest29' }, { env: 'jest30' }])('leak-check hook in Jest ($env)', ({ env: name }) => {
  let main: HookRun
  let whole: HookRun
  let records: Map<string, { status: string; leakspec: HookResultLike }>
  let skipped: Array<{ fullName: string; reason: string }>

  beforeAll(async () => {
    const env = getEnv(name)
    main = await runHookFixture(env, { runner: 'jest', name: 'hook-jest' })
    whole = await runHookFixture(env, { runner: 'jest', name: 'hook-jest-all', args: ['plain'], env: { LEAKSPEC: 'all' } })
    records = new Map()
    skipped = []
    for (const file of readSidecars(main.work)) {
      for (const entry of file.tests) records.set(entry.fullName, entry)
      skipped.push(...file.skipped)
    }
  })

  const test = (fullName: string): TestOutcome => outcome(main.report, fullName)
  const record = (fullName: string): HookResultLike | undefined => records.get(fullName)?.leakspec
  const leakMessage = (fullName: string): string => {
    const found = test(fullName)
    expect(found.status).toBe('failed')
    const message = firstFailure(found)
    expect(message.split('\n')[0]).toMatch(
      new RegExp(
        String.raw`^LeakError: leakspec: leak check of test "${fullName}" \(each call is one repetition: \d+ beforeEach hook\(s\), the test, ` +
          String.raw`\d+ afterEach hook\(s\); Jest's 5000 ms timeout applies to each repetition; the test's timeout was raised to \d+ ms for the whole check\)$`,
      ),
    )
    if (message.includes('decided by the count schedule')) {
      // A resource left open per repetition is decided as a count, before the heap rounds (no heap floor).
      expect(message).toMatch(/^  after call +0 +1 +2 +4 +8 +16 +32/m)
    } else {
      expect(message).toContain('heap floor 64 B per call')
    }
    return message
  }
  const expectOncePerRepetition = (key: string, fullName: string): void => {
    const repetitions = record(fullName)?.repetitions
    expect(repetitions).toBeGreaterThan(20)
    const counters = main.counts['hook.test.js']?.counts[key]
    expect(counters).toBeDefined()
    for (const [what, value] of Object.entries(counters!)) expect([what, value]).toEqual([what, repetitions])
  }

  it('reports one result per test, with the expected outcome', () => {
    // (Jest's file-level `message` summarises the failed tests, so fileErrors is not empty here.)
    const statuses = Object.fromEntries([...main.report.tests.values()].map((found) => [found.fullName, found.status]))
    const files = [...main.report.fileErrors].map(([file, message]) => `${file}: ${message.slice(0, 2000)}`).join('\n')
    expect(statuses, `file messages:\n${files}\n--- stderr\n${main.result.stderr.slice(-3000)}`).toEqual(EXPECTED)
    expect(main.report.numTotalTests).toBe(Object.keys(EXPECTED).length)
  })

  it('catches a leak in beforeEach, in afterEach and in the body, running the hooks once per repetition', () => {
    for (const [fullName, key] of [
      ['leak in beforeEach leakTest whose beforeEach leaks', 'before'],
      ['leak in afterEach leakTest whose afterEach leaks', 'after'],
      ['leak in the body leakTest whose body leaks', 'body'],
    ] as const) {
      expect(leakMessage(fullName)).toMatch(HEADLINE)
      expect(record(fullName)?.status).toBe('leak')
      expect(records.get(fullName)?.status).toBe('failed')
      expectOncePerRepetition(key, fullName)
    }
  })

  it('names a handle left open per repetition', () => {
    expect(leakMessage('leakTest whose body leaves an interval open')).toMatch(
      /^Expected the function not to leak, but each call leaves about 1 Timeout handle open/m,
    )
  })

  it('passes clean tests (done callbacks included) and records them in the sidecar file', () => {
    for (const fullName of [
      'outer inner clean leakTest with nested hooks',
      'stateful hooks an interval opened in beforeEach and closed in afterEach is clean',
      'done callbacks a done-callback test with a done-callback beforeEach is clean',
      'expect.assertions counts each repetition',
      'glob-selected clean test',
    ]) {
      expect([fullName, record(fullName)?.status, records.get(fullName)?.status]).toEqual([fullName, 'clean', 'passed'])
    }
    expectOncePerRepetition('nested', 'outer inner clean leakTest with nested hooks')
    const cycle = ['outer-before', 'inner-before', 'body', 'inner-after', 'outer-after']
    expect(main.counts['hook.test.js']?.order['nested']?.slice(0, 10)).toEqual([...cycle, ...cycle])
    expect(record('outer inner clean leakTest with nested hooks')?.timeoutNote).toMatch(
      /^Jest's 5000 ms timeout applies to each repetition; the test's timeout was raised to \d+ ms for the whole check$/,
    )
  })

  it('selects whole files by the files glob, leaves other tests alone, and never wraps a concurrent test', () => {
    expect(leakMessage('glob-selected leaky test')).toMatch(HEADLINE)
    expect(main.counts['hook.test.js']?.counts['ordinary']).toEqual({ body: 1 })
    expect(records.has('an ordinary test runs once')).toBe(false)
    expect(main.counts['files.leak.test.js']?.counts['concurrent']).toEqual({ body: 1 })
    expect(skipped).toEqual([
      {
        fullName: 'a concurrent test in a selected file runs unwrapped',
        reason: expect.stringMatching(/^test\.concurrent: /) as unknown as string,
      },
    ])
    expect(main.counts['unmodified.test.js']?.counts['cart']).toEqual({ before: 3, body: 1, after: 3 })
  })

  it("reports a test's own failure as that failure, never as a leak verdict", () => {
    const own = firstFailure(test('a failing leakTest fails with its own assertion'))
    expect(own).toMatch(/^Error: expect\(received\)\.toBe\(expected\)/)
    expect(own.split('\n')[0]).not.toMatch(/leak/i)
    expect(firstFailure(test('failing beforeEach a leakTest whose beforeEach throws fails with that error'))).toMatch(
      /^Error: set-up broke/,
    )
    expect(firstFailure(test('a leakTest failing on its third run'))).toMatch(
      /^LeakCheckError: leakspec: test "a leakTest failing on its third run" passed 2 repetition\(s\) of its leak check, then failed on repetition 3: Error: third run\. This is not a leak verdict/,
    )
    expect(record('a leakTest failing on its third run')).toMatchObject({ status: 'failed', failedAt: 3 })
  })

  it('gives a slow test an honest inconclusive within its budget', () => {
    const message = firstFailure(test('a slow test is inconclusive within its budget'))
    expect(message).toMatch(/leakspec could not reach a verdict: the time budget of 400 ms \(not counting forced GCs\) ran out after \d+ of 7 rounds/)
    expect(record('a slow test is inconclusive within its budget')?.status).toBe('inconclusive')
  })

  it('LEAKSPEC=all runs an unmodified suite as leak checks, hooks once per repetition', () => {
    expect([...whole.report.tests.values()].map((found) => [found.fullName, found.status])).toEqual([
      ['cart adds items', 'passed'],
      ['cart totals', 'passed'],
      ['cart async lookup', 'passed'],
    ])
    const [file] = readSidecars(whole.work)
    expect(file?.tests.map((entry) => [entry.fullName, entry.leakspec.status])).toEqual([
      ['cart adds items', 'clean'],
      ['cart totals', 'clean'],
      ['cart async lookup', 'clean'],
    ])
    const total = (file?.tests ?? []).reduce((sum, entry) => sum + entry.leakspec.repetitions, 0)
    expect(whole.counts['unmodified.test.js']?.counts['cart']).toEqual({
      before: total,
      body: file?.tests[0]?.leakspec.repetitions,
      after: total,
    })
  })
})
