/**
 * The diagnosis on leaks whose holder is known: each failing check names the leaked constructor,
 * a retainer path through the right holder, and an allocation site in the fixture file.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { withDiagnosis } from '../../src/diagnose/diagnose.js'
import { assertNoLeaks, LeakError, matchers, measureLeaks } from '../../src/index.js'
import * as leaks from '../fixtures/diagnose/leaks.js'

expect.extend(matchers)

afterEach(() => {
  leaks.reset()
})

/** The lines of the diagnosis block of one leaked kind (its header line and the indented lines below it). */
function kindBlock(message: string, name: string): string {
  const lines = message.split('\n')
  const start = lines.findIndex((line) => line.startsWith(`  ${name}  `))
  if (start < 0) return ''
  const block = [lines[start]!]
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('    ') && !line.startsWith('      ')) break
    block.push(line)
  }
  return block.join('\n')
}

async function leakMessage(fn: () => unknown, options: Parameters<typeof assertNoLeaks>[1] = {}): Promise<string> {
  const error = await assertNoLeaks(fn, options).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(LeakError)
  return (error as LeakError).message
}

/**
 * The allocation site: a function in the fixture file. When V8 kept no allocation record for the
 * objects (the site then comes from allocation sampling, marked `*`), a call the caller inlined is
 * reported as the caller: the test's own arrow function (seen in 2 of 5 runs of the static-Map case).
 */
const SITE = /allocated in: +\S+ \(test\/fixtures\/diagnose\/leaks\.ts:\d+:\d+\)|allocated in\*: +\S+ \(test\/(fixtures\/diagnose\/leaks|unit\/diagnose-fixtures\.test)\.ts:\d+:\d+\)/

describe('what, who, where', () => {
  test('a module-level array', async () => {
    let index = 0
    const message = await leakMessage(() => leaks.leakIntoModuleArray(index++))
    const block = kindBlock(message, 'UserSession')
    expect(block).toMatch(/UserSession {2}1 per call · \d+ B per call/)
    expect(block).toMatch(/held by: +… › module scope \(test\/fixtures\/diagnose\/leaks\.ts\) › sessionLog: Array › \[\d+\]: UserSession/)
    expect(block, message).toMatch(SITE)
  })

  test("a class's static Map", async () => {
    let index = 0
    const message = await leakMessage(() => leaks.SessionRegistry.register(index++))
    const block = kindBlock(message, 'UserSession')
    expect(block).toMatch(/UserSession {2}1 per call/)
    expect(block).toMatch(/SessionRegistry: SessionRegistry\(\) › byId: Map › entry › UserSession/)
    expect(block, message).toMatch(SITE)
  })

  test('a closure held by a long-lived listener', async () => {
    let index = 0
    const message = await leakMessage(() => leaks.leakListener(index++))
    const block = kindBlock(message, 'UserSession')
    expect(block).toMatch(/appEvents: EventEmitter › _events: Object › shutdown: Array › \[\d+\]: onShutdown\(\) › session: UserSession/)
    expect(block, message).toMatch(SITE)
    expect(kindBlock(message, '(closure) onShutdown')).toMatch(/1 per call/)
  })

  test('a cache keyed by request objects', async () => {
    let index = 0
    const message = await leakMessage(() => leaks.leakRequestCache(index++))
    const block = kindBlock(message, 'IncomingRequest')
    expect(block).toMatch(/IncomingRequest {2}1 per call/)
    expect(block).toMatch(/responseCache: Map › entry › IncomingRequest/)
    expect(block, message).toMatch(SITE)
  })

  test("a timer's closure", async () => {
    let index = 0
    const message = await leakMessage(() => leaks.leakTimer(index++))
    const timeout = kindBlock(message, 'Timeout')
    expect(timeout).toMatch(/Timeout {2}1 per call/)
    expect(timeout).toMatch(SITE)
    const session = kindBlock(message, 'UserSession')
    expect(session).toMatch(/TimersList › _idle(Next|Prev): Timeout › .*_onTimeout: poll\(\) › session: UserSession/)
    expect(session, message).toMatch(SITE)
  })
})

describe('wiring', () => {
  test('.not.toLeak() carries the diagnosis in its failure message', async () => {
    let index = 0
    await expect(expect(() => leaks.leakIntoModuleArray(index++)).not.toLeak()).rejects.toThrow(
      /Diagnosis \(\d+ more calls[\s\S]*sessionLog: Array/,
    )
  })

  test('diagnose: false leaves the diagnosis out', async () => {
    let index = 0
    const message = await leakMessage(() => leaks.leakIntoModuleArray(index++), { diagnose: false })
    expect(message).not.toContain('Diagnosis (')
  })

  test('too little time left before the test times out: the diagnosis is skipped and the message names a timeout that fits', async () => {
    let index = 0
    const fn = (): void => leaks.leakIntoModuleArray(index++)
    const report = await measureLeaks(fn, { diagnose: false })
    if (report.verdict !== 'leak') throw new Error(`expected a leak verdict, got ${report.verdict}`)
    const options = { ...report.options, diagnose: true }
    const skipped = await withDiagnosis(fn, report, options, 100)
    expect(skipped.diagnosis).toBeUndefined()
    expect(skipped.diagnosisSkipped).toMatch(
      /^it needs about \d+\.\d s at this heap size \(\d+ MB\) and the test has 0\.1 s left\. Raise the test timeout \(for example to \d+000 ms\) to see what leaked, who holds it and where it was allocated$/,
    )
    const diagnosed = await withDiagnosis(fn, report, options, 600_000)
    expect(diagnosed.diagnosisSkipped).toBeUndefined()
    expect(diagnosed.diagnosis?.kinds[0]?.name).toBe('UserSession')
  })

  test('a clean function is never diagnosed', async () => {
    let index = 0
    const report = await assertNoLeaks(() => leaks.clean(index++))
    expect(report.verdict).toBe('clean')
    expect('diagnosis' in report).toBe(false)
  })

  test('snapshotDir writes one private snapshot file inside the directory and names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-snapshots-'))
    try {
      let index = 0
      const message = await leakMessage(() => leaks.leakIntoModuleArray(index++), { snapshotDir: dir })
      const files = fs.readdirSync(dir)
      expect(files).toHaveLength(1)
      const file = path.join(dir, files[0]!)
      expect(files[0]).toMatch(/^leakspec-.*\.heapsnapshot$/)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(message).toContain(file)
      const head = fs.readFileSync(file, 'utf8').slice(0, 40)
      expect(head).toMatch(/^\{"snapshot":\{"meta"/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
