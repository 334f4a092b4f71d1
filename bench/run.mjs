/**
 * The accuracy benchmark: runs every case of `bench/cases/` in many fresh processes (one check per
 * process) with the default options, plus the Vitest speed suite, and reports false-positive and
 * detection rates with exact 95 % bounds, verdict times, GCs and the decision margin.
 *
 *   npm run bench                 full: 200 runs per clean case, 100 per leaky case; writes
 *                                 bench/results/<label>.json and bench/RESULTS.md
 *   npm run bench:quick           quick (CI): 10 runs per case; exits 1 on any false positive, any
 *                                 missed leak of ≥ 32 B/call, or a median of more than
 *                                 MAX_CLEAN_GCS_MEDIAN full GCs per clean verdict; writes only under bench/out/
 *
 * Options:
 *   --quick                 quick mode (see above)
 *   --runs-clean N          runs per clean case        (full 200, quick 10)
 *   --runs-leak N           runs per leaky case        (full 100, quick 10)
 *   --runs-resource-leak N  runs per leaky resource pair (full 20, quick 2; seconds each)
 *   --jobs N                parallel child processes   (default 2)
 *   --node PATH             node binary for the children and the Vitest suite (default: this node)
 *   --label NAME            name of the result set     (default node<major>)
 *   --cases a,b             only these cases (file names without .mjs)
 *   --vitest-runs N         checks of each kind in the Vitest speed suite (full 60, quick 6; 0 = skip)
 *   --write / --no-write    write bench/results/<label>.json and bench/RESULTS.md (default: full yes, quick no)
 *   --context TEXT          a sentence on how the set was run, printed in RESULTS.md
 *   --report                only rebuild bench/RESULTS.md from bench/results/*.json
 *   --from-raw FILE.jsonl   summarize the raw runs of an earlier (possibly interrupted) run instead of
 *                           running the cases (the size measurement and the Vitest suite still run);
 *                           with --node/--label naming the same node and set
 *
 * Why one check per process: a check measures the whole heap, so anything left by an earlier check
 * (a leaky case's garbage-free growth, warmed-up JIT state, a grown old space) would make runs
 * depend on each other; separate processes make every run an independent trial, which the binomial
 * bounds assume. Process start-up (~50 ms) is small next to a check.
 */
import { spawn } from 'node:child_process'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { writeReport } from './report.mjs'
import { lowerBound, median, quantile, upperBound } from './stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)

/** Leaks at or above this size (bytes per call) must be detected; quick mode fails on a miss. */
export const MUST_DETECT_BYTES = 32

/**
 * Most full GCs a clean verdict may take: the median over every clean verdict of the clean cases
 * (synthetic and resource pairs). Above it the run fails, so a change that adds GCs to the measuring
 * sequence is seen. Measured with `npm run build && node bench/run.mjs --quick --jobs 1` on Node 20
 * (2 shared vCPUs, 2026-12-03): median 16 over 350 clean verdicts (max 26), 21 before the sampler
 * dropped the GCs of settling, calibration and warm-up that no reading needed (bench/RESULTS.md,
 * "GCs per verdict"). A cheap function's clean verdict: 3 GCs before the warm-up, one warm-up GC for the
 * memory guard's first reading, 2 per paired reading at the baseline and after rounds 1–5.
 */
export const MAX_CLEAN_GCS_MEDIAN = 16

function parseArgs(argv) {
  const opts = { quick: false, jobs: 2, node: process.execPath, cases: null, write: null, report: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`bench: ${a} needs a value`)
      return v
    }
    if (a === '--quick') opts.quick = true
    else if (a === '--runs-clean') opts.runsClean = Number(next())
    else if (a === '--runs-leak') opts.runsLeak = Number(next())
    else if (a === '--runs-resource-leak') opts.runsResourceLeak = Number(next())
    else if (a === '--jobs') opts.jobs = Number(next())
    else if (a === '--node') opts.node = next()
    else if (a === '--label') opts.label = next()
    else if (a === '--cases') opts.cases = next().split(',')
    else if (a === '--vitest-runs') opts.vitestRuns = Number(next())
    else if (a === '--write') opts.write = true
    else if (a === '--no-write') opts.write = false
    else if (a === '--report') opts.report = true
    else if (a === '--from-raw') opts.fromRaw = next()
    else if (a === '--context') opts.context = next()
    else throw new TypeError(`bench: unknown option ${a}. See the header of bench/run.mjs.`)
  }
  opts.runsClean ??= opts.quick ? 10 : 200
  opts.runsLeak ??= opts.quick ? 10 : 100
  opts.runsResourceLeak ??= opts.quick ? 2 : 20
  opts.vitestRuns ??= opts.quick ? 6 : 60
  opts.write ??= !opts.quick
  return opts
}

