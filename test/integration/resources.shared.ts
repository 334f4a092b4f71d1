/**
 * The resource-pair assertions shared by the Vitest and the Jest integration tests
 * (resources.test.ts, resources-jest.test.ts): each runner runs one fixture suite in which every pair
 * of test/fixtures/resources/cases.ts is a leaky test (must fail) and a clean test (must pass).
 * Per pair: the leaky test fails with a leak message that names the pair's signal in the table and in
 * the advice, and shows where the leaked items were created, with a frame inside the leaky function of
 * cases.ts; the clean twin passes. Numbers vary from run to run and are never pinned.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cases, teardown } from '../fixtures/resources/cases.js'
import { ROOT } from './harness/envs.js'
import type { RunReport, TestOutcome } from './harness/json-report.js'

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
  const family = key.slice(0, key.indexOf(':'))
  const kind = key.slice(key.indexOf(':') + 1)
  if (family === 'handles') return `${kind} handles`
  if (family === 'fds') return `${kind} fds`
  if (family === 'listeners') return `'${kind}' listeners`
  throw new Error(`not a resource key: ${key}`)
}

/** The start of the advice line for a signal key (src/message/format.ts). */
/** The advice line for the pair's signal (fds and listeners of several kinds share one line). */
function advice(key: string): RegExp {
  const kind = escape(key.slice(key.indexOf(':') + 1))
  if (key.startsWith('handles:')) return new RegExp(String.raw`^  - An? ${kind} handle stays open per call: `, 'm')
  if (key.startsWith('fds:')) return new RegExp(String.raw`^  - (A file descriptor \(${kind}\) stays|File descriptors \((\w+, )*${kind}(, \w+)*\) stay) open per call: `, 'm')
  return new RegExp(String.raw`^  - (An? '${kind}' listener is|('[^']+', )*('[^']+' and )?'${kind}'( and '[^']+'|, '[^']+')* listeners are) added per call and never removed: `, 'm')
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

/** What one runner's run of the fixture suite gives the assertions. */
export interface PairsRun {
  readonly report: RunReport
  /**
   * The verdicts a test's checks reached, when the runner records them (Vitest: `task.meta.leakspec`),
   * with the leaking keys; `undefined` when it does not (Jest: the message is the evidence).
   */
  readonly verdicts?: (test: TestOutcome) => Array<{ verdict: string; keys: string[] }>
}

/** Every test of the fixture suite, by full name, with its expected status. */
export function expectedStatuses(): Record<string, 'passed' | 'failed'> {
  return Object.fromEntries([
    ['runtime', 'passed'],
    ...cases.flatMap((pair) => [
      [`${pair.name} leaky fails`, 'failed'],
      [`${pair.name} clean passes`, 'passed'],
    ]),
  ])
}

/**
 * Asserts that the run has exactly the fixture's tests with their expected statuses; on a mismatch the
 * failure texts of the tests in question say why (an `inconclusive` names the budget it ran out of).
 */
export function expectStatuses(report: RunReport, runner: 'vitest' | 'jest'): void {
  const expected = expectedStatuses()
  // Vitest reports only load errors per file; Jest also puts the failures of a file there.
  if (runner === 'vitest') expect([...report.fileErrors]).toEqual([])
  else for (const [file, message] of report.fileErrors) expect(message, file).not.toMatch(/Test suite failed to run/)
  const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
  const failures = [...report.tests.values()]
    .filter((found) => found.status !== expected[found.fullName])
    .map((found) => `--- ${found.fullName}\n${found.failureMessages.join('\n')}`)
  expect(statuses, failures.join('\n')).toEqual(expected)
}

/**
 * Defines one `describe` per pair (call it inside the runner's `describe`, after the `beforeAll` that
 * sets the run). `run()` returns the finished run. `knownGaps` names pairs (by name) whose leaky test
 * is known to fail without a creation stack in this runner, with the reason: for those the test pins
 * the gap (`without a creation stack`), so it fails once the gap is closed and the entry must go.
 */
export function describePairs(run: () => PairsRun, knownGaps: Readonly<Record<string, string>> = {}): void {
  // Importing cases.ts made its temporary files (teardown removes them; it may run more than once).
  afterAll(teardown)
  const bodies = leakyBodies()
  const test = (name: string): TestOutcome => {
    const found = run().report.tests.get(name)
    if (!found) throw new Error(`no test named "${name}"; the report has: ${[...run().report.tests.keys()].join(' | ')}`)
    return found
  }

  for (const pair of cases) {
    describe(pair.name, () => {
      it(`leaky: fails with a leak of ${pair.key}, created inside the leaky function in cases.ts`, () => {
        const found = test(`${pair.name} leaky fails`)
        const message = found.failureMessages[0] ?? ''
        expect(found.status).toBe('failed')
        const verdicts = run().verdicts?.(found)
        if (verdicts) {
          expect(verdicts.map((check) => check.verdict), message).toEqual(['leak'])
          expect(verdicts[0]?.keys, message).toContain(pair.key)
        }
        expect(message.split('\n')[0], message).toBe('Error: expect(fn).not.toLeak(options)')
        expect(message).toMatch(/^Expected the function not to leak, but each call leaves about /m)
        // The signal, in the table of leaking signals and in the advice.
        expect(message).toMatch(new RegExp(String.raw`^  ${escape(label(pair.key))} +\d+(?:\.\d+)? per call$`, 'm'))
        expect(message.slice(message.indexOf('\nWhat to try:\n'))).toMatch(advice(pair.key))
        // Its creation (add-site) stacks, with a frame inside the leaky function of cases.ts.
        const block = creationBlock(message, pair.key)
        expect(block, message).toBeDefined()
        if (knownGaps[pair.name] !== undefined) {
          expect(block, `known gap (${knownGaps[pair.name]}) is closed: remove it`).toMatch(/^ {4}\d+ without a creation stack/m)
          return
        }
        const [first, end] = bodies.get(pair.name)!
        const lines = [...block!.matchAll(/fixtures\/resources\/cases\.ts:(\d+):\d+/g)].map((match) => Number(match[1]))
        expect(lines.some((line) => line >= first && line < end), `${block}\n(leaky function: lines ${first}-${end - 1})`).toBe(true)
      })

      it('clean: passes with a clean verdict', () => {
        const found = test(`${pair.name} clean passes`)
        expect(found.status, found.failureMessages.join('\n')).toBe('passed')
        const verdicts = run().verdicts?.(found)
        if (verdicts) expect(verdicts.map((check) => check.verdict)).toEqual(['clean'])
      })
    })
  }
}
