// The leak-check hook in real Vitest: 4.1 on Node 20 and 5.1 on Node 24. One run of the fixture
// suite (tags, leakTest, the `files` glob) and one run of an unmodified suite with LEAKSPEC=all.
// Verdicts are statistics; these are single runs (quick mode), and `node test/integration/hook-stability.mjs`
// repeats them in fresh processes.
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv } from './harness/envs.js'
import { outcome, type TestOutcome } from './harness/json-report.js'
import { firstFailure, runHookFixture, vitestHookResult, type HookRun } from './hook.shared.js'

const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'outer inner clean tagged test with nested hooks': 'passed',
  'leak in beforeEach tagged test whose beforeEach leaks': 'failed',
  'leak in afterEach tagged test whose afterEach leaks': 'failed',
  'leak in the body leakTest whose body leaks': 'failed',
  'leakTest whose body leaves an interval open': 'failed',
  'stateful hooks an interval opened in beforeEach and closed in afterEach is clean': 'passed',
  'expect.assertions counts each repetition': 'passed',
  'a failing tagged test fails with its own assertion': 'failed',
  'failing beforeEach a tagged test whose beforeEach throws fails with that error': 'failed',
  'a tagged test failing on its third run': 'failed',
  'a slow test is inconclusive within its budget': 'failed',
  'concurrent concurrent sibling': 'passed',
  'concurrent a concurrent tagged test runs on its own': 'passed',
  'an untagged test runs once': 'passed',
  'glob-selected clean test': 'passed',
  'glob-selected leaky test': 'failed',
  'cart adds items': 'passed',
  'cart totals': 'passed',
  'cart async lookup': 'passed',
}

const HEADLINE = /^Expected the function not to leak, but it leaks about \d+(?:\.\d+)? (?:B|kB) of heap per call\.$/m