/** Runs of a case: leaky resource pairs are slow (seconds to tens of seconds) and get their own count. */
function runsOf(opts, c) {
  if (c.truth === 'clean') return opts.runsClean
  return c.resource ? opts.runsResourceLeak : opts.runsLeak
}

async function loadCases(filter) {
  const dir = join(here, 'cases')
  const files = readdirSync(dir).filter((f) => /^(clean|leak)-.*\.mjs$/.test(f)).sort()
  const cases = []
  for (const file of files) {
    const name = basename(file, '.mjs')
    if (filter && !filter.includes(name)) continue
    const mod = await import(pathToFileURL(join(dir, file)).href)
    if (typeof mod.create !== 'function' || (mod.truth !== 'clean' && mod.truth !== 'leak')) {
      throw new TypeError(`bench: case ${file} must export create() and truth ('clean' | 'leak')`)
    }
    cases.push({
      name,
      file: join(dir, file),
      truth: mod.truth,
      expected: mod.expected ?? mod.truth,
      bytesPerCall: mod.bytesPerCall,
      about: mod.about,
    })
  }
  cases.push(...(await loadResourcePairs(filter)))
  if (filter) for (const f of filter) if (!cases.some((c) => c.name === f)) throw new TypeError(`bench: no case named ${f}`)
  return cases
}

/** `'listener on a module-level EventEmitter'` → `'listener-on-a-module-level-eventemitter'`. */
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

/**
 * The resource pairs of `test/fixtures/resources/cases.ts` (timers, servers, sockets, files, streams,
 * child processes, workers, listeners), bundled once with esbuild so each fresh process can load
 * them: a case `res-clean-<pair>` and `res-leak-<pair>` per pair. A leaky pair counts as detected
 * only when the leak is reported under the pair's own signal key (`handles:Timeout`, `fds:file`, …).
 */
async function loadResourcePairs(filter) {
  const wanted = (name) => !filter || filter.includes(name)
  const source = join(root, 'test', 'fixtures', 'resources', 'cases.ts')
  if (filter && !filter.some((f) => f.startsWith('res-'))) return []
  const outDir = join(here, 'out')
  mkdirSync(outDir, { recursive: true })
  // One bundle per benchmark process: two sets (Node 20 and 24) may run side by side.
  const bundle = join(outDir, `resource-pairs-${process.pid}.mjs`)
  const { build } = await import('esbuild')
  await build({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', outfile: bundle, sourcemap: 'inline', logLevel: 'error' })
  const { cases: pairs } = await import(`${pathToFileURL(bundle).href}?${Date.now()}`)
  const cases = []
  for (const pair of pairs) {
    for (const [variant, truth] of [['clean', 'clean'], ['leaky', 'leak']]) {
      const name = `res-${truth}-${slug(pair.name)}`
      if (!wanted(name)) continue
      cases.push({
        name,
        file: bundle,
        pair: pair.name,
        variant,
        resource: true,
        key: pair.key,
        options: pair.options ?? null,
        truth,
        expected: truth,
        bytesPerCall: null,
        about: `${variant === 'clean' ? 'releases' : 'leaves'} one resource per call: ${pair.name} (${pair.key})`,
      })
    }
  }
  return cases
}

/** The arguments of child.mjs for one run of a case. */
function childArgs(c) {
  return c.resource
    ? ['--expose-gc', '--enable-source-maps', join(here, 'child.mjs'), '--pair', c.file, c.pair, c.variant]
    : ['--expose-gc', join(here, 'child.mjs'), c.file]
}

/** Runs `node args…`, returns the last JSON line of stdout (or an error record). */
function runChild(node, args, timeoutMs, env = process.env) {
  return new Promise((resolvePromise) => {
    const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()
      if (line) {
        try {
          return resolvePromise(JSON.parse(line))
        } catch {}
      }
      resolvePromise({
        error: { code: signal ? `KILLED_${signal}` : `EXIT_${code}`, message: (stderr || stdout).slice(-800) },
      })
    })
  })
}

