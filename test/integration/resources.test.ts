// The resource pairs of test/fixtures/resources/cases.ts through real Vitest: 4.1 on Node 20 and 5 on
// Node 24, one `vitest run` of test/fixtures/resources-vitest each (the fixture imports the pairs from
// cases.ts). Per pair: the leaky test fails with a leak under the pair's key (task.meta), the message
// names that signal and shows where the leaked items were created, with a frame inside the leaky
// function of cases.ts; the clean twin passes with a clean verdict (assertions: resources.shared.ts).
// Repeated fresh-process figures: test/fixtures/resources/fp-runner.mjs and the benchmark.
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv } from './harness/envs.js'
import type { TestOutcome } from './harness/json-report.js'
import { runVitestFixture, type VitestRun } from './harness/vitest.js'
import { describePairs, expectStatuses } from './resources.shared.js'

interface LeakspecMeta {
  checks: Array<{ verdict: string; leaks: Array<{ key: string; perCall: number }> }>
}

const verdicts = (test: TestOutcome): Array<{ verdict: string; keys: string[] }> =>
  ((test.meta?.['leakspec'] as LeakspecMeta | undefined)?.checks ?? []).map((check) => ({
    verdict: check.verdict,
    keys: check.leaks.map((leak) => leak.key),
  }))

const ENVS = [
  { env: 'vitest4', node: 'system', vitest: /^4\.1\.\d+$/, nodeVersion: /^v20\./ },
  { env: 'vitest5', node: 'node24', vitest: /^5\.\d+\.\d+$/, nodeVersion: /^v24\./ },
] as const

// Both runs start together: each check measures only its own process, and on a machine with a spare
// core this halves the wall time (the suite is mostly leaky checks of slow resources).
const runs = new Map<string, Promise<VitestRun>>()
beforeAll(() => {
  for (const spec of ENVS) {
    const started = runVitestFixture(getEnv(spec.env, spec.node), 'resources-vitest')
    started.catch(() => {}) // awaited (and reported) by its own describe
    runs.set(spec.env, started)
  }
})

describe.each(ENVS)('resource pairs in $env', (spec) => {
  let vitestRun: VitestRun

  beforeAll(async () => {
    vitestRun = await runs.get(spec.env)!
  })

  it('runs the expected Node and Vitest, every test with its expected status, no unhandled errors', () => {
    const runtime = vitestRun.report.tests.get('runtime')?.meta?.['runtime'] as Record<string, string> | undefined
    expect(runtime?.['node']).toMatch(spec.nodeVersion)
    expect(runtime?.['vitest']).toMatch(spec.vitest)
    expectStatuses(vitestRun.report, 'vitest')
    expect(vitestRun.result.code).toBe(1)
    expect(vitestRun.result.timedOut).toBe(false)
    expect(vitestRun.result.stdout + vitestRun.result.stderr).not.toMatch(/Unhandled (Errors|Rejection)/i)
  })

  describePairs(() => ({ report: vitestRun.report, verdicts }))
})
