#!/usr/bin/env node
/**
 * The real-code corpus (bench/real/README.md): every case file under bench/real/cases holds a
 * `clean` test and a `leaky` twin (the same code plus one small record kept per call), each an
 * `await expect(fn).not.toLeak()` with leakspec's defaults. This script runs each test in a fresh
 * runner process — real Vitest and real Jest — many times, half of the runs with the other core
 * busy, and counts the verdicts: a clean test must pass, a leaky twin must fail as a leak.
 *
 *   npm run bench:real          full: writes bench/results/real.md (and so bench/RESULTS.md)
 *   npm run bench:real:quick    the CI gate: a few runs per case, exits 1 on any false positive,
 *                               inconclusive or error of a clean test and any leaky twin not
 *                               called a leak; prints the verdict table either way
 *
 * Options:
 *   --runs-clean N     runs of each clean test, alternating over the runners (default 200; quick 4)
 *   --runs-leak N      runs of each leaky twin, alternating over the runners (default 50; quick 2)
 *   --busy-half        every other run of each test and runner with a busy-loop process on a core (the default)
 *   --no-busy          none busy
 *   --jobs J           runner processes at once (default 1); one busy loop serves all busy runs in flight
 *   --cases a,b        case files (names without .test.cjs; a trailing * matches a prefix), default all
 *   --twins clean,leaky   which tests of each file (default both)
 *   --runners vitest,jest (default both)
 *   --quick            the CI gate (see above)
 *   --out FILE.md      write the summary there instead of bench/results/real.md + bench/RESULTS.md
 *   --log FILE.jsonl   the raw records, one line per run (default bench/out/real-<time>.jsonl)
 *   --from-log FILE    only rebuild the summary from earlier logs (comma-separated), with --out
 *   --package DIR      the leakspec build to measure: DIR/package.json and its files (default the repository)
 *   --note TEXT        a paragraph for the summary
 *   --command TEXT     with --from-log: the command that made the logs, for the summary
 *   --title TEXT       the summary's heading (default `## Real code: the real-code corpus (bench/real)`)
 *
 * Each run: `vitest run cases/<case>.test.cjs -t '<twin>$'` or `node --expose-gc jest --runTestsByPath
 * … -t …` in a private work folder (a copy of the cases and of the build, so a rebuild during a run
 * changes nothing), with LEAKSPEC_REPORT_DIR pointing at a folder of its own. The verdict, calls,
 * GCs and time come from leakspec's JSON report (leakspec-report.json), the failure message from the
 * runner's JSON report. The PostgreSQL cases get a server started once for the whole run
 * (bench/real/postgres.mjs, max_connections 100); without PostgreSQL binaries they are skipped with
 * one line saying so.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, quantile, upperBound } from '../stats.mjs'
import { findPostgres, startPostgres } from './postgres.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const RUNNERS = ['vitest', 'jest']
const TWINS = ['clean', 'leaky']

function parseArgs(argv) {
  const opts = {
    runsClean: undefined,
    runsLeak: undefined,
    busy: undefined,
    jobs: 1,
    cases: undefined,
    twins: TWINS,
    runners: RUNNERS,
    quick: false,
    out: undefined,
    log: undefined,
    fromLog: undefined,
    package: root,
    note: undefined,
    title: undefined,
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`bench/real: ${a} needs a value`)
      return v
    }
    const int = (v) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 0) throw new TypeError(`bench/real: ${a} takes a whole number; received ${v}`)
      return n
    }
    if (a === '--runs-clean') opts.runsClean = int(next())
    else if (a === '--runs-leak') opts.runsLeak = int(next())
    else if (a === '--busy-half') opts.busy = 'half'
    else if (a === '--no-busy') opts.busy = 'none'
    else if (a === '--jobs') opts.jobs = Math.max(1, int(next()))
    else if (a === '--cases') opts.cases = next().split(',').filter(Boolean)
    else if (a === '--twins') opts.twins = next().split(',').filter(Boolean)
    else if (a === '--runners') opts.runners = next().split(',').filter(Boolean)
    else if (a === '--quick') opts.quick = true
    else if (a === '--out') opts.out = next()
    else if (a === '--log') opts.log = next()
    else if (a === '--from-log') opts.fromLog = next().split(',')
    else if (a === '--package') opts.package = next()
    else if (a === '--note') opts.note = next()
    else if (a === '--title') opts.title = next()
    else if (a === '--command') opts.command = next()
    else throw new TypeError(`bench/real: unknown option ${a} (see the comment at the top of bench/real/run.mjs)`)
  }
  for (const runner of opts.runners) if (!RUNNERS.includes(runner)) throw new TypeError(`bench/real: unknown runner ${runner}; known: ${RUNNERS.join(', ')}`)
  for (const twin of opts.twins) if (!TWINS.includes(twin)) throw new TypeError(`bench/real: unknown twin ${twin}; known: ${TWINS.join(', ')}`)
  opts.runsClean ??= opts.quick ? 4 : 200
  opts.runsLeak ??= opts.quick ? 2 : 50
  opts.busy ??= 'half'
  return opts
}

/** The case files: `cases/<name>.test.cjs`, by name. */
function allCases() {
  return readdirSync(join(here, 'cases'))
    .filter((file) => file.endsWith('.test.cjs'))
    .map((file) => file.slice(0, -'.test.cjs'.length))
    .sort()
}