async function pool(items, jobs, work) {
  let index = 0
  const workers = Array.from({ length: Math.max(1, jobs) }, async () => {
    while (index < items.length) {
      const item = items[index++]
      await work(item)
    }
  })
  await Promise.all(workers)
}

function outcomeOf(caseInfo, run) {
  if (run.error) return 'error'
  if (run.verdict === 'inconclusive') return 'inconclusive'
  if (run.verdict !== 'leak') return 'not-flagged'
  // A leaky resource pair is detected only under its own signal; a leak verdict on another signal
  // alone is a miss (a clean twin is a false positive whichever signal was named).
  if (caseInfo.resource && caseInfo.expected === 'leak' && !(run.leaks ?? []).some((l) => l.key === caseInfo.key)) return 'wrong-signal'
  return 'flagged'
}

function minCounted(run) {
  const counted = (run.rounds ?? []).filter((r) => r.counted).map((r) => r.heapPerCall)
  return counted.length ? Math.min(...counted) : null
}

/** Summary of one case from its runs. */
export function summarize(caseInfo, runs) {
  const n = runs.length
  const by = { flagged: 0, 'not-flagged': 0, 'wrong-signal': 0, inconclusive: 0, error: 0 }
  for (const run of runs) by[outcomeOf(caseInfo, run)]++
  const ok = runs.filter((r) => !r.error && r.verdict !== 'inconclusive')
  const durations = ok.map((r) => r.durationMs)
  const margins = ok.map(minCounted).filter((v) => v !== null)
  const ratios = ok.filter((r) => r.gcMedianMs > 0).map((r) => r.durationMs / (r.gcs * r.gcMedianMs))
  const decidedAt = {}
  for (const r of ok) {
    const key = r.verdict === 'clean' ? `clean@${r.rounds.length}` : `leak@${r.rounds.length}`
    decidedAt[key] = (decidedAt[key] ?? 0) + 1
  }
  const signals = {}
  for (const r of runs) for (const l of r.leaks ?? []) signals[l.key] = (signals[l.key] ?? 0) + 1
  const expectFlag = caseInfo.expected === 'leak'
  const wrong = expectFlag ? n - by.flagged : by.flagged + by.inconclusive + by.error
  const failing = runs.filter((r) => {
    const o = outcomeOf(caseInfo, r)
    return expectFlag ? o !== 'flagged' : o !== 'not-flagged'
  })
  const framed = caseInfo.resource
    ? runs.filter((r) => (r.stacks ?? []).some((st) => st.key === caseInfo.key && st.frames.some((f) => f.includes('cases.ts')))).length
    : undefined
  return {
    name: caseInfo.name,
    resource: caseInfo.resource ?? false,
    key: caseInfo.key,
    options: caseInfo.options,
    fixtureFrame: framed,
    truth: caseInfo.truth,
    expected: caseInfo.expected,
    bytesPerCall: caseInfo.bytesPerCall,
    measuredBytesPerCall: caseInfo.measuredBytesPerCall,
    about: caseInfo.about,
    runs: n,
    ...by,
    flaggedRate: n ? by.flagged / n : 0,
    flaggedUpper95: upperBound(by.flagged, n),
    flaggedLower95: lowerBound(by.flagged, n),
    wrong,
    durationMedianMs: median(durations),
    durationP95Ms: quantile(durations, 0.95),
    gcsMedian: median(ok.map((r) => r.gcs)),
    gcsMax: ok.length ? Math.max(...ok.map((r) => r.gcs)) : Number.NaN,
    callsMedian: median(ok.map((r) => r.calls)),
    callsPerRoundMedian: median(ok.map((r) => r.callsPerRound)),
    gcMedianMs: median(ok.map((r) => r.gcMedianMs)),
    gcCostRatioMedian: median(ratios),
    minCountedMin: margins.length ? Math.min(...margins) : null,
    minCountedMax: margins.length ? Math.max(...margins) : null,
    minCountedMedian: margins.length ? median(margins) : null,
    minCountedAll: margins.map((v) => Math.round(v * 10) / 10),
    decidedAt,
    signals,
    failing: failing.slice(0, 20),
  }
}

async function measureSizes(cases, node) {
  for (const c of cases) {
    if (c.resource) continue
    const r = await runChild(node, ['--expose-gc', join(here, 'child.mjs'), '--size', c.file], 120_000)
    c.measuredBytesPerCall = r.error ? null : Math.round(r.bytesPerCall * 10) / 10
  }
}

