// Vitest Browser Mode in real Chromium (Debian's /usr/bin/chromium driven by @vitest/browser-playwright):
// the fixture suite test/fixtures/browser runs in a subprocess; leaky DOM code and a React component
// that adds a window listener in an effect without cleanup fail, their clean twins pass. Messages are
// pinned by their stable parts; numbers vary from run to run, so they are matched by pattern.
import { existsSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { getEnv } from './harness/envs.js'
import { outcome, type TestOutcome } from './harness/json-report.js'
import { runVitestFixture, type VitestRun } from './harness/vitest.js'

const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)
if (!available && process.env['CI']) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`)
if (!available) console.warn(`browser integration tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; CI installs it)`)

const BYTES = String.raw`-?\d+(?:\.\d+)? (?:B|kB|MB|GB)`
const FOOTER = /^\d+ calls · \d+ GCs · \d+ ms · \d+ calls? in round 1 · gc cdp$/m

const EXPECTED: Record<string, 'passed' | 'failed'> = {
  'dom: a resize listener added to window per call leaks': 'failed',
  'dom: with diagnose full, a listener leak still gets the heap snapshot': 'failed',
  'dom: a listener added and removed is clean': 'passed',
  'dom: detached nodes kept per call leak': 'failed',
  'dom: nodes appended and removed are clean': 'passed',
  'dom: the leaky form passes with toLeak': 'passed',
  'dom: an unknown option is a TypeError from the same validation as in Node': 'failed',
  'react: an effect that adds a window listener without cleanup leaks': 'failed',
  'react: the effect that removes its listener is clean': 'passed',
}

interface Check {
  verdict: string
  leaks: Array<{ key: string; perCall: number }>
  gc?: string
}

function checks(test: TestOutcome): Check[] {
  return (test.meta?.['leakspec'] as { checks: Check[] } | undefined)?.checks ?? []
}

describe.skipIf(!available)('Vitest Browser Mode in Chromium', () => {
  let run: VitestRun
  beforeAll(async () => {
    run = await runVitestFixture(getEnv('browser'), 'browser')
  })
  const test = (name: string): TestOutcome => outcome(run.report, name)
  const fails = (name: string): string => {
    const found = test(name)
    expect(found.status, name).toBe('failed')
    return found.failureMessages[0]!
  }
  const passes = (name: string): TestOutcome => {
    const found = test(name)
    expect(found.status, `${name}:\n${found.failureMessages.join('\n')}`).toBe('passed')
    return found
  }
  /** The parts of every `.not.toLeak()` failure that do not vary (as in Node, with `gc cdp`). */
  const expectLeakMessage = (message: string, hint = 'expect(fn).not.toLeak()'): void => {
    const lines = message.split('\n')
    expect(lines[0]).toBe(`Error: ${hint}`)
    // Decided by the doubling rounds (a round table), or by the count schedule (a table of counts after
    // calls 1, 2, 4 …), as in Node.
    expect(message).toMatch(/^Leaking \((?:grew in each of the last 3 rounds.*heap floor 16 B per call|rose by at least one item per two calls between each of the last checkpoints .*)\):$/m)
    if (message.includes('decided by the count schedule')) expect(message).toMatch(/^ {2}after call +0 +1 +2 +4 +8/m)
    else {
      expect(message).toMatch(/^ {2}round {2}calls {2}heap\/call {2}other signals$/m)
      expect(message).toContain('  (* counted rounds)')
    }
    expect(message).toMatch(FOOTER)
    expect(message).toContain('\nWhat to try:\n')
  }

  it('runs every fixture test in Chromium with no load errors', () => {
    expect([...run.report.fileErrors]).toEqual([])
    const statuses = Object.fromEntries([...run.report.tests.values()].map((found) => [found.fullName, found.status]))
    expect(statuses).toEqual(EXPECTED)
    expect(run.result.code).toBe(1)
    expect(run.result.timedOut).toBe(false)
    expect(run.result.stdout).toMatch(/chromium/)
    expect(run.result.stdout + run.result.stderr).not.toMatch(/Unhandled (Errors|Rejection)/i)
  })

  // Signal keys are those of the jsdom / happy-dom probes (`listeners:resize on window`,
  // `dom:detached nodes`); the patterns accept both spellings of their names in messages.
  const RESIZE_ON_WINDOW = String.raw`'resize(?: on window)?' listeners?(?: on window)?`

  it('a resize listener added to window per call fails as a listener leak, with its add site', () => {
    const message = fails('dom: a resize listener added to window per call leaks')
    expectLeakMessage(message)
    expect(message.split('\n')[2]).toMatch(new RegExp(String.raw`^Expected the function not to leak, but each call leaves about 1 ${RESIZE_ON_WINDOW}.*?(?: \(and ${BYTES} of heap per call\))?\.$`))
    expect(message).toMatch(new RegExp(String.raw`^  ${RESIZE_ON_WINDOW} +1 per call$`, 'm'))
    // One listener per call is decided by the count schedule at call 32 or 64, before the heap rounds.
    expect(message).toContain('decided by the count schedule, before the heap rounds')
    expect(message).toMatch(new RegExp(String.raw`^  ${RESIZE_ON_WINDOW} +0 +\+1 +\+2 +\+4 +\+8 +\+16 +\+32`, 'm'))
    expect(message).toMatch(/^ {4}\d+× at \(anonymous\) \(dom\.test\.js:\d+:\d+\)$/m)
    // The add site explains the only leaked signal: no heap snapshot, and the message says how to get it.
    expect(message).toMatch(
      /^Diagnosis skipped: the page's heap snapshot \(\d+ MB of heap, seconds to write and read over CDP\) was not taken: the sites above are where the leaked listeners were added; pass \{ diagnose: 'full' \} to toLeak for who holds them\.$/m,
    )
    expect(message).not.toMatch(/^Diagnosis \(/m)
    expect(message).toMatch(/A 'resize(?: on window)?' listener(?: on window)? is added per call and never removed/)
    const [check] = checks(test('dom: a resize listener added to window per call leaks'))
    expect(check?.verdict).toBe('leak')
    expect(check?.gc).toBe('cdp')
    expect(check?.leaks.map((leak) => leak.key)).toContain('listeners:resize on window')
  })

  it("with diagnose: 'full' the same listener leak gets the heap snapshot: who holds the listener", () => {
    const message = fails('dom: with diagnose full, a listener leak still gets the heap snapshot')
    expectLeakMessage(message, 'expect(fn).not.toLeak(options)')
    expect(message).toMatch(/^ {4}\d+× at \(anonymous\) \(dom\.test\.js:\d+:\d+\)$/m)
    expect(message).toMatch(/^Diagnosis \(8 more calls with allocation tracking, then one heap snapshot; cdp, /m)
    expect(message).toMatch(/^ {2}\(closure\) onResize {2}1 per call/m)
    expect(message).not.toContain('Diagnosis skipped')
  })

  it('detached nodes kept per call fail as a detached-node leak; nodes in the document do not rise', () => {
    const message = fails('dom: detached nodes kept per call leak')
    expectLeakMessage(message)
    expect(message).toMatch(/^ {2}(?:detached nodes \(dom\)|detached DOM nodes) +1 per call$/m)
    expect(message).toMatch(/^ +\d+\* +\d+ +\S+ \S+ +detached nodes \+\d+$/m)
    const [check] = checks(test('dom: detached nodes kept per call leak'))
    expect(check?.leaks.map((leak) => leak.key)).toContain('dom:detached nodes')
    expect(check?.leaks.map((leak) => leak.key)).not.toContain('dom:nodes in the document')
    // The heap leaks too, which no add or creation site explains: the heap snapshot is taken.
    expect(check?.leaks.map((leak) => leak.key)).toContain('heap')
    expect(message).toMatch(/^Diagnosis \(\d+ more calls with allocation tracking, then one heap snapshot; cdp, /m)
    expect(message).not.toContain('Diagnosis skipped')
  })

  it('the clean twins pass, and the leaky form passes under toLeak()', () => {
    for (const name of ['dom: a listener added and removed is clean', 'dom: nodes appended and removed are clean']) {
      expect(checks(passes(name)).map((check) => check.verdict)).toEqual(['clean'])
    }
    expect(checks(passes('dom: the leaky form passes with toLeak')).map((check) => check.verdict)).toEqual(['leak'])
  })

  it('an unknown option is the TypeError of the Node validation', () => {
    expect(fails('dom: an unknown option is a TypeError from the same validation as in Node')).toMatch(
      /^TypeError: leakspec: unknown toLeak option `round` \(received 8 \(number\)\)\. Did you mean `rounds`\?/,
    )
  })

  it('React: the component whose effect adds a window listener without cleanup fails; the fixed one passes', () => {
    const message = fails('react: an effect that adds a window listener without cleanup leaks')
    expectLeakMessage(message)
    expect(message).toMatch(new RegExp(String.raw`each call leaves about 1 ${RESIZE_ON_WINDOW}`))
    expect(message).toMatch(/^ {4}\d+× at \(anonymous\) \(src\/widget\.js:9:\d+\)$/m)
    expect(message).toMatch(/added at src\/widget\.js:9:\d+\./)
    // The effect's add site is the explanation; the React page's heap snapshot is not taken.
    expect(message).toMatch(/^Diagnosis skipped: the page's heap snapshot \(\d+ MB of heap, .*\) was not taken: .* pass \{ diagnose: 'full' \} to toLeak for who holds them\.$/m)
    expect(message).not.toMatch(/^Diagnosis \(/m)
    expect(checks(passes('react: the effect that removes its listener is clean')).map((check) => check.verdict)).toEqual(['clean'])
  })
})