function selectCases(wanted) {
  const all = allCases()
  if (!wanted) return all
  const chosen = new Set()
  for (const pattern of wanted) {
    const matches = pattern.endsWith('*') ? all.filter((name) => name.startsWith(pattern.slice(0, -1))) : all.filter((name) => name === pattern)
    if (matches.length === 0) throw new TypeError(`bench/real: no case ${pattern}; known: ${all.join(', ')}`)
    for (const name of matches) chosen.add(name)
  }
  return all.filter((name) => chosen.has(name))
}

/** `npm ci` in bench/real unless its node_modules was installed from this very lock file. */
function ensureInstalled() {
  const lock = join(here, 'package-lock.json')
  const stamp = join(here, 'node_modules', '.leakspec-bench-real')
  const hash = createHash('sha256').update(readFileSync(join(here, 'package.json'))).update(readFileSync(lock)).digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return
  console.log('bench/real: installing the corpus packages (npm ci)…')
  const started = Date.now()
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`bench/real: npm ci failed in bench/real (exit ${result.status ?? result.signal})`)
  writeFileSync(stamp, hash + '\n')
  console.log(`bench/real: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`)
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

/**
 * The private work folder `bench/real/.work-<pid>`: the case files, the two runner configs and a
 * copy of the build as `node_modules/leakspec` (the corpus packages resolve from bench/real/node_modules).
 */
