/**
 * The Jest integration suite, defined once and run against each Jest environment: the fixture suites
 * of test/fixtures/jest (twins of the Vitest ones) with real Jest in subprocesses, in every worker
 * mode, and the Jest type tests (test/types/jest) with tsc. Messages are pinned with the same
 * patterns as in the Vitest suite: they come from the same formatter. Numbers vary from run to run,
 * so they are matched by pattern, never by value.
 */
import { realpathSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv, prepareWork, ROOT, type TestEnv } from './envs.js'
import { readRuntimeRecords, runJest, type JestRun, type JestRunSpec, type RuntimeRecord } from './jest.js'
import { outcome, type TestOutcome } from './json-report.js'
import { tsc } from './tsc.js'

/** What differs between the environments. */
export interface JestEnvSpec {
  /** Folder under test/envs. */
  readonly env: string
  /** Expected Jest version (pattern). */
  readonly jest: RegExp
  /** Expected Node version (pattern). */
  readonly nodeVersion: RegExp
}

const NUMBER = String.raw`\d+(?:\.\d+)?`
const BYTES = String.raw`-?${NUMBER} (?:B|kB|MB|GB)`
/** The footer line of every verdict message. */
const FOOTER = (gc: 'exposed' | 'fallback', async = false): RegExp =>
  new RegExp(
    String.raw`^ *\d+ calls · \d+ GCs · \d+ ms · \d+ calls? in round 1 · gc ${gc}${async ? ' · async' : ''}$`,
    'm',
  )

/** The runs: node flags × worker mode × suites. */
const RUNS: readonly JestRunSpec[] = [
  // CommonJS, @jest/globals and ESM suites; gc exposed; child-process workers.
  { name: 'main', mode: 'main', nodeArgs: ['--expose-gc', '--experimental-vm-modules'], jestArgs: ['--maxWorkers=2'] },
  // The same two files in each worker mode, without --expose-gc (leakspec's runtime fallback).
  { name: 'children', mode: 'pools', nodeArgs: [], jestArgs: ['--maxWorkers=2'] },
  { name: 'threads', mode: 'pools', nodeArgs: [], jestArgs: ['--maxWorkers=2'], env: { LEAKSPEC_JEST_THREADS: '1' } },
  { name: 'inband', mode: 'pools', nodeArgs: [], jestArgs: ['--runInBand'] },
  // An abandoned check that outlives its file (globalsCleanup in Jest 30).
  { name: 'teardown', mode: 'teardown', nodeArgs: [], jestArgs: ['--runInBand'] },
]

/** Every test of the main run, by full name, with its expected status. */
const EXPECTED_MAIN: Record<string, 'passed' | 'failed'> = {
  'runtime': 'passed',
  'node --expose-gc exposes gc in the test context': 'passed',
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
  'legacy fake timers: clean sync passes': 'passed',
  'legacy fake timers: leaky sync fails': 'failed',
  '@jest/globals: no injected expect': 'passed',
  '@jest/globals: clean sync passes': 'passed',
  '@jest/globals: leaky sync fails': 'failed',
  '@jest/globals: unawaited toLeak fails the test': 'failed',
  'esm: this file is an ES module': 'passed',
  'esm: clean sync passes': 'passed',
  'esm: leaky sync fails': 'failed',
  'esm: imported expect, clean async passes': 'passed',
  'esm: imported expect, leaky async fails': 'failed',
  'esm: fake timers, clean sync passes': 'passed',
  'esm: unawaited toLeak fails the test': 'failed',
  'toBeCollected a dropped object passes': 'passed',
  'toBeCollected a held object fails naming its holder': 'failed',
  'toBeCollected not.toBeCollected passes for a held object': 'passed',
  'toBeCollected a value that is not a handle is a TypeError': 'failed',
}

/** Every test of a pools run (the same two files in each worker mode). */
const EXPECTED_POOLS: Record<string, 'passed' | 'failed'> = Object.fromEntries(
  ['a', 'b'].flatMap((file) => [
    [`pool ${file}: runtime`, 'passed'],
    [`pool ${file}: gc is not exposed`, 'passed'],
    [`pool ${file}: clean sync passes`, 'passed'],
    [`pool ${file}: leaky sync fails`, 'failed'],
  ]),
)

const EXPECTED_TEARDOWN: Record<string, 'passed' | 'failed'> = {
  'teardown: unawaited check of a slow call fails the test': 'failed',
  'teardown: the next file waits for the abandoned call to settle': 'passed',
  'teardown: the next file checks normally': 'passed',
}