describe.each([
  { env: 'vitest4', node: 'system' as const, version: /^v20\./ },
  { env: 'vitest5', node: 'node24' as const, version: /^v24\./ },
])('leak-check hook in Vitest ($env)', ({ env: name, node }) => {
  let main: HookRun
  let whole: HookRun

  beforeAll(async () => {
    const env = getEnv(name, node)
    main = await runHookFixture(env, { runner: 'vitest', name: 'hook-vitest' })
    whole = await runHookFixture(env, { runner: 'vitest', name: 'hook-vitest-all', args: ['plain'], env: { LEAKSPEC: 'all' } })
  })

  const test = (fullName: string): TestOutcome => outcome(main.report, fullName)
  const leakMessage = (fullName: string, file: string, path: string): string => {
    const found = test(fullName)
    expect(found.status).toBe('failed')
    const message = firstFailure(found)
    expect(message.split('\n')[0]).toMatch(
      new RegExp(
        String.raw`^LeakError: leakspec: leak check of test "${file} > ${path}" \(each call is one repetition: \d+ beforeEach hook\(s\), ` +
          String.raw`the test, \d+ afterEach hook\(s\); Vitest's 5000 ms test timeout applies to each repetition, not to the whole check\)$`,
      ),
    )
    if (message.includes('decided by the count schedule')) {
      // A resource left open per repetition is decided as a count, before the heap rounds (no heap floor).
      expect(message).toMatch(/^  after call +0 +1 +2 +4 +8 +16 +32/m)
    } else {
      expect(message).toContain('heap floor 64 B per call')
      expect(message).toContain('  (* counted rounds)')
    }
    return message
  }
  /** Hooks and body ran once per repetition: every counter of `key` equals the reported repetitions. */
  const expectOncePerRepetition = (key: string, fullName: string, file = 'hook.test.ts'): void => {
    const result = vitestHookResult(test(fullName))
    expect(result?.repetitions).toBeGreaterThan(20)
    const counters = main.counts[file]?.counts[key]
    expect(counters).toBeDefined()
    for (const [what, value] of Object.entries(counters!)) expect([what, value]).toEqual([what, result?.repetitions])
  }

  it('reports one result per test, with the expected outcome, and no file errors', () => {
    expect([...main.report.fileErrors]).toEqual([])
    const statuses = Object.fromEntries([...main.report.tests.values()].map((found) => [found.fullName, found.status]))
    expect(statuses).toEqual(EXPECTED)
    expect(main.report.numTotalTests).toBe(Object.keys(EXPECTED).length)
    expect(main.result.timedOut).toBe(false)
  })

  it('catches a leak in beforeEach, in afterEach and in the body, running the hooks once per repetition', () => {
    for (const [fullName, path, key] of [
      ['leak in beforeEach tagged test whose beforeEach leaks', 'leak in beforeEach > tagged test whose beforeEach leaks', 'before'],
      ['leak in afterEach tagged test whose afterEach leaks', 'leak in afterEach > tagged test whose afterEach leaks', 'after'],
      ['leak in the body leakTest whose body leaks', 'leak in the body > leakTest whose body leaks', 'body'],
    ] as const) {
      expect(leakMessage(fullName, 'hook.test.ts', path)).toMatch(HEADLINE)
      const result = vitestHookResult(test(fullName))
      expect(result?.status).toBe('leak')
      expect(result?.check?.leaks.map((leak) => leak.key)).toContain('heap')
      expectOncePerRepetition(key, fullName)
    }
  })

  it('names a handle left open per repetition', () => {
    const message = leakMessage('leakTest whose body leaves an interval open', 'hook.test.ts', 'leakTest whose body leaves an interval open')
    expect(message).toMatch(/^Expected the function not to leak, but each call leaves about 1 Timeout handle open/m)
    expect(vitestHookResult(test('leakTest whose body leaves an interval open'))?.check?.leaks).toContainEqual({
      key: 'handles:Timeout',
      perCall: 1,
    })
  })

  it('passes clean tests and records their figures; nested hooks run in order, once per repetition', () => {
    for (const fullName of [
      'outer inner clean tagged test with nested hooks',
      'stateful hooks an interval opened in beforeEach and closed in afterEach is clean',
      'expect.assertions counts each repetition',
      'glob-selected clean test',
    ]) {
      const result = vitestHookResult(test(fullName))
      expect([fullName, result?.status]).toEqual([fullName, 'clean'])
      const checks = (test(fullName).meta?.['leakspec'] as { checks: unknown[] } | undefined)?.checks
      expect(checks).toHaveLength(1)
    }
    expectOncePerRepetition('nested', 'outer inner clean tagged test with nested hooks')
    const cycle = ['outer-before', 'inner-before', 'body', 'inner-after', 'outer-after']
    expect(main.counts['hook.test.ts']?.order['nested']?.slice(0, 10)).toEqual([...cycle, ...cycle])
    expect(vitestHookResult(test('outer inner clean tagged test with nested hooks'))?.hooks).toEqual({
      beforeEach: 2,
      afterEach: 3, // the two in the fixture and leakspec's unawaited-check guard
    })
  })

  it('selects whole files by the `files` glob, and leaves other tests alone', () => {
    expect(leakMessage('glob-selected leaky test', 'files.leak.test.ts', 'glob-selected leaky test')).toMatch(HEADLINE)
    expect(main.counts['hook.test.ts']?.counts['untagged']).toEqual({ body: 1 })
    expect(vitestHookResult(test('an untagged test runs once'))).toBeUndefined()
    expect(main.counts['unmodified.test.ts']?.counts['cart']).toEqual({ before: 3, body: 1, after: 3 })
  })

  it("reports a test's own failure as that failure, never as a leak verdict", () => {
    const own = firstFailure(test('a failing tagged test fails with its own assertion'))
    expect(own).toMatch(/^AssertionError: expected 2 to be 3/)
    expect(own.split('\n')[0]).not.toMatch(/leak/i)
    expect(firstFailure(test('failing beforeEach a tagged test whose beforeEach throws fails with that error'))).toMatch(
      /^Error: set-up broke/,
    )
    expect(firstFailure(test('a tagged test failing on its third run'))).toMatch(
      /^LeakCheckError: leakspec: test "hook\.test\.ts > a tagged test failing on its third run" passed 2 repetition\(s\) of its leak check, then failed on repetition 3: Error: third run\. This is not a leak verdict/,
    )
    expect(vitestHookResult(test('a tagged test failing on its third run'))).toMatchObject({ status: 'failed', failedAt: 3 })
  })

  it('gives a slow test an honest inconclusive within its budget', () => {
    const message = firstFailure(test('a slow test is inconclusive within its budget'))
    expect(message).toMatch(/^LeakCheckError: leakspec: leak check of test /)
    expect(message).toMatch(/leakspec could not reach a verdict: the time budget of 400 ms \(not counting forced GCs\) ran out after \d+ of 7 rounds/)
    expect(message).toContain('This is neither a pass nor a leak.')
    expect(vitestHookResult(test('a slow test is inconclusive within its budget'))?.status).toBe('inconclusive')
  })

  it('runs a concurrent selected test on its own', () => {
    expect(vitestHookResult(test('concurrent a concurrent tagged test runs on its own'))).toMatchObject({
      status: 'clean',
      serialized: true,
    })
  })

  it('LEAKSPEC=all runs an unmodified suite as leak checks, hooks once per repetition', () => {
    expect([...whole.report.fileErrors]).toEqual([])
    const tests = [...whole.report.tests.values()]
    expect(tests.map((found) => [found.fullName, found.status])).toEqual([
      ['cart adds items', 'passed'],
      ['cart totals', 'passed'],
      ['cart async lookup', 'passed'],
    ])
    const results = tests.map((found) => vitestHookResult(found))
    for (const result of results) expect(result?.status).toBe('clean')
    const total = results.reduce((sum, result) => sum + (result?.repetitions ?? 0), 0)
    expect(whole.counts['unmodified.test.ts']?.counts['cart']).toEqual({
      before: total,
      body: results[0]?.repetitions,
      after: total,
    })
  })
})
