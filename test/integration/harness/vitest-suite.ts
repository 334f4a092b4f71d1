/**
 * The Vitest integration suite, defined once and run against each environment: the fixture suite
 * test/fixtures/vitest with real Vitest in a subprocess, and the type tests test/types with tsc.
 * Messages are pinned by their stable parts; numbers vary from run to run, so they are matched by
 * pattern, never by value.
 */
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT, type TestEnv } from './envs.js'
import { outcome, type TestOutcome } from './json-report.js'
import { tsc } from './tsc.js'
import { runVitestFixture, type VitestRun } from './vitest.js'

/**
 * Asserts the count table of a count-schedule verdict: its header names `calls` and the row `label`
 * reads within `slack` items of `calls` at each checkpoint (one item leaked per call).
 */
function expectCountRow(message: string, label: string, calls: readonly number[], slack: number): void {
  const header = /^ {2}after call +([\d ]+)$/m.exec(message)
  expect(header?.[1]?.trim().split(/ +/).map(Number), message).toEqual(calls)
  const row = new RegExp(String.raw`^ {2}${label} +([-+\d ]+)$`, 'm').exec(message)
  const counts = row?.[1]?.trim().split(/ +/).map(Number) ?? []
  expect(counts, message).toHaveLength(calls.length)
  counts.forEach((count, i) => expect(Math.abs(count - calls[i]!), message).toBeLessThanOrEqual(slack))
}

/** What differs between the environments. */
export interface VitestEnvSpec {
  /** Folder under test/envs. */
  readonly env: string
  /** Which Node runs it. */
  readonly node: 'system' | 'node24'
  /** Expected Vitest version (pattern). */
  readonly vitest: RegExp
  /** Expected Node version (pattern). */
  readonly nodeVersion: RegExp
}

const NUMBER = String.raw`\d+(?:\.\d+)?`
const BYTES = String.raw`-?${NUMBER} (?:B|kB|MB|GB)`
/** The footer line of every verdict message, for example `4205 calls · 22 GCs · 460 ms · 32 calls in round 1 · gc exposed`. */
const FOOTER = (gc: 'exposed' | 'fallback', async = false): RegExp =>
  new RegExp(
    String.raw`^\d+ calls · \d+ GCs · \d+ ms · \d+ calls? in round 1 · gc ${gc}${async ? ' · async' : ''}$`,
    'm',
  )

interface LeakspecMeta {
  checks: Array<{ verdict: string; leaks: Array<{ key: string; perCall: number }>; roundCalls: number[] }>
}

function checks(test: TestOutcome): LeakspecMeta['checks'] {
  return (test.meta?.['leakspec'] as LeakspecMeta | undefined)?.checks ?? []
}

/** Every fixture test, by full name, with its expected status: each one is also asserted below. */
const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'runtime': 'passed',
  'the plugin exposes gc in the forks pool': 'passed',
  'not.toLeak leaky sync fails': 'failed',
  'not.toLeak clean sync passes': 'passed',
  'not.toLeak leaky async fails': 'failed',
  'not.toLeak clean async passes': 'passed',
  'not.toLeak leaky interval fails': 'failed',
  'not.toLeak clean interval passes': 'passed',
  'toLeak leaky sync passes': 'passed',
  'toLeak clean sync fails': 'failed',
  'fn throwing at call 7 fails with its error': 'failed',
  'fn rejecting at call 5 fails with its error': 'failed',
  'fn never settling fails with callTimeout': 'failed',
  'not a function is a TypeError': 'failed',
  'unknown option is a TypeError': 'failed',
  'unawaited toLeak fails the test': 'failed',
  'a check after an unawaited one still works': 'passed',
  'fake timers: clean sync passes': 'passed',
  'fake timers: clean async passes': 'passed',
  'fake timers: leaky sync fails': 'failed',
  'threads: gc is not exposed': 'passed',
  'threads: clean sync passes': 'passed',
  'threads: leaky sync fails': 'failed',
  'manual: clean sync passes': 'passed',
  'manual: leaky sync fails': 'failed',
  'manual: unawaited toLeak fails the test': 'failed',
  'defaults: callTimeout comes from the plugin': 'failed',
  'defaults: an option on the call overrides the plugin': 'failed',
  'defaults: rounds comes from the plugin': 'failed',
}

