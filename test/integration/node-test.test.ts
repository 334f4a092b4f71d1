/**
 * leakspec without a test runner of its own: real `node --test` in a subprocess, on Node 20 and Node
 * 24, with the built package installed the way npm would. The leaky test must fail with the leak
 * message (and its diagnosis), the clean ones must pass — with GC from the runtime fallback (no flag)
 * and with --expose-gc.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { join } from 'node:path'
import { getEnv, NODE24, prepareWork, ROOT } from './harness/envs.js'
import { run } from './harness/run.js'

const FIXTURES = join(ROOT, 'test', 'fixtures', 'node-test')

let work: string

beforeAll(() => {
  // The node24 environment provides the Node 24 binary; the work copy gets the built leakspec.
  work = prepareWork(getEnv('node24'), FIXTURES, 'node-test', true)
}, 180_000)

/** TAP results by test name: `ok` or `not ok`, and the YAML details that follow the line. */
function tapResults(tap: string): Map<string, { ok: boolean; details: string }> {
  const results = new Map<string, { ok: boolean; details: string }>()
  const lines = tap.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^(not ok|ok) \d+ - (.*)$/.exec(lines[i]!)
    if (!match) continue
    const details: string[] = []
    for (let j = i + 1; j < lines.length && !/^(not ok|ok) \d+ - |^# Subtest:/.test(lines[j]!); j++) details.push(lines[j]!)
    results.set(match[2]!, { ok: match[1] === 'ok', details: details.join('\n') })
  }
  return results
}

describe.each([
  ['Node 20', process.execPath, []],
  ['Node 24', NODE24, ['--expose-gc']],
] as const)('node:test on %s', (_label, node, flags) => {
  test('the leaky test fails with the leak message, the clean ones pass', async () => {
    const result = await run(node, [...flags, '--test', '--test-reporter=tap', 'leaky.test.mjs', 'clean.test.mjs'], {
      cwd: work,
      timeoutMs: 240_000,
    })
    const output = `${result.stdout}\n${result.stderr}`
    expect(result.timedOut, output).toBe(false)
    expect(result.code, output).toBe(1)
    const results = tapResults(result.stdout)
    const leaky = results.get('remember() keeps every request (leaky)')
    expect(leaky?.ok, output).toBe(false)
    expect(leaky?.details).toMatch(/name: 'LeakError'/)
    expect(leaky?.details).toMatch(/Expected the function not to leak, but it leaks about [\d.]+ B of heap per call\./)
    expect(leaky?.details).toMatch(new RegExp(`gc ${flags.length > 0 ? 'exposed' : 'fallback'}`))
    expect(leaky?.details).toMatch(/held by: +… › module scope \(leaky\.test\.mjs\) › seen: Map › entry › Object/)
    expect(results.get('remember() keeps the last 100 requests (clean)')?.ok, output).toBe(true)
    expect(results.get('measureLeaks reports it clean')?.ok, output).toBe(true)
  }, 300_000)
})