async function runVitestSuite(opts, outDir) {
  const runsPerKind = opts.vitestRuns
  if (!runsPerKind) return null
  const invocations = opts.quick ? 1 : 3
  const perInvocation = Math.ceil(runsPerKind / invocations)
  const file = join(outDir, `vitest-${opts.label}-${Date.now()}.jsonl`)
  const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs')
  const problems = []
  for (let i = 0; i < invocations; i++) {
    const env = { ...process.env, LEAKSPEC_BENCH_OUT: file, LEAKSPEC_BENCH_RUNS: String(perInvocation) }
    const result = await new Promise((resolvePromise) => {
      const child = spawn(opts.node, [vitestBin, 'run', '--config', join(here, 'vitest', 'vitest.config.mjs')], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout.on('data', (d) => (output += d))
      child.stderr.on('data', (d) => (output += d))
      child.on('close', (code) => resolvePromise({ code, output }))
    })
    if (result.code !== 0) problems.push(`vitest exited ${result.code}: ${result.output.slice(-1500)}`)
    process.stderr.write(`  vitest speed suite ${i + 1}/${invocations}: exit ${result.code}\n`)
  }
  const records = existsSync(file)
    ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    : []
  const kinds = {}
  for (const kind of ['clean', 'leak']) {
    const rs = records.filter((r) => r.kind === kind)
    const ratios = rs.map((r) => r.durationMs / (r.gcs * r.gcMedianMs))
    kinds[kind] = {
      runs: rs.length,
      verdicts: rs.reduce((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {}),
      durationMedianMs: median(rs.map((r) => r.durationMs)),
      durationP95Ms: quantile(rs.map((r) => r.durationMs), 0.95),
      gcsMedian: median(rs.map((r) => r.gcs)),
      gcMedianMs: median(rs.map((r) => r.gcMedianMs)),
      heapMiBMedian: median(rs.map((r) => r.heapMiB)),
      ratioMedian: median(ratios),
      ratioP95: quantile(ratios, 0.95),
      goal: kind === 'clean' ? 1.5 : 2,
    }
  }
  return { invocations, perInvocation, kinds, problems }
}

/** The commit, whether src/ had uncommitted changes, and a hash of the built files under test. */
function engineIdentity(distDir) {
  const git = (args) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    } catch {
      return 'unknown'
    }
  }
  const hash = createHash('sha256')
  for (const f of readdirSync(distDir).filter((f) => f.endsWith('.js')).sort()) hash.update(readFileSync(join(distDir, f)))
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    srcDirty: git(['status', '--porcelain', '--', 'src']) !== '',
    distSha256: hash.digest('hex').slice(0, 16),
  }
}