/**
 * Defines the suite for one environment. Call it at the top level of a test file.
 */
export function describeVitestIntegration(spec: VitestEnvSpec): void {
  describe(`Vitest integration (${spec.env})`, () => {
    let env: TestEnv
    let vitestRun: VitestRun
    let inlineRun: VitestRun

    beforeAll(async () => {
      env = getEnv(spec.env, spec.node)
      vitestRun = await runVitestFixture(env, 'vitest')
      inlineRun = await runVitestFixture(env, 'vitest-inline')
    })

    const test = (name: string): TestOutcome => outcome(vitestRun.report, name)
    const passes = (name: string): TestOutcome => {
      const found = test(name)
      expect(found.status, `${name}:\n${found.failureMessages.join('\n')}`).toBe('passed')
      return found
    }
    const fails = (name: string): string => {
      const found = test(name)
      expect(found.status, name).toBe('failed')
      expect(found.failureMessages.length, name).toBeGreaterThan(0)
      return found.failureMessages[0]!
    }
    /** Pins the parts of a heap-leak message from `.not.toLeak()` that do not vary. */
    const expectHeapLeak = (message: string, gc: 'exposed' | 'fallback', async = false): void => {
      const lines = message.split('\n')
      expect(lines[0]).toBe('Error: expect(fn).not.toLeak()')
      expect(lines[1]).toBe('')
      expect(lines[2]).toMatch(new RegExp(String.raw`^Expected the function not to leak, but it leaks about ${BYTES} of heap per call\.$`))
      expect(message).toMatch(
        /^Leaking \(grew in each of the last 3 rounds and again in a confirmation round(?:, after [1-4] extra round\(s\) because the evidence was marginal)?; heap floor 16 B per call\):$/m,
      )
      // "(marginal)" marks a leak whose last rounds fell or came close to the floor (a loaded machine's noise).
      expect(message).toMatch(new RegExp(String.raw`^  heap  ${BYTES} per call(?:  \(marginal\))?$`, 'm'))
      expect(message).toMatch(/^ {2}round {2}calls {2}heap\/call {2}other signals$/m)
      expect(message).toContain('  (* counted rounds)')
      expect(message).toMatch(FOOTER(gc, async))
      expect(message).toContain('\nWhat to try:\n  - Look for what keeps a reference after each call: a module-level array or Map')
      expect(message).not.toContain('handles')
    }

    it('runs the expected Node, Vitest and leakspec (a copy of the build, not the repository)', () => {
      const runtime = test('runtime').meta?.['runtime'] as Record<string, string> | undefined
      expect(runtime?.['node']).toMatch(spec.nodeVersion)
      expect(runtime?.['vitest']).toMatch(spec.vitest)
      expect(runtime?.['leakspec']).toBe(realpathSync(join(vitestRun.work, 'node_modules', 'leakspec', 'package.json')))
      expect(runtime?.['vitestFromLeakspec']).toBe(realpathSync(join(env.dir, 'node_modules', 'vitest', 'package.json')))
      expect(/\bRUN\s+v(\S+)/.exec(vitestRun.result.stdout)?.[1]).toMatch(spec.vitest)
    })

    it('runs every fixture test, with no load errors and no unhandled errors', () => {
      const { report, result } = vitestRun
      expect([...report.fileErrors]).toEqual([])
      expect([...report.tests.keys()].sort()).toEqual(Object.keys(EXPECTED).sort())
      const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
      expect(statuses).toEqual(EXPECTED)
      expect(result.code).toBe(1)
      expect(result.timedOut).toBe(false)
      expect(result.stdout + result.stderr).not.toMatch(/Unhandled (Errors|Rejection)/i)
    })

    describe('forks pool with the plugin', () => {
      it('exposes gc', () => {
        passes('the plugin exposes gc in the forks pool')
      })

      it('fails a leaky sync function with the heap evidence', () => {
        expectHeapLeak(fails('not.toLeak leaky sync fails'), 'exposed')
        const [check] = checks(test('not.toLeak leaky sync fails'))
        expect(check?.verdict).toBe('leak')
        expect(check?.leaks.map((leak) => leak.key)).toEqual(['heap'])
      })

      it('fails a leaky async function, and says it was async', () => {
        expectHeapLeak(fails('not.toLeak leaky async fails'), 'exposed', true)
      })

      it('fails a function that leaves an interval per call, naming the Timeout handles', () => {
        const message = fails('not.toLeak leaky interval fails')
        expect(message.split('\n')[0]).toBe('Error: expect(fn).not.toLeak()')
        expect(message).toMatch(/^Expected the function not to leak, but each call leaves about 1 Timeout handle open/m)
        expect(message).toMatch(/^ {2}Timeout handles +1 per call$/m)
        // One timer per call is decided by the count schedule: its table shows the Timeout count after each checkpoint.
        // The counts are the process's, so the runner's own short-lived timers can add one or two to a reading
        // (seen under Vitest 5 on a loaded machine: 0 +1 +3 +5 +8 +16 +32); each must still be its call number ± 3.
        expectCountRow(message, 'Timeout handles', [0, 1, 2, 4, 8, 16, 32], 3)
        expect(message).toContain('What to try:')
        expect(message).toContain('  - A Timeout handle stays open per call: clear the timer')
        const [check] = checks(test('not.toLeak leaky interval fails'))
        expect(check?.leaks).toContainEqual({ key: 'handles:Timeout', perCall: 1 })
      })

      it.each([
        'not.toLeak clean sync passes',
        'not.toLeak clean async passes',
        'not.toLeak clean interval passes',
      ])('passes the clean twin: %s', (name) => {
        const [check] = checks(passes(name))
        expect(check?.verdict).toBe('clean')
        expect(check?.leaks).toEqual([])
      })

      it('toLeak passes for a leaky function', () => {
        expect(checks(passes('toLeak leaky sync passes'))[0]?.verdict).toBe('leak')
      })

      it('toLeak fails for a clean function, saying it is clean', () => {
        const message = fails('toLeak clean sync fails')
        const lines = message.split('\n')
        expect(lines[0]).toBe('Error: expect(fn).toLeak()')
        expect(lines[2]).toMatch(
          /^Expected the function to leak, but it is clean: no signal grew in counted round \d+ \(heap floor 16 B per call\)\.$/,
        )
        expect(message).toMatch(FOOTER('exposed'))
      })
    })

    describe('errors are never leak verdicts', () => {
      const notALeak = (message: string): void => {
        expect(message).not.toContain('Expected the function')
        expect(message).toContain('This is not a leak verdict')
      }

      it('fn throwing at call 7 fails with its error and the call number', () => {
        const message = fails('fn throwing at call 7 fails with its error')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: the function under test threw on call 7: RangeError: boom on the seventh call\. /,
        )
        notALeak(message)
      })

      it('fn rejecting at call 5 fails with its reason and the call number', () => {
        const message = fails('fn rejecting at call 5 fails with its error')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: the function under test rejected on call 5: Error: nope on the fifth call\. /,
        )
        notALeak(message)
      })

      it('fn never settling fails after callTimeout', () => {
        const message = fails('fn never settling fails with callTimeout')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: call 1 of the function under test did not settle within 100 ms .*raise the `callTimeout` option\./,
        )
        notALeak(message)
      })

      it('a value that is not a function is a TypeError naming the fix', () => {
        const message = fails('not a function is a TypeError')
        expect(message).toMatch(
          /^TypeError: leakspec: expect\(fn\)\.not\.toLeak\(\) needs a function to call repeatedly; received 42 \(number\)\. Fix: wrap the code in a function/,
        )
      })

      it('an unknown option is a TypeError with a suggestion', () => {
        expect(fails('unknown option is a TypeError')).toMatch(
          /^TypeError: leakspec: unknown toLeak option `roundz` \(received 8 \(number\)\)\. Did you mean `rounds`\? Known options: rounds, /,
        )
      })
    })

    describe('unawaited toLeak', () => {
      it('fails the test, saying to await it', () => {
        expect(fails('unawaited toLeak fails the test')).toMatch(
          /^Error: leakspec: `expect\(fn\)\.not\.toLeak\(\)` was not awaited, so it could not fail the test\. Fix: write `await expect\(fn\)\.not\.toLeak\(\)`/,
        )
      })

      it('does not disturb the next check in the same file', () => {
        expect(checks(passes('a check after an unawaited one still works'))[0]?.verdict).toBe('clean')
      })
    })

    describe('vi.useFakeTimers() in the test', () => {
      it('clean functions still pass', () => {
        passes('fake timers: clean sync passes')
        passes('fake timers: clean async passes')
      })

      it('a leaky function still fails', () => {
        expectHeapLeak(fails('fake timers: leaky sync fails'), 'exposed')
      })
    })

    describe('threads pool with the plugin (GC through the runtime fallback)', () => {
      it('has no exposed gc', () => {
        passes('threads: gc is not exposed')
      })

      it('passes a clean function', () => {
        expect(checks(passes('threads: clean sync passes'))[0]?.verdict).toBe('clean')
      })

      it('fails a leaky function, and says GC came from the fallback', () => {
        expectHeapLeak(fails('threads: leaky sync fails'), 'fallback')
      })
    })

    describe('leakspec/vitest/setup by hand (no plugin)', () => {
      it('passes a clean function and fails a leaky one', () => {
        passes('manual: clean sync passes')
        expectHeapLeak(fails('manual: leaky sync fails'), 'exposed')
      })

      it('has the unawaited guard', () => {
        expect(fails('manual: unawaited toLeak fails the test')).toContain('was not awaited')
      })
    })

    describe('plugin defaults', () => {
      it('apply to every toLeak in the project', () => {
        expect(fails('defaults: callTimeout comes from the plugin')).toMatch(/did not settle within 150 ms/)
        const message = fails('defaults: rounds comes from the plugin')
        expect(message).toContain('raise `rounds` (now 9;')
        expect(checks(test('defaults: rounds comes from the plugin'))[0]?.roundCalls.length).toBeGreaterThanOrEqual(9)
      })

      it('are overridden by options on the call', () => {
        expect(fails('defaults: an option on the call overrides the plugin')).toMatch(/did not settle within 120 ms/)
      })
    })

    describe('plugin at the root, inline projects with extends: true', () => {
      const inline = (name: string): TestOutcome => outcome(inlineRun.report, name)

      it('runs every test with the expected status', () => {
        expect([...inlineRun.report.fileErrors]).toEqual([])
        const statuses = Object.fromEntries([...inlineRun.report.tests.values()].map((found) => [found.fullName, found.status]))
        expect(statuses).toEqual({
          'inline forks: gc is exposed': 'passed',
          'inline forks: clean sync passes': 'passed',
          'inline forks: leaky sync fails': 'failed',
          'inline threads: clean sync passes': 'passed',
          'inline threads: leaky sync fails': 'failed',
          'inline vmForks: clean sync passes': 'passed',
          'inline vmForks: leaky sync fails': 'failed',
        })
      })

      it('reaches every project (forks and vmForks with exposed gc, threads with the fallback)', () => {
        expectHeapLeak(inline('inline vmForks: leaky sync fails').failureMessages[0] ?? '', 'exposed')
        expectHeapLeak(inline('inline forks: leaky sync fails').failureMessages[0] ?? '', 'exposed')
        expectHeapLeak(inline('inline threads: leaky sync fails').failureMessages[0] ?? '', 'fallback')
      })
    })

    describe('types (tsc against this Vitest)', () => {
      let types: string
      beforeAll(() => {
        types = prepareWork(env, join(ROOT, 'test', 'types'), 'types', true)
      })

      it.each([
        ['test/types (imports of leakspec/vitest)', '.'],
        ['test/types/types-entry ("types": ["leakspec/vitest"])', 'types-entry'],
        ['test/types/without-types (control: toLeak is an error)', 'without-types'],
      ])('%s type-checks', async (_, folder) => {
        const result = await tsc(join(types, folder))
        expect(result.stdout + result.stderr).toBe('')
        expect(result.code).toBe(0)
      })
    })
  })
}