/**
 * Defines the suite for one environment. Call it at the top level of a test file.
 */
export function describeJestIntegration(spec: JestEnvSpec): void {
  describe(`Jest integration (${spec.env})`, () => {
    let env: TestEnv
    let work: string
    const runs = new Map<string, JestRun>()
    let runtime: Map<string, RuntimeRecord>

    beforeAll(async () => {
      env = getEnv(spec.env)
      // A copy of the fixtures per process, with its own copy of the build in its node_modules.
      work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'jest'), 'jest', true)
      // One after the other: leak checks measure their own process, and the machine has few cores.
      for (const runSpec of RUNS) runs.set(runSpec.name, await runJest(env, work, runSpec))
      runtime = readRuntimeRecords(work)
    })

    const jestRun = (name: string): JestRun => runs.get(name)!
    const test = (run: string, name: string): TestOutcome => outcome(jestRun(run).report, name)
    const passes = (run: string, name: string): TestOutcome => {
      const found = test(run, name)
      expect(found.status, `${run} › ${name}:\n${found.failureMessages.join('\n')}`).toBe('passed')
      return found
    }
    const fails = (run: string, name: string): string => {
      const found = test(run, name)
      expect(found.status, `${run} › ${name}`).toBe('failed')
      expect(found.failureMessages.length, name).toBeGreaterThan(0)
      return found.failureMessages[0]!
    }
    /** Pins the parts of a heap-leak message from `.not.toLeak()` that do not vary (as in Vitest). */
    const expectHeapLeak = (message: string, gc: 'exposed' | 'fallback', async = false): void => {
      const lines = message.split('\n')
      expect(lines[0], message).toBe('Error: expect(fn).not.toLeak()')
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
    const expectStatuses = (run: string, expected: Record<string, 'passed' | 'failed'>): void => {
      const { report, result } = jestRun(run)
      // Jest puts the failures of a file into its `message`; a file that did not load says so there.
      for (const [file, message] of report.fileErrors) expect(message, `${run} ${file}`).not.toMatch(/Test suite failed to run/)
      expect([...report.tests.keys()].sort(), run).toEqual(Object.keys(expected).sort())
      const statuses = Object.fromEntries([...report.tests.values()].map((found) => [found.fullName, found.status]))
      expect(statuses, run).toEqual(expected)
      expect(result.code, run).toBe(1)
      expect(result.timedOut, run).toBe(false)
    }

    it('runs the expected Node, Jest and leakspec (a copy of the build, not the repository)', () => {
      const record = runtime.get('cjs-signals')
      expect(record?.node).toMatch(spec.nodeVersion)
      expect(record?.jest).toMatch(spec.jest)
      expect(record?.leakspec).toBe(realpathSync(join(work, 'node_modules', 'leakspec', 'package.json')))
      // Jest resolves setupFilesAfterEnv with the require condition: the CommonJS build.
      expect(record?.setupFile).toBe(realpathSync(join(work, 'node_modules', 'leakspec', 'dist', 'jest', 'index.cjs')))
    })

    it('runs every fixture test with the expected outcome, with no load errors', () => {
      expectStatuses('main', EXPECTED_MAIN)
      for (const run of ['children', 'threads', 'inband']) expectStatuses(run, EXPECTED_POOLS)
      expectStatuses('teardown', EXPECTED_TEARDOWN)
    })

    it('prints no unhandled errors and no warnings about torn-down globals', () => {
      for (const { spec: runSpec, result } of runs.values()) {
        const output = result.stdout + result.stderr
        expect(output, runSpec.name).not.toMatch(/Unhandled|unhandledRejection|soft deleted|JEST-01|after the Jest environment has been torn down/i)
      }
    })

    describe('CommonJS test files, global expect, child-process workers, node --expose-gc', () => {
      it('exposes gc in the test context and runs in child processes', () => {
        passes('main', 'node --expose-gc exposes gc in the test context')
        const record = runtime.get('cjs-signals')
        expect(record?.gc).toBe('function')
        expect(record?.isMainThread).toBe(true)
        expect(record?.ppid).not.toBe(process.pid)
      })

      it('fails a leaky sync function with the heap evidence', () => {
        expectHeapLeak(fails('main', 'not.toLeak leaky sync fails'), 'exposed')
      })

      it('fails a leaky async function, and says it was async', () => {
        expectHeapLeak(fails('main', 'not.toLeak leaky async fails'), 'exposed', true)
      })

      it('fails a function that leaves an interval per call, naming the Timeout handles', () => {
        const message = fails('main', 'not.toLeak leaky interval fails')
        expect(message.split('\n')[0], message).toBe('Error: expect(fn).not.toLeak()')
        expect(message).toMatch(/^Expected the function not to leak, but each call leaves about 1 Timeout handle open/m)
        expect(message).toMatch(/^ {2}Timeout handles +1 per call$/m)
        expect(message).toContain('What to try:')
        expect(message).toContain('  - A Timeout handle stays open per call: clear the timer')
      })

      it.each(['not.toLeak clean sync passes', 'not.toLeak clean async passes', 'not.toLeak clean interval passes'])(
        'passes the clean twin: %s',
        (name) => {
          passes('main', name)
        },
      )

      it('toLeak passes for a leaky function', () => {
        passes('main', 'toLeak leaky sync passes')
      })

      it('toLeak fails for a clean function, saying it is clean', () => {
        const message = fails('main', 'toLeak clean sync fails')
        const lines = message.split('\n')
        expect(lines[0], message).toBe('Error: expect(fn).toLeak()')
        expect(lines[2]).toMatch(
          /^Expected the function to leak, but it is clean: no signal grew in counted round \d+ \(heap floor 16 B per call\)\.$/,
        )
        expect(message).toMatch(FOOTER('exposed'))
      })
    })

    describe('toBeCollected (watch from leakspec, matcher from leakspec/jest)', () => {
      it('passes for a dropped object and for not.toBeCollected of a held one', () => {
        passes('main', 'toBeCollected a dropped object passes')
        passes('main', 'toBeCollected not.toBeCollected passes for a held object')
      })

      it('fails for a held object with the path through its holder', () => {
        const message = fails('main', 'toBeCollected a held object fails naming its holder')
        expect(message.split('\n')[0], message).toBe('Error: expect(handle).toBeCollected()')
        expect(message).toMatch(/^Expected the cached session to be garbage-collected, but it is still reachable after \d+ full GCs\.$/m)
        expect(message).toMatch(
          /^Held by \(shortest path from a GC root\): .*sessionCache: Array › \[\d+\]: CachedSession \(watched: the cached session\)$/m,
        )
      })

      it('a value that is not a handle is a TypeError naming the fix', () => {
        expect(fails('main', 'toBeCollected a value that is not a handle is a TypeError')).toMatch(
          /^TypeError: leakspec: expect\(handle\)\.toBeCollected\(\) needs a handle from watch\(obj\); received object\. Fix: /,
        )
      })
    })

    describe('errors are never leak verdicts', () => {
      const notALeak = (message: string): void => {
        expect(message).not.toContain('Expected the function')
        expect(message).toContain('This is not a leak verdict')
      }

      it('fn throwing at call 7 fails with its error and the call number', () => {
        const message = fails('main', 'fn throwing at call 7 fails with its error')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: the function under test threw on call 7: RangeError: boom on the seventh call\. /,
        )
        notALeak(message)
      })

      it('fn rejecting at call 5 fails with its reason and the call number', () => {
        const message = fails('main', 'fn rejecting at call 5 fails with its error')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: the function under test rejected on call 5: Error: nope on the fifth call\. /,
        )
        notALeak(message)
      })

      it('fn never settling fails after callTimeout', () => {
        const message = fails('main', 'fn never settling fails with callTimeout')
        expect(message).toMatch(
          /^LeakCheckError: leakspec: call 1 of the function under test did not settle within 100 ms .*raise the `callTimeout` option\./,
        )
        notALeak(message)
      })

      it('a value that is not a function is a TypeError naming the fix', () => {
        expect(fails('main', 'not a function is a TypeError')).toMatch(
          /^TypeError: leakspec: expect\(fn\)\.not\.toLeak\(\) needs a function to call repeatedly; received 42 \(number\)\. Fix: wrap the code in a function/,
        )
      })

      it('an unknown option is a TypeError with a suggestion', () => {
        expect(fails('main', 'unknown option is a TypeError')).toMatch(
          /^TypeError: leakspec: unknown toLeak option `roundz` \(received 8 \(number\)\)\. Did you mean `rounds`\? Known options: rounds, /,
        )
      })
    })

    describe('unawaited toLeak', () => {
      const UNAWAITED =
        /^Error: leakspec: `expect\(fn\)\.not\.toLeak\(\)` was not awaited, so it could not fail the test\. Fix: write `await expect\(fn\)\.not\.toLeak\(\)`/

      it('fails the test, saying to await it (global expect, @jest/globals, ESM)', () => {
        expect(fails('main', 'unawaited toLeak fails the test')).toMatch(UNAWAITED)
        expect(fails('main', '@jest/globals: unawaited toLeak fails the test')).toMatch(UNAWAITED)
        expect(fails('main', 'esm: unawaited toLeak fails the test')).toMatch(UNAWAITED)
      })

      it('does not disturb the next check in the same file', () => {
        passes('main', 'a check after an unawaited one still works')
      })

      it('a check that outlives its file fails its test and leaves the next file alone (globalsCleanup)', () => {
        fails('teardown', 'teardown: unawaited check of a slow call fails the test')
        const messages = test('teardown', 'teardown: unawaited check of a slow call fails the test').failureMessages.join('\n')
        expect(messages).toContain('leakspec: `expect(fn).not.toLeak(options)` was not awaited, so it could not fail the test.')
        // The guard's afterEach waited for the check to stop, longer than the 1500 ms the file allows.
        expect(messages).toMatch(/Exceeded timeout of 1500 ms for a hook/)
        passes('teardown', 'teardown: the next file waits for the abandoned call to settle')
        passes('teardown', 'teardown: the next file checks normally')
      })
    })

    describe('jest.useFakeTimers() in the test', () => {
      it('clean functions still pass (modern and legacy timers)', () => {
        passes('main', 'fake timers: clean sync passes')
        passes('main', 'fake timers: clean async passes')
        passes('main', 'legacy fake timers: clean sync passes')
      })

      it('a leaky function still fails', () => {
        expectHeapLeak(fails('main', 'fake timers: leaky sync fails'), 'exposed')
        expectHeapLeak(fails('main', 'legacy fake timers: leaky sync fails'), 'exposed')
      })
    })

    describe('injectGlobals: false (expect from @jest/globals)', () => {
      it('has no global expect, and toLeak works on the imported one', () => {
        passes('main', '@jest/globals: no injected expect')
        passes('main', '@jest/globals: clean sync passes')
        expectHeapLeak(fails('main', '@jest/globals: leaky sync fails'), 'exposed')
      })
    })

    describe('ESM test files (--experimental-vm-modules)', () => {
      it('passes clean functions and fails leaky ones, with the global and the imported expect', () => {
        passes('main', 'esm: this file is an ES module')
        passes('main', 'esm: clean sync passes')
        passes('main', 'esm: imported expect, clean async passes')
        passes('main', 'esm: fake timers, clean sync passes')
        expectHeapLeak(fails('main', 'esm: leaky sync fails'), 'exposed')
        expectHeapLeak(fails('main', 'esm: imported expect, leaky async fails'), 'exposed', true)
      })
    })

    describe.each([
      ['child-process workers', 'children'],
      ['workerThreads', 'threads'],
      ['--runInBand', 'inband'],
    ])('%s without --expose-gc (GC through the runtime fallback)', (_, run) => {
      it('ran where it should', () => {
        for (const file of ['a', 'b']) {
          const record = runtime.get(`${run}-pool-${file}`)
          expect(record?.gc, `${run} ${file}`).toBe('undefined')
          if (run === 'threads') {
            expect(record?.isMainThread).toBe(false)
            expect(record?.ppid).toBe(process.pid)
          } else if (run === 'children') {
            expect(record?.isMainThread).toBe(true)
            expect(record?.ppid).not.toBe(process.pid)
          } else {
            expect(record?.isMainThread).toBe(true)
            expect(record?.ppid).toBe(process.pid)
          }
        }
      })

      it('passes a clean function and fails a leaky one, saying GC came from the fallback', () => {
        for (const file of ['a', 'b']) {
          passes(run, `pool ${file}: gc is not exposed`)
          passes(run, `pool ${file}: clean sync passes`)
          expectHeapLeak(fails(run, `pool ${file}: leaky sync fails`), 'fallback')
        }
      })
    })

    describe('types (tsc against this Jest)', () => {
      let types: string
      beforeAll(() => {
        types = prepareWork(env, join(ROOT, 'test', 'types', 'jest'), 'types-jest', true)
      })

      it.each([
        ['@types/jest globals', 'globals'],
        ['@jest/globals imports', 'jest-globals'],
        ['control: without leakspec/jest, toLeak is an error', 'without'],
      ])('%s type-checks', async (_, folder) => {
        const result = await tsc(join(types, folder))
        expect(result.stdout + result.stderr).toBe('')
        expect(result.code).toBe(0)
      })
    })
  })
}
