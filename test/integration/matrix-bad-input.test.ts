// Bad input through the matchers in real runners: test/fixtures/matrix/bad-input-vitest with Vitest
// 4.1 (Node 20) and 5 (Node 24), test/fixtures/matrix/bad-input-jest with Jest 29 (Node 20) and 30
// (Node 24). Each misuse fails its test with a specific error naming the fix — never a leak verdict,
// never a silent pass. (The function's own errors, `not a function` and an unknown option are pinned
// in the main integration suites; GC unavailable in test/unit/bad-input.test.ts.)
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT } from './harness/envs.js'
import { runJest, type JestRun } from './harness/jest.js'
import { outcome, type RunReport } from './harness/json-report.js'
import type { RunResult } from './harness/run.js'
import { runVitestFixture } from './harness/vitest.js'

const CALL_TIMEOUT = /^LeakCheckError: leakspec: call 1 of the function under test did not settle within 100 ms \(its promise or thenable never resolved or rejected\)\. This is not a leak verdict\. Fix: make sure every call settles, or raise the `callTimeout` option\./
const WRONG_TYPE = /^TypeError: leakspec: toLeak option `rounds` must be an integer from 3 to 16; received "9" \(string\)\. Fix: pass for example \{ rounds: 8 \}, or leave it out for the default \(7\)\./
const OUT_OF_RANGE = /^TypeError: leakspec: toLeak option `rounds` must be an integer from 3 to 16; received 1 \(number\)\. Fix: pass for example \{ rounds: 8 \}/
const NOT_AN_OBJECT = /^TypeError: leakspec: toLeak options must be an object; received 9 \(number\)\. Fix: pass an object such as \{ rounds: 8 \}, or nothing for the defaults\./
const OVERLAP = /^LeakCheckError: leakspec: another leak check is already running in this thread\. .*Fix: `await` each check before starting the next/
const CONCURRENT = /^TypeError: leakspec: expect\(fn\)\.not\.toLeak\(\) cannot run in a concurrent test.*This is not a leak verdict\. Fix: make this test sequential \(`test\(\.\.\.\)` instead of `test\.concurrent\(\.\.\.\)`/
const OUTSIDE = /TypeError: leakspec: expect\(fn\)\.not\.toLeak\(\) was called outside a test \(in a beforeAll or afterAll hook, or at the top level of a file\).*Fix: move the check into a test/

interface Case {
  readonly test: string
  readonly status: 'passed' | 'failed'
  readonly message?: RegExp
}

/** The cases shared by both runners (test names differ only for the concurrent ones). */
function cases(concurrent: readonly string[], beforeAllTest: string, afterAllTest: string): Case[] {
  return [
    { test: 'a thenable that never calls back', status: 'failed', message: CALL_TIMEOUT },
    { test: 'an option of the wrong type', status: 'failed', message: WRONG_TYPE },
    { test: 'an option out of range', status: 'failed', message: OUT_OF_RANGE },
    { test: 'options that are not an object', status: 'failed', message: NOT_AN_OBJECT },
    { test: 'two toLeak at once in one test', status: 'failed', message: OVERLAP },
    { test: 'a check after two at once still works', status: 'passed' },
    ...concurrent.map((test): Case => ({ test, status: 'failed', message: CONCURRENT })),
    { test: beforeAllTest, status: 'failed', message: OUTSIDE },
    { test: afterAllTest, status: 'passed' },
  ]
}

const VITEST_CASES = cases(
  ['describe.concurrent concurrent a', 'describe.concurrent concurrent b', 'test.concurrent with a check'],
  'in beforeAll toLeak in beforeAll',
  'in afterAll toLeak in afterAll: the test before the hook',
)
const JEST_CASES = cases(['concurrent a', 'concurrent b'], 'in beforeAll toLeak in beforeAll', 'in afterAll toLeak in afterAll: the test before the hook')

function expectCases(report: RunReport, result: RunResult, expected: readonly Case[], label: string): void {
  const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
  expect(statuses, `${label}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`).toEqual(
    Object.fromEntries(expected.map((item) => [item.test, item.status])),
  )
  for (const item of expected) {
    const found = outcome(report, item.test)
    if (!item.message) continue
    // One error per test: two checks at once fail with OVERLAP only (no second, "not awaited", error).
    expect(found.failureMessages, `${label} › ${item.test}`).toHaveLength(1)
    expect(found.failureMessages[0], `${label} › ${item.test}`).toMatch(item.message)
    expect(found.failureMessages[0]).not.toMatch(/Expected the function/)
  }
  expect(result.timedOut, label).toBe(false)
}

describe.each([
  { env: 'vitest4', vitest: /^4\.1\./ },
  { env: 'vitest5', vitest: /^5\./ },
])('bad input through the matchers: $env', (spec) => {
  let report: RunReport
  let result: RunResult

  beforeAll(async () => {
    const run = await runVitestFixture(getEnv(spec.env), 'matrix/bad-input-vitest')
    report = run.report
    result = run.result
  })

  it('runs the expected Vitest', () => {
    expect(/\bRUN\s+v(\S+)/.exec(result.stdout)?.[1]).toMatch(spec.vitest)
  })

  it('fails each misuse with its own error naming the fix', () => {
    expectCases(report, result, VITEST_CASES, spec.env)
  })

  it('fails the suite of a check in afterAll, saying to move it into a test', () => {
    expect(result.stdout + result.stderr).toMatch(OUTSIDE)
    expect(result.code).toBe(1)
  })
})

describe.each([{ env: 'jest29' }, { env: 'jest30' }])('bad input through the matchers: $env', (spec) => {
  let run: JestRun

  beforeAll(async () => {
    const env = getEnv(spec.env)
    const work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'matrix', 'bad-input-jest'), 'bad-input-jest', true)
    run = await runJest(env, work, { name: 'bad-input', mode: 'main', nodeArgs: ['--expose-gc'], jestArgs: ['--runInBand'] })
  })

  it('fails each misuse with its own error naming the fix', () => {
    expectCases(run.report, run.result, JEST_CASES, spec.env)
  })

  it('fails the file of a check in afterAll, saying to move it into a test', () => {
    expect(run.result.stdout + run.result.stderr).toMatch(/afterAll error: leakspec: expect\(fn\)\.not\.toLeak\(\) was called outside a test/)
    const fileMessages = [...run.report.fileErrors.values()].join('\n')
    expect(fileMessages).toMatch(OUTSIDE)
    expect(run.result.code).toBe(1)
  })
})