function prepareWork(pkg) {
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'))
  const missing = exportedFiles(manifest).filter((file) => !existsSync(join(pkg, file)))
  if (missing.length > 0) throw new Error(`bench/real: leakspec is not built (missing ${missing.slice(0, 3).join(', ')}); run npm run build first`)
  const work = join(here, `.work-${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  cpSync(join(here, 'cases'), join(work, 'cases'), { recursive: true })
  for (const file of ['vitest.config.mjs', 'jest.config.cjs']) cpSync(join(here, file), join(work, file))
  writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, type: 'commonjs' }) + '\n')
  const target = join(work, 'node_modules', 'leakspec')
  mkdirSync(target, { recursive: true })
  for (const entry of manifest.files ?? ['dist']) cpSync(join(pkg, entry), join(target, entry), { recursive: true })
  cpSync(join(pkg, 'package.json'), join(target, 'package.json'))
  const copied = exportedFiles(manifest).filter((file) => !existsSync(join(target, file)))
  if (copied.length > 0) throw new Error(`bench/real: the build changed while it was copied (missing ${copied.slice(0, 3).join(', ')}); run again`)
  // The same copy in bench/real/node_modules, for running a case file by hand (README); runs use the work folder's.
  const manual = join(here, 'node_modules', 'leakspec')
  rmSync(manual, { recursive: true, force: true })
  cpSync(target, manual, { recursive: true })
  const commit =
    spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: pkg, encoding: 'utf8' }).stdout?.trim() ||
    (existsSync(join(pkg, '.commit')) ? readFileSync(join(pkg, '.commit'), 'utf8').trim() : 'unknown')
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: pkg, encoding: 'utf8' }).stdout?.trim()
  return { work, commit: dirty ? `${commit} + uncommitted src changes` : commit, version: manifest.version }
}

/** This process's environment without an outer test runner's variables, plus plain output. */
function childEnv(extra) {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key.startsWith('JEST') || key === 'NODE_OPTIONS' || key === 'NODE_ENV' || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra }
}

// --- the busy core: one busy-loop process while any busy run is in flight ---
let busyChild = null
let busyUsers = 0
function busyStart() {
  busyUsers++
  if (!busyChild) busyChild = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
}
function busyStop() {
  busyUsers--
  if (busyUsers === 0 && busyChild) {
    busyChild.kill('SIGKILL')
    busyChild = null
  }
}
const running = new Set()

function runProcess(command, args, cwd, env, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    running.add(child)
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
      running.delete(child)
      resolve({ code, signal, output, timedOut, durationMs: Date.now() - started })
    })
  })
}

/** The first line of a failure message that says something (not the matcher's own `expect(fn)…` line). */
export function firstLine(message) {
  const lines = String(message ?? '')
    .split('\n')
    .map((line) => line.replace(/^\s*[A-Za-z]*Error:\s*/, '').trim())
    .filter((line) => line !== '' && !/^expect\(fn\)\.(not\.)?toLeak\(\)$/.test(line))
  return (lines[0] ?? '').slice(0, 300)
}

/** One run of one test in a fresh runner process; resolves to its record. */
async function runOnce(plan, work, pgEnv) {
  const { caseName, twin, runner, busy, index } = plan
  const id = `${caseName}-${twin}-${runner}-${index}`
  const dir = join(work, 'reports', id)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const runnerJson = join(dir, 'runner.json')
  const file = `cases/${caseName}.test.cjs`
  const pattern = `: ${twin}$`
  const args =
    runner === 'vitest'
      ? [join(here, 'node_modules', 'vitest', 'vitest.mjs'), 'run', file, '-t', pattern, '--reporter=dot', '--reporter=json', `--outputFile.json=${runnerJson}`]
      : [
          '--expose-gc',
          join(here, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--ci',
          '--no-watchman',
          `--cacheDirectory=${join(work, '.jest-cache')}`,
          '--runTestsByPath',
          file,
          '-t',
          pattern,
          '--json',
          `--outputFile=${runnerJson}`,
        ]
  if (busy) busyStart()
  let result
  try {
    result = await runProcess(process.execPath, args, work, childEnv({ LEAKSPEC_REPORT_DIR: dir, ...pgEnv }), 240_000)
  } finally {
    if (busy) busyStop()
  }
  const record = {
    case: caseName,
    twin,
    runner,
    run: index,
    busy,
    expected: twin === 'clean' ? 'pass' : 'leak',
    outcome: 'error',
    correct: false,
    message: '',
    calls: null,
    gcs: null,
    checkMs: null,
    heapPerCall: null,
    callsPerRound: null,
    reason: null,
    cause: null,
    leaks: [],
    twinBytes: TWIN_BYTES,
    processMs: result.durationMs,
    exit: result.code,
    load: Number(os.loadavg()[0].toFixed(2)),
  }
  let test
  try {
    const parsed = JSON.parse(readFileSync(runnerJson, 'utf8'))
    for (const fileResult of parsed.testResults ?? []) {
      for (const t of fileResult.assertionResults ?? []) if (t.fullName?.endsWith(`: ${twin}`) || t.title === `${caseName}: ${twin}`) test = t
      if (!test && fileResult.message) record.message = firstLine(fileResult.message)
    }
  } catch {
    record.message = result.timedOut ? 'the runner process was killed after 240 s' : `no runner report (exit ${result.code}): ${firstLine(result.output.split('\n').slice(-20).join('\n'))}`
  }
  let check
  try {
    const report = JSON.parse(readFileSync(join(dir, 'leakspec-report.json'), 'utf8'))
    check = report.tests?.flatMap((t) => t.checks ?? [])[0]
  } catch {
    // No leakspec report: the test never reached a check (or was skipped).
  }
  if (test) {
    if (test.status === 'skipped' || test.status === 'pending') {
      record.outcome = 'skipped'
    } else if (test.status === 'passed') {
      record.outcome = 'pass'
    } else {
      record.message = firstLine((test.failureMessages ?? []).join('\n')) || test.status
    }
  }
  if (check) {
    record.calls = check.calls
    record.gcs = check.gcs
    record.checkMs = Math.round(check.durationMs)
    record.heapPerCall = check.heapPerCall
    record.callsPerRound = check.callsPerRound ?? null
    record.reason = check.reason
    record.cause = check.cause ?? null
    record.leaks = (check.leaks ?? []).map((leak) => leak.key)
    if (record.outcome !== 'pass' && record.outcome !== 'skipped') {
      if (check.verdict === 'leak') record.outcome = 'leak'
      else if (check.verdict === 'inconclusive') record.outcome = 'inconclusive'
    }
  }
  record.correct = record.outcome === record.expected
  // A leaky twin that passed with a reason stating a resolution coarser than its leak is a documented
  // limit of the check (few calls per round, or a noisy heap), not a wrong answer: counted apart.
  record.resolution = statedResolution(record.reason)
  record.belowResolution =
    record.twin === 'leaky' && record.outcome === 'pass' && record.resolution !== null && record.resolution > TWIN_BYTES
  rmSync(dir, { recursive: true, force: true })
  return record
}

// --- the summary ---

const fmtMs = (x) => (Number.isFinite(x) ? (x >= 10_000 ? `${(x / 1000).toFixed(0)} s` : x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`) : '–')
const fmtInt = (x) => (Number.isFinite(x) ? String(Math.round(x)) : '–')
const pct = (p) => (Number.isFinite(p) ? `${(100 * p).toFixed(p > 0 && p < 0.1 ? 2 : 1)} %` : '–')

