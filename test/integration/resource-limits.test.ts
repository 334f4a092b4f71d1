// Real resource leaks under real limits (issue 16): real Vitest 4.1 and real Jest 30 run
// test/fixtures/resource-limits in subprocesses under `ulimit -n 256` (the macOS default), against a
// real PostgreSQL server (max_connections 100) that this file starts for each runner with
// bench/real/postgres.mjs. Per leak (a server, an fd, a pg.Client, a pg.Pool client never released,
// a ws connection, a spawned child): the test fails as a leak decided by the count schedule within
// 64 calls — before the file limit or the server's connection limit is hit — and the message says
// what leakspec released; the test after it in the same file opens a file, listens and connects (to
// PostgreSQL too) and finds nothing left open. A server closed in setImmediate right after it listens
// passes. With `release: false` the leaked fds stay open for the next test.
// Without PostgreSQL binaries, its tests are skipped (one line says so); everything else runs.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPostgres, startPostgres, type RunningPostgres } from '../../bench/real/postgres.mjs'
import { getEnv, prepareWork, ROOT } from './harness/envs.js'
import { outcome, type RunReport } from './harness/json-report.js'
import { runJest } from './harness/jest.js'
import type { RunResult } from './harness/run.js'
import { runVitestFixture } from './harness/vitest.js'

const FILE_LIMIT = 256
const found = findPostgres()
// CI installs PostgreSQL (.ci/run): there a missing server is a broken set-up, not a reason to skip.
if (!found.ok && process.env['CI'] === 'true') throw new Error(`resource-limits.test.ts: PostgreSQL is required under CI: ${found.reason}`)
if (!found.ok) console.log(`resource-limits.test.ts: PostgreSQL tests skipped: ${found.reason}`)

interface Runtime {
  node: string
  runner: string
  version: string
  fileLimit: number
  gc: string
  pg: boolean
}

interface LimitsRun {
  result: RunResult
  report: RunReport
  runtime: Runtime | undefined
}

const RUNNERS = [
  { runner: 'vitest', version: /^4\.1\.\d+$/ },
  { runner: 'jest', version: /^30\.\d+\.\d+$/ },
] as const

const servers: RunningPostgres[] = []

/** Environment variables that tell the fixture where its PostgreSQL server is. */
async function pgEnv(): Promise<Record<string, string>> {
  if (!found.ok) return {}
  const pg = await startPostgres({ maxConnections: 100 })
  servers.push(pg)
  return { LEAKSPEC_PG_HOST: pg.host, LEAKSPEC_PG_PORT: String(pg.port), LEAKSPEC_PG_USER: pg.user }
}

function readRuntime(work: string): Runtime | undefined {
  const file = join(work, 'runtime', 'limits-runtime.json')
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Runtime) : undefined
}

/** One run of the fixture suite by one runner, with its own PostgreSQL server. */
async function runLimits(runner: 'vitest' | 'jest'): Promise<LimitsRun> {
  const env = getEnv('resources')
  const extra = await pgEnv()
  if (runner === 'vitest') {
    // runVitestFixture copies the fixture to this folder (prepareWork); the runtime record goes inside it.
    const work = join(env.dir, 'work', `resource-limits-${process.pid}`)
    const run = await runVitestFixture(env, 'resource-limits', [], {
      fileLimit: FILE_LIMIT,
      env: { ...extra, LEAKSPEC_FIXTURE_OUT: join(work, 'runtime') },
    })
    return { result: run.result, report: run.report, runtime: readRuntime(run.work) }
  }
  const work = prepareWork(env, join(ROOT, 'test', 'fixtures', 'resource-limits'), 'resource-limits-jest', true)
  const run = await runJest(env, work, {
    name: 'limits',
    mode: 'main',
    nodeArgs: ['--expose-gc', '--experimental-vm-modules'],
    jestArgs: ['--runInBand'],
    env: extra,
    fileLimit: FILE_LIMIT,
  })
  return { result: run.result, report: run.report, runtime: readRuntime(work) }
}

// Both runs start together: each check measures only its own process, and each run has its own
// PostgreSQL server, so one run's leaked connections never count against the other's limit.
const runs = new Map<string, Promise<LimitsRun>>()
beforeAll(() => {
  for (const { runner } of RUNNERS) {
    const started = runLimits(runner)
    started.catch(() => {}) // awaited (and reported) by its own describe
    runs.set(runner, started)
  }
})

