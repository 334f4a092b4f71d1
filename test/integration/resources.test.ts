// The resource pairs of test/fixtures/resources/cases.ts through real Vitest: 4.1 on Node 20 and 5 on
// Node 24, one `vitest run` of test/fixtures/resources-vitest each (the fixture imports the pairs from
// cases.ts). Per pair: the leaky test fails with a leak under the pair's key, the message names that
// signal and shows where the leaked items were created, with a frame inside the leaky function in
// cases.ts; the clean twin passes with a clean verdict. Repeated fresh-process figures:
// test/fixtures/resources/fp-runner.mjs and the benchmark.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cases, teardown } from '../fixtures/resources/cases.js'
import { getEnv, ROOT } from './harness/envs.js'
import { outcome, type TestOutcome } from './harness/json-report.js'
import { runVitestFixture, type VitestRun } from './harness/vitest.js'

// Importing cases.ts made its temporary files; nothing else of it runs here.
afterAll(teardown)

const CASES_FILE = join(ROOT, 'test', 'fixtures', 'resources', 'cases.ts')

/** The lines of each pair's leaky function in cases.ts, by pair name: [first, end) (1-based). */
function leakyBodies(): Map<string, readonly [number, number]> {
  const lines = readFileSync(CASES_FILE, 'utf8').split('\n')
  const bodies = new Map<string, readonly [number, number]>()
  for (const pair of cases) {
    const quoted = [`'${pair.name}'`, `"${pair.name}"`]
    const nameAt = lines.findIndex((line) => /^\s+name: /.test(line) && quoted.some((text) => line.includes(text)))
    const leakyAt = lines.findIndex((line, i) => i > nameAt && /^\s+leaky: /.test(line))
    const cleanAt = lines.findIndex((line, i) => i > leakyAt && /^\s+clean: /.test(line))
    if (nameAt < 0 || leakyAt < 0 || cleanAt < 0) throw new Error(`cannot find the leaky function of "${pair.name}" in cases.ts`)
    bodies.set(pair.name, [leakyAt + 1, cleanAt + 1])
  }
  return bodies
}

/** How the message names a signal key (src/message/format.ts): `Timeout handles`, `file fds`, `'abort' listeners`. */
function label(key: string): string {
  const [family, kind] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)]
  if (family === 'handles') return `${kind} handles`
  if (family === 'fds') return `${kind} fds`
  if (family === 'listeners') return `'${kind}' listeners`
  throw new Error(`not a resource key: ${key}`)
}

/** The start of the advice line for a signal key (src/message/format.ts). */
function advice(key: string): string {
  const kind = key.slice(key.indexOf(':') + 1)
  if (key.startsWith('handles:')) return `  - A ${kind} handle stays open per call: `
  if (key.startsWith('fds:')) return `  - A file descriptor (${kind}) stays open per call: `
  return `'${kind}' listener is added per call and never removed: `
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The block of "Where the leaked items were created" that belongs to one signal (its frames). */
function creationBlock(message: string, key: string): string | undefined {
  const lines = message.split('\n')
  const start = lines.findIndex((line) => line.startsWith('Where the leaked items were created'))
  if (start < 0) return undefined
  const header = new RegExp(String.raw`^  ${escape(label(key))}: \d+ still open$`)
  const at = lines.findIndex((line, i) => i > start && header.test(line))
  if (at < 0) return undefined
  const end = lines.findIndex((line, i) => i > at && (line === '' || /^ {0,2}\S/.test(line)))
  return lines.slice(at, end < 0 ? undefined : end).join('\n')
}

interface LeakspecMeta {
  checks: Array<{ verdict: string; leaks: Array<{ key: string; perCall: number }> }>
}

const checks = (test: TestOutcome): LeakspecMeta['checks'] =>
  (test.meta?.['leakspec'] as LeakspecMeta | undefined)?.checks ?? []

const ENVS = [
  { env: 'vitest4', node: 'system', vitest: /^4\.1\.\d+$/, nodeVersion: /^v20\./ },
  { env: 'vitest5', node: 'node24', vitest: /^5\.\d+\.\d+$/, nodeVersion: /^v24\./ },
] as const

describe.each(ENVS)('resource pairs in $env', (spec) => {
  let vitestRun: VitestRun
  const bodies = leakyBodies()

  beforeAll(async () => {
    vitestRun = await runVitestFixture(getEnv(spec.env, spec.node), 'resources-vitest')
  })

  const test = (name: string): TestOutcome => outcome(vitestRun.report, name)

  it('runs the expected Node and Vitest, every test, with no load or unhandled errors', () => {
    const runtime = test('runtime').meta?.['runtime'] as Record<string, string> | undefined
    expect(runtime?.['node']).toMatch(spec.nodeVersion)
    expect(runtime?.['vitest']).toMatch(spec.vitest)
    const { report, result } = vitestRun
    expect([...report.fileErrors]).toEqual([])
    const expected = Object.fromEntries([
      ['runtime', 'passed'],
      ...cases.flatMap((pair) => [
        [`${pair.name} leaky fails`, 'failed'],
        [`${pair.name} clean passes`, 'passed'],
      ]),
    ])
    const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
    // On a mismatch, the failure texts say why (an `inconclusive` names the budget it ran out of).
    const failures = [...report.tests.values()]
      .filter((found) => found.status !== expected[found.fullName])
      .map((found) => `--- ${found.fullName}\n${found.failureMessages.join('\n')}`)
    expect(statuses, failures.join('\n')).toEqual(expected)
    expect(result.code).toBe(1)
    expect(result.timedOut).toBe(false)
    expect(result.stdout + result.stderr).not.toMatch(/Unhandled (Errors|Rejection)/i)
  })

  for (const pair of cases.map((item) => ({ ...item, label: label(item.key) }))) {
    describe(pair.name, () => {
      it(`leaky: fails with a leak of ${pair.key}, created inside the leaky function in cases.ts`, () => {
        const found = test(`${pair.name} leaky fails`)
        expect(found.status).toBe('failed')
        const message = found.failureMessages[0] ?? ''
        const [check] = checks(found)
        expect(check?.verdict, message).toBe('leak')
        expect(check?.leaks.map((leak) => leak.key), message).toContain(pair.key)
        expect(message.split('\n')[0]).toBe('Error: expect(fn).not.toLeak(options)')
        expect(message).toMatch(/^Expected the function not to leak, but each call leaves about /m)
        // The signal, in the table of leaking signals and in the advice.
        expect(message).toMatch(new RegExp(String.raw`^  ${escape(pair.label)} +\d+(?:\.\d+)? per call$`, 'm'))
        expect(message.slice(message.indexOf('\nWhat to try:\n'))).toContain(advice(pair.key))
        // Its creation (add-site) stacks, with a frame inside the leaky function of cases.ts.
        const block = creationBlock(message, pair.key)
        expect(block, message).toBeDefined()
        const [first, end] = bodies.get(pair.name)!
        const lines = [...block!.matchAll(/fixtures\/resources\/cases\.ts:(\d+):\d+/g)].map((match) => Number(match[1]))
        expect(lines.some((line) => line >= first && line < end), `${block}\n(leaky function: lines ${first}-${end - 1})`).toBe(true)
      })

      it('clean: passes with a clean verdict', () => {
        const found = test(`${pair.name} clean passes`)
        expect(found.status, found.failureMessages.join('\n')).toBe('passed')
        expect(checks(found).map((check) => check.verdict)).toEqual(['clean'])
      })
    })
  }
})