/** Rows of the summary: one per case and twin, runners together. */
function groupRecords(records) {
  const groups = new Map()
  for (const record of records) {
    const key = `${record.case}|${record.twin}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(record)
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, group]) => ({ key, group }))
}

/** The Markdown summary of a list of run records. */
export function summarize(records, context = {}) {
  const measured = records.filter((record) => record.outcome !== 'skipped')
  const clean = measured.filter((record) => record.twin === 'clean')
  const leaky = measured.filter((record) => record.twin === 'leaky')
  const count = (list, outcome) => list.filter((record) => record.outcome === outcome).length
  const cleanCases = new Set(clean.map((record) => record.case)).size
  const leakyCases = new Set(leaky.map((record) => record.case)).size
  const lines = []
  lines.push(context.title ?? '## Real code: the real-code corpus (bench/real)')
  lines.push('')
  lines.push(
    'Published packages at pinned versions (bench/real/package.json), each case file a `clean` test and a `leaky` twin that runs the same ' +
      `code and keeps one record per call (about ${twinSizes(records)} of heap), both \`await expect(fn).not.toLeak()\` with leakspec's defaults (test timeout 60 s). ` +
      'Every run is one test in a fresh runner process (Vitest 4.1 or Jest 30, Node ' +
      `${process.version.slice(1)}); "busy" runs had a busy-loop process on the other core. A clean test is right when it passes, a leaky twin when it fails as a leak. See bench/real/README.md.`,
  )
  if (context.note) lines.push('', context.note)
  lines.push('')
  const fp = count(clean, 'leak')
  const inc = count(clean, 'inconclusive')
  const err = count(clean, 'error')
  const caught = count(leaky, 'leak')
  lines.push(
    `**Clean: ${clean.length} runs of ${cleanCases} cases, ${fp} false leak verdicts, ${inc} inconclusive, ${err} errors** ` +
      `(95 % upper bound of the false-leak rate ${pct(upperBound(fp, clean.length))}). ` +
      `**Leaky twins: ${leaky.length} runs of ${leakyCases} cases, ${caught} called a leak (${pct(leaky.length ? caught / leaky.length : NaN)})**, ` +
      `${count(leaky, 'pass')} passed, ${count(leaky, 'inconclusive')} inconclusive, ${count(leaky, 'error')} errors.`,
  )
  const skipped = [...new Set([...records.filter((record) => record.outcome === 'skipped').map((record) => record.case), ...(context.skippedCases ?? [])])]
  if (skipped.length > 0) lines.push('', `Skipped: ${skipped.join(', ')} (${context.skipReason ?? 'the tests skipped themselves'}).`)
  lines.push('')
  lines.push('| case | test | runs (busy) | right | pass | leak | inconclusive | error | wrong by runner | heap/call median (max) | calls median / p95 | GCs median | check time median / p95 |')
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |')
  for (const { key, group } of groupRecords(measured)) {
    const [caseName, twin] = key.split('|')
    const calls = group.map((record) => record.calls).filter(Number.isFinite)
    const gcs = group.map((record) => record.gcs).filter(Number.isFinite)
    const times = group.map((record) => record.checkMs).filter(Number.isFinite)
    const heaps = group.map((record) => record.heapPerCall).filter(Number.isFinite)
    const byRunner = RUNNERS.filter((runner) => group.some((record) => record.runner === runner))
      .map((runner) => {
        const mine = group.filter((record) => record.runner === runner)
        return `${runner} ${mine.filter((record) => !record.correct).length}/${mine.length}`
      })
      .join(', ')
    const right = group.filter((record) => record.correct).length
    const mark = (outcome, n) => (n > 0 && outcome !== (twin === 'clean' ? 'pass' : 'leak') ? `**${n}**` : String(n))
    lines.push(
      `| ${caseName} | ${twin} | ${group.length} (${group.filter((record) => record.busy).length}) | ${right}/${group.length} | ` +
        ['pass', 'leak', 'inconclusive', 'error'].map((outcome) => mark(outcome, count(group, outcome))).join(' | ') +
        ` | ${byRunner} | ${heaps.length ? `${median(heaps).toFixed(1)} (${Math.max(...heaps).toFixed(1)}) B` : '–'} | ${fmtInt(median(calls))} / ${fmtInt(quantile(calls, 0.95))} | ${fmtInt(median(gcs))} | ${fmtMs(median(times))} / ${fmtMs(quantile(times, 0.95))} |`,
    )
  }
  const below = measured.filter((record) => record.belowResolution)
  if (below.length > 0) {
    lines.push('', `Leaky twins that passed with a stated resolution coarser than their ${TWIN_BYTES} B per call (the check said it could not see leaks that small there):`, '')
    for (const { key, group } of groupRecords(below)) {
      const [caseName] = key.split('|')
      const resolutions = group.map((record) => record.resolution)
      lines.push(`- ${caseName}: ${group.length}× (resolution ${Math.min(...resolutions)}–${Math.max(...resolutions)} B per call, ${Math.min(...group.map((r) => r.calls))}–${Math.max(...group.map((r) => r.calls))} calls)`)
    }
  }
  const wrong = measured.filter((record) => !record.correct && !record.belowResolution)
  if (wrong.length > 0) {
    lines.push('', 'What the wrong runs said (first line of the failure, how often; the heap growth per call and calls of the check):', '')
    for (const { key, group } of groupRecords(wrong)) {
      const [caseName, twin] = key.split('|')
      const messages = new Map()
      for (const record of group) {
        // Numbers vary run to run; group by the message's words.
        const shape = `${record.outcome}: ${record.message.replace(/\d[\d.,]*/g, '#')}`
        if (!messages.has(shape)) messages.set(shape, [])
        messages.get(shape).push(record)
      }
      for (const [, same] of [...messages.entries()].sort((a, b) => b[1].length - a[1].length)) {
        const example = same[0]
        const heaps = same.map((record) => record.heapPerCall).filter(Number.isFinite)
        const calls = same.map((record) => record.calls).filter(Number.isFinite)
        const runners = [...new Set(same.map((record) => record.runner))].join('+')
        lines.push(
          `- ${caseName} ${twin} — ${same.length}× ${example.outcome} (${runners}, ${same.filter((record) => record.busy).length} busy)` +
            (heaps.length ? `, heap ${Math.min(...heaps).toFixed(1)}–${Math.max(...heaps).toFixed(1)} B/call` : '') +
            (calls.length ? `, ${Math.min(...calls)}–${Math.max(...calls)} calls` : '') +
            `: \`${example.message.replace(/`/g, "'") || '(no message)'}\``,
        )
      }
    }
  }
  lines.push('')
  lines.push(`Command: \`${context.command ?? 'node bench/real/run.mjs'}\`${context.when ? ` (${context.when})` : ''}.`)
  return lines.join('\n') + '\n'
}