afterAll(async () => {
  for (const pg of servers) await pg.stop()
})

const PG_TESTS = new Set([
  'pg leak: new pg.Client(cfg); await client.connect() kept per call',
  'after the pg leak: opens, listens and connects',
  'pool leak: await pool.connect() never released (pg.Pool, max 5)',
  'after the pool leak: opens, listens and connects',
])

/** Every test of the fixture with the status it must have. */
const EXPECTED: Record<string, 'passed' | 'failed'> = {
  runtime: 'passed',
  'server leak: net.createServer().listen(0) kept per call': 'failed',
  'after the server leak: opens, listens and connects': 'passed',
  'fd leak: fs.openSync(/dev/null) kept per call': 'failed',
  'after the fd leak: opens, listens and connects': 'passed',
  'clean: a server closed in setImmediate right after it listens': 'passed',
  'after the clean server: opens, listens and connects': 'passed',
  'pg leak: new pg.Client(cfg); await client.connect() kept per call': 'failed',
  'after the pg leak: opens, listens and connects': 'passed',
  'pool leak: await pool.connect() never released (pg.Pool, max 5)': 'failed',
  'after the pool leak: opens, listens and connects': 'passed',
  'ws leak: a WebSocket connection kept per call': 'failed',
  'after the ws leak: opens, listens and connects': 'passed',
  "child leak: child_process.spawn('sleep') kept per call": 'failed',
  'after the child leak: opens, listens and connects': 'passed',
  'fd leak with release: false': 'failed',
  'after release: false: the leaked fds are still open': 'passed',
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The calls of the check, from the message's footer (`32 calls · 6 GCs · …`). */
function callsOf(message: string): number {
  const match = /^(\d+) calls · \d+ GCs · /m.exec(message)
  if (!match) throw new Error(`no footer in the message:\n${message}`)
  return Number(match[1])
}

/** What the release line says was closed, by signal name (`TCPServerWrap handles` → 36). */
function releasedOf(message: string): Record<string, number> {
  const line = /^Released after the verdict, so that the next test can open and connect again: (.*) that the check's calls \(the measured ones and the diagnosis's\) left open \(option `release: false` keeps them\)\.$/m.exec(message)
  if (!line) return {}
  return Object.fromEntries([...line[1]!.matchAll(/(\d+) ([\w' ]+?(?:handles|fds|listeners))/g)].map((match) => [match[2], Number(match[1])]))
}

/** The leaks a count-schedule verdict must show: each signal with its rate per call. */
function expectCountLeak(message: string, signals: Record<string, number>): void {
  expect(message.split('\n')[0], message).toBe('Error: expect(fn).not.toLeak(options)')
  expect(message).toMatch(/^Expected the function not to leak, but each call leaves about /m)
  for (const [name, perCall] of Object.entries(signals)) {
    expect(message).toMatch(new RegExp(String.raw`^  ${escape(name)} +${perCall} per call$`, 'm'))
  }
  expect(message).toContain('(counts since the first call; decided by the count schedule, before the heap rounds)')
  // Not the failure the limit would have caused, and not the "no verdict" error.
  expect(message).not.toMatch(/EMFILE|too many clients|This is not a leak verdict|could not reach a verdict/)
}

describe.each(RUNNERS)('resources under ulimit -n 256 in $runner', ({ runner, version }) => {
  let run: LimitsRun
  const message = (name: string): string => outcome(run.report, name).failureMessages.join('\n')
  const pgIt = found.ok ? it : it.skip

  beforeAll(async () => {
    run = await runs.get(runner)!
  }, 300_000)

  it('runs the expected runner on Node 20 with a file limit of 256, every test with its expected status', () => {
    expect(run.runtime, `${run.result.stdout}\n${run.result.stderr}`).toBeDefined()
    expect(run.runtime?.node).toMatch(/^v20\./)
    expect(run.runtime?.runner).toBe(runner)
    expect(run.runtime?.version).toMatch(version)
    expect(run.runtime?.fileLimit).toBe(FILE_LIMIT)
    expect(run.runtime?.gc).toBe('function')
    expect(run.runtime?.pg).toBe(found.ok)
    const statuses = Object.fromEntries([...run.report.tests.values()].map((test) => [test.fullName, test.status]))
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([name, status]) => [name, !found.ok && PG_TESTS.has(name) ? (runner === 'jest' ? 'pending' : 'skipped') : status]),
    )
    const wrong = [...run.report.tests.values()]
      .filter((test) => test.status !== expected[test.fullName])
      .map((test) => `--- ${test.fullName}\n${test.failureMessages.join('\n')}`)
    expect(statuses, wrong.join('\n')).toEqual(expected)
    expect(run.result.timedOut).toBe(false)
    expect(run.result.stdout + run.result.stderr).not.toMatch(/Unhandled (Errors|Rejection)|EMFILE/i)
  })

  it('a server kept per call fails as a leak within 64 calls, and the servers are released', () => {
    const text = message('server leak: net.createServer().listen(0) kept per call')
    expectCountLeak(text, { 'TCPServerWrap handles': 1, 'socket fds': 1 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(releasedOf(text)['TCPServerWrap handles'] ?? 0, text).toBeGreaterThanOrEqual(32)
  })

  it('an fd kept per call fails as a leak within 64 calls, and the fds are released', () => {
    const text = message('fd leak: fs.openSync(/dev/null) kept per call')
    expectCountLeak(text, { 'file fds': 1 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(releasedOf(text)['file fds'] ?? 0, text).toBeGreaterThanOrEqual(32)
  })

  pgIt('a pg.Client kept per call fails as a leak within 64 calls, before the server (max_connections 100) refuses', () => {
    const text = message('pg leak: new pg.Client(cfg); await client.connect() kept per call')
    expectCountLeak(text, { 'TCPSocketWrap handles': 1, 'socket fds': 1 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(releasedOf(text)['TCPSocketWrap handles'] ?? 0, text).toBeGreaterThanOrEqual(32)
  })

  pgIt('a pg.Pool (max 5) whose clients are never released fails as a leak: call 6 never settled, calls 1-5 each left a socket', () => {
    const text = message('pool leak: await pool.connect() never released (pg.Pool, max 5)')
    expect(text.split('\n')[0], text).toBe('Error: expect(fn).not.toLeak(options)')
    expect(text).toMatch(/^Leaking \(calls 1–5 each left resources open \(.*handles:TCPSocketWrap 1 per call, 5 in all.*\), then call 6 never settled/m)
    expect(text).toMatch(/^  TCPSocketWrap handles +1 per call$/m)
    expect(text).toMatch(/^  - Call 6 waited forever after the calls before it each left a resource open: a pool whose connections are never released/m)
    expect(callsOf(text)).toBe(6)
    expect(releasedOf(text)['TCPSocketWrap handles'], text).toBe(5)
    expect(text).not.toMatch(/This is not a leak verdict|too many clients/)
  })

  it('a ws connection kept per call fails as a leak within 64 calls (both ends in this process), and is released', () => {
    const text = message('ws leak: a WebSocket connection kept per call')
    expectCountLeak(text, { 'TCPSocketWrap handles': 2, 'socket fds': 2 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(releasedOf(text)['TCPSocketWrap handles'] ?? 0, text).toBeGreaterThanOrEqual(64)
  })

  it('a spawned child kept per call fails as a leak within 64 calls, and the children are killed', () => {
    const text = message("child leak: child_process.spawn('sleep') kept per call")
    expectCountLeak(text, { 'ProcessWrap handles': 1, 'PipeWrap handles': 3 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(releasedOf(text)['ProcessWrap handles'] ?? 0, text).toBeGreaterThanOrEqual(32)
  })

  it('with release: false the fd leak fails the same way and nothing is released', () => {
    const text = message('fd leak with release: false')
    expectCountLeak(text, { 'file fds': 1 })
    expect(callsOf(text)).toBeLessThanOrEqual(64)
    expect(text).not.toMatch(/^Released after the verdict/m)
  })

  it('a server closed in setImmediate right after it listens passes, and so does every test after a leak', () => {
    for (const [name, status] of Object.entries(EXPECTED)) {
      if (status !== 'passed' || (!found.ok && PG_TESTS.has(name))) continue
      const test = outcome(run.report, name)
      expect(test.status, `${name}\n${test.failureMessages.join('\n')}`).toBe('passed')
    }
    if (runner === 'vitest') {
      const meta = outcome(run.report, 'clean: a server closed in setImmediate right after it listens').meta?.['leakspec'] as
        | { checks: Array<{ verdict: string }> }
        | undefined
      expect(meta?.checks.map((check) => check.verdict)).toEqual(['clean'])
    }
  })
})