function machine() {
  const cpus = os.cpus()
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    note: 'a shared machine (other work may run beside the benchmark; the load averages below tell how busy): times are medians and ratios only',
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const resultsDir = join(here, 'results')
  if (opts.report) {
    writeReport(resultsDir, join(here, 'RESULTS.md'))
    return
  }
  const outDir = join(here, 'out')
  mkdirSync(outDir, { recursive: true })
  const nodeVersion = (await new Promise((r) => {
    const c = spawn(opts.node, ['--version'])
    let s = ''
    c.stdout.on('data', (d) => (s += d))
    c.on('close', () => r(s.trim()))
  }))
  opts.label ??= `node${nodeVersion.replace(/^v/, '').split('.')[0]}${opts.quick ? '-quick' : ''}`
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('bench: dist/ is missing; run `npm run build` first')

  const cases = await loadCases(opts.cases)
  const started = new Date()
  // Snapshot dist/ so that a rebuild while the benchmark runs cannot change the engine under test.
  // (With --from-raw: the newest snapshot taken for this label, i.e. the engine those runs used.)
  const earlier = readdirSync(outDir).filter((f) => f.startsWith(`dist-${opts.label}-`)).sort().pop()
  const distSnapshot = opts.fromRaw && earlier ? join(outDir, earlier) : join(outDir, `dist-${opts.label}-${started.getTime()}`)
  if (!existsSync(distSnapshot)) cpSync(join(root, 'dist'), distSnapshot, { recursive: true })
  process.env.LEAKSPEC_BENCH_DIST = distSnapshot
  const engine = engineIdentity(distSnapshot)
  const loadStart = os.loadavg()
  process.stderr.write(`bench: ${cases.length} cases, node ${nodeVersion}, ${opts.quick ? 'quick' : 'full'} mode, ${opts.jobs} jobs\n`)
  if (!opts.quick) await measureSizes(cases, opts.node)

  if (opts.fromRaw) {
    const raw = readFileSync(opts.fromRaw, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
    const runs = new Map(cases.map((c) => [c.name, raw.filter((r) => r.case === c.name)]))
    await measureSizes(cases, opts.node)
    const vitest = await runVitestSuite(opts, outDir)
    return finish(opts, { cases, runs, started, loadStart, engine, nodeVersion, outDir, resultsDir, rawFile: opts.fromRaw, vitest, partial: true })
  }

  const queue = []
  const maxRuns = Math.max(...cases.map((c) => runsOf(opts, c)))
  for (let r = 0; r < maxRuns; r++) {
    for (const c of cases) if (r < runsOf(opts, c)) queue.push(c)
  }
  const rawFile = join(outDir, `${opts.label}-${started.toISOString().replace(/[:.]/g, '-')}.jsonl`)
  const runs = new Map(cases.map((c) => [c.name, []]))
  let done = 0
  const t0 = Date.now()
  await pool(queue, opts.jobs, async (c) => {
    const run = await runChild(opts.node, childArgs(c), 180_000)
    run.case = c.name
    runs.get(c.name).push(run)
    appendFileSync(rawFile, JSON.stringify(run) + '\n')
    done++
    const bad = c.expected === 'leak' ? outcomeOf(c, run) !== 'flagged' : run.verdict !== 'clean'
    if (bad) process.stderr.write(`  ! ${c.name}: ${run.error ? `error ${run.error.code}` : run.verdict} ${run.rounds ? run.rounds.map((x) => x.heapPerCall + (x.counted ? '*' : '')).join(' ') : ''}\n`)
    if (done % 100 === 0 || done === queue.length) {
      const rate = done / ((Date.now() - t0) / 1000)
      process.stderr.write(`  ${done}/${queue.length} runs (${rate.toFixed(1)}/s, ~${Math.round((queue.length - done) / rate / 60)} min left)\n`)
    }
  })

  const vitest = await runVitestSuite(opts, outDir)
  return finish(opts, { cases, runs, started, loadStart, engine, nodeVersion, outDir, resultsDir, rawFile, vitest, partial: false })
}

function finish(opts, { cases, runs, started, loadStart, engine, nodeVersion, outDir, resultsDir, rawFile, vitest, partial }) {
  const summaries = cases.map((c) => summarize(c, runs.get(c.name)))
  let date = started.toISOString()
  let finished = new Date().toISOString()
  if (partial) {
    // The runs' own start (from the raw file's name) and end (its last write).
    const m = /(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(rawFile)
    if (m) date = `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`
    finished = statSync(rawFile).mtime.toISOString()
  }
  const counts = (truth) => summaries.filter((s) => s.truth === truth).map((s) => s.runs)
  const cleanVerdictGcs = cases
    .filter((c) => c.truth === 'clean' && c.expected === 'clean')
    .flatMap((c) => runs.get(c.name).filter((r) => !r.error && r.verdict === 'clean').map((r) => r.gcs))
  const result = {
    label: opts.label,
    mode: (opts.quick ? 'quick' : 'full') + (partial ? ' (summarized from raw runs)' : ''),
    date,
    finished,
    context: opts.context,
    node: nodeVersion,
    machine: { ...machine(), loadavgStart: loadStart, loadavgEnd: os.loadavg() },
    engine,
    jobs: opts.jobs,
    runsClean: Math.min(...counts('clean')),
    runsLeak: Math.min(...summaries.filter((s) => s.truth === 'leak' && !s.resource).map((s) => s.runs)),
    runsResourceLeak: Math.min(...summaries.filter((s) => s.truth === 'leak' && s.resource).map((s) => s.runs)),
    floor: 16,
    gcsPerCleanVerdict: {
      verdicts: cleanVerdictGcs.length,
      median: cleanVerdictGcs.length ? median(cleanVerdictGcs) : null,
      max: cleanVerdictGcs.length ? Math.max(...cleanVerdictGcs) : null,
      limit: MAX_CLEAN_GCS_MEDIAN,
    },
    cases: summaries,
    vitest,
  }
  const jsonOut = opts.write ? join(resultsDir, `${opts.label}.json`) : join(outDir, `${opts.label}.json`)
  mkdirSync(dirname(jsonOut), { recursive: true })
  writeFileSync(jsonOut, JSON.stringify(result, null, 1) + '\n')
  if (opts.write) writeReport(resultsDir, join(here, 'RESULTS.md'))
  else writeReport(null, join(outDir, `RESULTS-${opts.label}.md`), [result])

  // Console summary and the CI gate.
  const failures = []
  for (const s of summaries) {
    const line = `${s.name.padEnd(24)} ${String(s.flagged).padStart(4)}/${String(s.runs).padEnd(4)} flagged  inconclusive ${s.inconclusive}  errors ${s.error}  median ${Math.round(s.durationMedianMs)} ms`
    process.stdout.write(line + '\n')
    if (s.expected === 'clean' && s.truth === 'clean') {
      if (s.flagged > 0) failures.push(`${s.name}: ${s.flagged} false positive(s) in ${s.runs} runs`)
      if (s.error > 0) failures.push(`${s.name}: ${s.error} run(s) failed without a verdict`)
      if (s.inconclusive > 0) process.stdout.write(`  warning: ${s.name} was inconclusive in ${s.inconclusive} run(s) (not a false positive)\n`)
    } else if (s.resource && s.expected === 'leak') {
      // A slow I/O pair that runs out of its time budget on a loaded machine is inconclusive, never a wrong
      // answer: a warning. A clean verdict, a leak under another signal or an error fails the gate.
      const wrong = s['not-flagged'] + s['wrong-signal'] + s.error
      if (wrong > 0) failures.push(`${s.name}: not reported under ${s.key} in ${wrong} of ${s.runs} runs`)
      if (s.inconclusive > 0) process.stdout.write(`  warning: ${s.name} was inconclusive in ${s.inconclusive} run(s) (time budget; not a wrong verdict)\n`)
    } else if (s.expected === 'leak' && s.bytesPerCall >= MUST_DETECT_BYTES) {
      if (s.flagged < s.runs) failures.push(`${s.name} (~${s.bytesPerCall} B/call): missed in ${s.runs - s.flagged} of ${s.runs} runs`)
    } else if (s.expected === 'clean' && s.flagged > 0) {
      process.stdout.write(`  note: ${s.name} (below the floor) was flagged in ${s.flagged} run(s)\n`)
    }
  }
  if (vitest) {
    for (const [kind, k] of Object.entries(vitest.kinds)) {
      process.stdout.write(`vitest ${kind}: ${k.runs} checks, verdict ${Math.round(k.durationMedianMs)} ms, ${k.gcsMedian} GCs × ${k.gcMedianMs.toFixed(2)} ms, ratio ${k.ratioMedian.toFixed(2)} (goal ≤ ${k.goal})\n`)
      const wrongVerdicts = k.runs - (k.verdicts[kind] ?? 0)
      if (wrongVerdicts > 0) failures.push(`vitest ${kind}: ${wrongVerdicts} of ${k.runs} checks had the wrong verdict`)
    }
    for (const p of vitest.problems) failures.push(p)
  }
  const gcsClean = result.gcsPerCleanVerdict
  if (gcsClean.median === null) {
    process.stdout.write('GCs per clean verdict: no clean verdict in this run, not checked\n')
  } else {
    process.stdout.write(`GCs per clean verdict: median ${gcsClean.median} (max ${gcsClean.max}, ${gcsClean.verdicts} verdicts; limit ${MAX_CLEAN_GCS_MEDIAN})\n`)
    if (gcsClean.median > MAX_CLEAN_GCS_MEDIAN) {
      failures.push(
        `GCs per clean verdict: median ${gcsClean.median} is above ${MAX_CLEAN_GCS_MEDIAN} (MAX_CLEAN_GCS_MEDIAN in bench/run.mjs): ` +
          'the measuring sequence got more expensive; find the added GCs, or re-measure and raise the limit with the reason',
      )
    }
  }
  process.stdout.write(`results: ${jsonOut}\nraw runs: ${rawFile}\n`)
  if (failures.length) {
    process.stdout.write(`\nFAIL\n${failures.map((f) => `  - ${f}`).join('\n')}\n`)
    process.exitCode = 1
  } else {
    process.stdout.write(`\nPASS: no false positive, no missed leak ≥ 32 B/call, median GCs per clean verdict ≤ ${MAX_CLEAN_GCS_MEDIAN}\n`)
  }
}

await main()