/**
 * What the records' leaky twins kept per call, in words: records from before `twinBytes` was logged
 * come from the first twin, `{ call, value }`, about 50 B per call.
 */
function twinSizes(records) {
  const sizes = [...new Set(records.map((record) => record.twinBytes ?? 50))].sort((a, b) => a - b)
  return sizes.map((bytes) => `${bytes} B`).join(' or ') || `${TWIN_BYTES} B`
}

/** Heap bytes per call one leaky twin keeps (cases/_shared.cjs `retain`, measured with 200,000 records). */
const TWIN_BYTES = 200

/**
 * The resolution a clean verdict states, in bytes per call, or null: "heap growth below N B per call is
 * below the resolution" or "a leak of more than about N B per call would have stood clear of it".
 */
export function statedResolution(reason) {
  if (typeof reason !== 'string') return null
  const match = /heap growth below (\d+) B per call is below the resolution|a leak of more than about (\d+) B per call would have stood clear/.exec(reason)
  return match ? Number(match[1] ?? match[2]) : null
}

function readLogs(files) {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  )
}

/** Writes the summary into bench/results/real.md and regenerates bench/RESULTS.md around it. */
async function writeResults(text) {
  const target = join(root, 'bench', 'results', 'real.md')
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, text)
  const { writeReport } = await import('../report.mjs')
  writeReport(join(root, 'bench', 'results'), join(root, 'bench', 'RESULTS.md'))
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  if (opts.fromLog) {
    const text = summarize(readLogs(opts.fromLog), { note: opts.note, title: opts.title, command: opts.command ?? 'node bench/real/run.mjs' })
    if (opts.out) writeFileSync(opts.out, text)
    else process.stdout.write(text)
    return
  }
  ensureInstalled()
  const cases = selectCases(opts.cases)
  const { work, commit, version } = prepareWork(opts.package)
  const log = opts.log ?? join(root, 'bench', 'out', `real-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`)
  mkdirSync(dirname(log), { recursive: true })
  const started = new Date()
  let pg
  let pgEnv = {}
  let skipReason
  let skippedCases = []
  const cleanupAll = () => {
    for (const child of running) child.kill('SIGKILL')
    if (busyChild) busyChild.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
  let stopping = false
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopping = true
      for (const child of running) child.kill('SIGKILL')
    })
  }
  try {
    let selected = cases
    if (cases.some((name) => name.startsWith('pg-'))) {
      const found = findPostgres()
      if (!found.ok) {
        skipReason = found.reason
        console.log(`bench/real: skipping ${cases.filter((name) => name.startsWith('pg-')).join(', ')}: ${found.reason}`)
        skippedCases = cases.filter((name) => name.startsWith('pg-'))
        selected = cases.filter((name) => !name.startsWith('pg-'))
      } else {
        pg = await startPostgres({ maxConnections: 100 })
        pgEnv = { LEAKSPEC_BENCH_PG: JSON.stringify({ host: pg.host, port: pg.port, user: pg.user, database: pg.database }) }
        console.log(`bench/real: ${pg.version} on ${pg.host}:${pg.port} for the pg cases`)
      }
    }
    // The plan: run i of every test before run i + 1 of any (so an interrupted run covers all cases),
    // runners alternating; busy on every other run of each test and runner (--busy-half).
    const plans = []
    const maxRuns = Math.max(opts.runsClean, opts.runsLeak)
    for (let i = 0; i < maxRuns; i++) {
      for (const caseName of selected) {
        for (const twin of opts.twins) {
          if (i >= (twin === 'clean' ? opts.runsClean : opts.runsLeak)) continue
          const runner = opts.runners[i % opts.runners.length]
          const perRunner = Math.floor(i / opts.runners.length)
          const busy = opts.busy === 'half' && perRunner % 2 === 1
          plans.push({ caseName, twin, runner, busy, index: i + 1 })
        }
      }
    }
    const command = `node bench/real/run.mjs ${process.argv
      .slice(2)
      .filter((arg, i, all) => !['--out', '--log', '--package', '--note', '--title'].includes(arg) && !['--out', '--log', '--package', '--note', '--title'].includes(all[i - 1]))
      .join(' ')}`.trim()
    console.log(`bench/real: ${plans.length} runs of ${selected.length} case files (${opts.twins.join(' + ')}) through ${opts.runners.join(' and ')}, ${opts.jobs} at a time; log ${relative(root, log)}`)
    const records = []
    let next = 0
    const worker = async () => {
      while (!stopping && next < plans.length) {
        const plan = plans[next++]
        const record = await runOnce(plan, work, pgEnv)
        if (stopping) break
        records.push(record)
        appendFileSync(log, JSON.stringify(record) + '\n')
        const detail = record.correct ? '' : `  ${record.message || record.outcome}`
        console.log(
          `${String(records.length).padStart(4)}/${plans.length} ${`${record.case}: ${record.twin}`.padEnd(32)} ${record.runner.padEnd(6)} ${record.busy ? 'busy' : 'idle'} ` +
            `${(record.correct ? 'ok' : 'WRONG').padEnd(5)} ${record.outcome.padEnd(12)} ${String(record.calls ?? '–').padStart(5)} calls ${fmtMs(record.checkMs).padStart(6)}${detail}`,
        )
      }
    }
    await Promise.all(Array.from({ length: opts.jobs }, worker))
    const when = `leakspec ${version}, build of commit ${commit}, ${started.toISOString().slice(0, 16)}Z, ${os.cpus().length} cores, jobs ${opts.jobs}`
    const text = summarize(records, { command, when, note: opts.note, title: opts.title, skipReason, skippedCases })
    process.stdout.write('\n' + text)
    if (opts.out) writeFileSync(opts.out, text)
    else if (!opts.quick && !stopping) await writeResults(text)
    const wrong = records.filter((record) => record.outcome !== 'skipped' && !record.correct && !record.belowResolution)
    const below = records.filter((record) => record.belowResolution)
    if (below.length > 0) {
      console.log(
        `\nbench/real: ${below.length} leaky twin run(s) passed with a stated resolution coarser than the twin's ${TWIN_BYTES} B per call ` +
          `(${[...new Set(below.map((record) => record.case))].join(', ')}): a documented limit, listed in the summary, not counted as wrong`,
      )
    }
    if (opts.quick) {
      if (wrong.length > 0) console.error(`\nbench/real: ${wrong.length} of ${records.length} runs wrong (false leak verdicts, inconclusive or failed clean tests, leaky twins not called a leak within the check's stated resolution)`)
      process.exitCode = wrong.length > 0 || stopping ? 1 : 0
    }
  } finally {
    await pg?.stop()
    cleanupAll()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    for (const child of running) child.kill('SIGKILL')
    if (busyChild) busyChild.kill('SIGKILL')
    console.error(error instanceof Error ? error.message : error)
    process.exit(2)
  })
}
