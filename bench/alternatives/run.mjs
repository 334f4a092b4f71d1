/**
 * The side-by-side benchmark: leakspec next to the checks people use instead, on the same cases
 * (bench/cases/*.mjs and the resource pairs of test/fixtures/resources/cases.ts), every run a fresh
 * process. Per tool: detection rate, false-positive rate, verdict time median/p95, peak RSS.
 *
 *   npm run bench:alternatives            full: writes bench/alternatives/results.json and bench/RESULTS.md
 *   node bench/alternatives/run.mjs --quick   harness check (CI, via bench:quick): a few cases, one run
 *                                         per tool, exits 1 when a run of a tool fails without an
 *                                         answer; writes only under bench/out/
 *
 * Options:
 *   --quick            quick mode (above)
 *   --runs N           runs per case for each per-process tool (full 10, quick 1)
 *   --runs-resource N  runs per resource-pair case for each per-process tool (full 5, quick 1)
 *   --memlab-runs N    runs per case for memlab (full 3: a check takes seconds; quick 1)
 *   --jest-runs N      Jest runs per case file, each a fresh Jest process (full 3, quick 1)
 *   --tools a,b        only these tools (leakspec, hand, leakage, queryObjects, memlab, jest)
 *   --cases a,b        only these cases
 *   --jobs N           parallel processes (default 2)
 *   --node PATH        node binary (default: this node)
 *   --no-write         do not write bench/alternatives/results.json
 *   --from-raw FILE    summarize the raw runs of an earlier (possibly interrupted) run instead of
 *                      running (pass the same counts it was started with; they are printed as given)
 *
 * The tools (bench/alternatives/tools.mjs and jest.mjs say exactly what each does): leakspec
 * `measureLeaks` with default options; the hand-written heapUsed check (10,000 calls, 1 MiB);
 * leakage's rule re-implemented (its package no longer installs); v8.queryObjects counting; memlab's
 * Node heap API (@memlab/core, installed into bench/alternatives/node_modules by this script with
 * PUPPETEER_SKIP_DOWNLOAD=1 and --ignore-scripts: no browser download); Jest 30's --detectLeaks.
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runJestCase, writeJestSuite } from './jest.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const bench = dirname(here)
const root = dirname(bench)

/** Tools in table order; `jest` is run by jest.mjs, the others by child.mjs. */
export const TOOL_ORDER = ['leakspec', 'hand', 'leakage', 'queryObjects', 'memlab', 'jest']

/** Cases of the quick harness check: one clean and one leaky of each kind. */
const QUICK_CASES = ['clean-object', 'leak-listener', 'res-clean-setinterval', 'res-leak-setinterval']

function parseArgs(argv) {
  const opts = { quick: false, jobs: 2, node: process.execPath, write: null, tools: TOOL_ORDER, cases: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`alternatives: ${a} needs a value`)
      return v
    }
    if (a === '--quick') opts.quick = true
    else if (a === '--runs') opts.runs = Number(next())
    else if (a === '--runs-resource') opts.runsResource = Number(next())
    else if (a === '--memlab-runs') opts.memlabRuns = Number(next())
    else if (a === '--jest-runs') opts.jestRuns = Number(next())
    else if (a === '--tools') opts.tools = next().split(',')
    else if (a === '--cases') opts.cases = next().split(',')
    else if (a === '--jobs') opts.jobs = Number(next())
    else if (a === '--node') opts.node = next()
    else if (a === '--no-write') opts.write = false
    else if (a === '--from-raw') opts.fromRaw = next()
    else throw new TypeError(`alternatives: unknown option ${a}. See the header of bench/alternatives/run.mjs.`)
  }
  for (const t of opts.tools) if (!TOOL_ORDER.includes(t)) throw new TypeError(`alternatives: unknown tool ${t}; one of ${TOOL_ORDER.join(', ')}`)
  opts.runs ??= opts.quick ? 1 : 10
  opts.runsResource ??= opts.quick ? 1 : 5
  opts.memlabRuns ??= opts.quick ? 1 : 3
  opts.jestRuns ??= opts.quick ? 1 : 3
  opts.write ??= !opts.quick
  opts.cases ??= opts.quick ? QUICK_CASES : null
  return opts
}

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

/** The accuracy corpus and the resource pairs (bundled once to ESM for the fresh processes). */
async function loadCases(outDir, filter) {
  const dir = join(bench, 'cases')
  const cases = []
  for (const file of readdirSync(dir).filter((f) => /^(clean|leak)-.*\.mjs$/.test(f)).sort()) {
    const name = basename(file, '.mjs')
    if (filter && !filter.includes(name)) continue
    const mod = await import(pathToFileURL(join(dir, file)).href)
    cases.push({ name, file: join(dir, file), truth: mod.truth, bytesPerCall: mod.bytesPerCall, about: mod.about, slow: mod.about.includes('slow calls') })
  }
  const resourceSource = join(root, 'test', 'fixtures', 'resources', 'cases.ts')
  const bundle = join(outDir, 'resource-pairs.mjs')
  const { build } = await import('esbuild')
  await build({ entryPoints: [resourceSource], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'error' })
  const { cases: pairs } = await import(`${pathToFileURL(bundle).href}?${Date.now()}`)
  for (const pair of pairs) {
    for (const [variant, truth] of [['clean', 'clean'], ['leaky', 'leak']]) {
      const name = `res-${truth}-${slug(pair.name)}`
      if (filter && !filter.includes(name)) continue
      cases.push({ name, file: bundle, resource: true, pair: pair.name, variant, key: pair.key, truth, heavy: pair.options?.callsPerRound === 1, about: `${pair.name} (${pair.key})` })
    }
  }
  if (filter) for (const f of filter) if (!cases.some((c) => c.name === f)) throw new TypeError(`alternatives: no case named ${f}`)
  return { cases, resourceSource }
}

/**
 * Calls a fixed-count check makes (the hand-written check, queryObjects, memlab, the Jest test):
 * 10,000 for µs-scale functions, 1,000 for slow ones (~1 ms a call), 100 per resource pair and 10
 * for the pairs that spawn a process or start a worker.
 */
export function callsOf(c) {
  if (c.resource) return c.heavy ? 10 : 100
  return c.slow ? 1000 : 10_000
}

function childArgs(tool, c) {
  const script = join(here, 'child.mjs')
  const target = c.resource ? ['--pair', c.file, c.pair, c.variant] : [c.file]
  return ['--expose-gc', script, tool, String(callsOf(c)), ...target]
}

function runChild(node, args, timeoutMs, env) {
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
      resolvePromise({ error: { code: signal ? `KILLED_${signal}` : `EXIT_${code}`, message: (stderr || stdout).slice(-500) } })
    })
  })
}

/** Installs @memlab/core into bench/alternatives/node_modules from its lock file (once per lock). */
export function installCompetitors() {
  const lock = join(here, 'package-lock.json')
  const stamp = join(here, 'node_modules', '.leakspec-bench')
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return
  process.stderr.write('alternatives: installing @memlab/core (npm ci --ignore-scripts, PUPPETEER_SKIP_DOWNLOAD=1)…\n')
  const result = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: here,
    stdio: 'inherit',
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' },
  })
  if (result.status !== 0) throw new Error(`alternatives: npm ci failed in bench/alternatives (exit ${result.status ?? result.signal})`)
  writeFileSync(stamp, hash + '\n')
}

function quantile(values, q) {
  if (!values.length) return Number.NaN
  const s = values.slice().sort((a, b) => a - b)
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}

/** Per tool × case tallies, and per tool totals. */
export function summarize(cases, runs, tools) {
  const perCase = {}
  const perTool = {}
  for (const tool of tools) {
    perCase[tool] = {}
    const all = runs.filter((r) => r.tool === tool)
    const groups = {
      leakJs: { flagged: 0, runs: 0 },
      leakSmall: { flagged: 0, runs: 0 },
      leakRes: { flagged: 0, runs: 0 },
      cleanJs: { flagged: 0, runs: 0 },
      cleanRes: { flagged: 0, runs: 0 },
    }
    let inconclusive = 0
    let errors = 0
    let wrongAnswers = 0
    for (const c of cases) {
      const rs = all.filter((r) => r.case === c.name)
      if (!rs.length) continue
      const tally = { runs: rs.length, leak: 0, clean: 0, inconclusive: 0, error: 0 }
      for (const r of rs) tally[r.error ? 'error' : r.verdict] = (tally[r.error ? 'error' : r.verdict] ?? 0) + 1
      tally.msMedian = quantile(rs.filter((r) => !r.error).map((r) => r.ms), 0.5)
      perCase[tool][c.name] = tally
      inconclusive += tally.inconclusive
      errors += tally.error
      const group =
        c.truth === 'clean' ? (c.resource ? 'cleanRes' : 'cleanJs') : c.resource ? 'leakRes' : c.bytesPerCall >= 32 ? 'leakJs' : 'leakSmall'
      groups[group].flagged += tally.leak
      groups[group].runs += tally.runs
      // A definite wrong answer (not "inconclusive"): a clean case called leaking, or a leak ≥ 32 B/call or a
      // resource leak called clean.
      if (group === 'cleanJs' || group === 'cleanRes') wrongAnswers += tally.leak
      if (group === 'leakJs' || group === 'leakRes') wrongAnswers += tally.clean
    }
    const ok = all.filter((r) => !r.error)
    const times = ok.map((r) => r.ms)
    const rss = all.map((r) => r.rssMiB).filter((x) => Number.isFinite(x))
    perTool[tool] = {
      ...groups,
      inconclusive,
      errors,
      wrongAnswers,
      runs: all.length,
      msMedian: quantile(times, 0.5),
      msP95: quantile(times, 0.95),
      msMedianClean: quantile(ok.filter((r) => cases.find((c) => c.name === r.case)?.truth === 'clean').map((r) => r.ms), 0.5),
      rssMedianMiB: quantile(rss, 0.5),
      rssMaxMiB: rss.length ? Math.max(...rss) : Number.NaN,
      inconclusiveCauses: all.filter((r) => r.verdict === 'inconclusive').reduce((acc, r) => ({ ...acc, [r.detail?.cause ?? 'unknown']: (acc[r.detail?.cause ?? 'unknown'] ?? 0) + 1 }), {}),
      errorSamples: all.filter((r) => r.error).slice(0, 5).map((r) => ({ case: r.case, ...r.error })),
    }
  }
  return { perCase, perTool }
}

async function pool(items, jobs, work) {
  let index = 0
  await Promise.all(
    Array.from({ length: Math.max(1, jobs) }, async () => {
      while (index < items.length) await work(items[index++])
    }),
  )
}

/** The start of a raw file's run, from its name (runs-<ISO time with - for : and .>.jsonl). */
function rawDate(file) {
  const m = /(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)-(\d{3})Z/.exec(file)
  return m ? new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`) : statSync(file).mtime
}

function machine() {
  const cpus = os.cpus()
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const outDir = join(bench, 'out', 'alternatives')
  mkdirSync(outDir, { recursive: true })
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('alternatives: dist/ is missing; run `npm run build` first')
  if (opts.tools.includes('memlab') && !opts.fromRaw) installCompetitors()
  const started = opts.fromRaw ? rawDate(opts.fromRaw) : new Date()
  const stamp = started.toISOString().replace(/[:.]/g, '-')
  // A private copy of dist/: a rebuild during a long run cannot change the engine under test.
  const dist = join(outDir, `dist-${Date.now()}-${process.pid}`)
  if (!opts.fromRaw) cpSync(join(root, 'dist'), dist, { recursive: true })
  const env = { ...process.env, LEAKSPEC_BENCH_DIST: dist }
  const { cases, resourceSource } = await loadCases(outDir, opts.cases)
  const nodeVersion = spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim()
  const loadStart = os.loadavg()
  const rawFile = join(outDir, `runs-${stamp}.jsonl`)
  const processTools = opts.tools.filter((t) => t !== 'jest')
  const queue = []
  const maxRuns = Math.max(opts.runs, opts.runsResource, opts.memlabRuns)
  const runsOf = (tool, c) => (tool === 'memlab' ? opts.memlabRuns : c.resource ? opts.runsResource : opts.runs)
  for (let r = 0; r < maxRuns; r++) {
    for (const c of cases) {
      for (const tool of processTools) if (r < runsOf(tool, c)) queue.push({ tool, c })
    }
  }
  process.stderr.write(`alternatives: ${cases.length} cases × ${processTools.length} tools, ${queue.length} fresh processes, node ${nodeVersion}, ${opts.jobs} jobs\n`)
  const runs = opts.fromRaw ? readFileSync(opts.fromRaw, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []
  if (opts.fromRaw) queue.length = 0
  let done = 0
  const t0 = Date.now()
  await pool(queue, opts.jobs, async ({ tool, c }) => {
    const run = await runChild(opts.node, childArgs(tool, c), 300_000, env)
    run.tool = tool
    run.case = c.name
    runs.push(run)
    appendFileSync(rawFile, JSON.stringify(run) + '\n')
    done++
    if (done % 100 === 0 || done === queue.length) {
      const rate = done / ((Date.now() - t0) / 1000)
      process.stderr.write(`  ${done}/${queue.length} runs (${rate.toFixed(1)}/s, ~${Math.round((queue.length - done) / rate / 60)} min left)\n`)
    }
  })
  if (opts.tools.includes('jest') && !opts.fromRaw) {
    const dir = join(outDir, `jest-${stamp}`)
    await writeJestSuite(dir, cases, callsOf, resourceSource)
    const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js')
    const jestVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'jest', 'package.json'), 'utf8')).version
    const jobs = []
    for (let rep = 0; rep < opts.jestRuns; rep++) for (const c of cases) jobs.push({ rep, c })
    let jestDone = 0
    await pool(jobs, opts.jobs, async ({ rep, c }) => {
      const r = await runJestCase(dir, c, { node: opts.node, jestBin, rep })
      r.tool = 'jest'
      runs.push(r)
      appendFileSync(rawFile, JSON.stringify(r) + '\n')
      if (++jestDone % 20 === 0 || jestDone === jobs.length) process.stderr.write(`  jest ${jestVersion} --detectLeaks: ${jestDone}/${jobs.length} files\n`)
    })
  }
  const { perCase, perTool } = summarize(cases, runs, opts.tools)
  const result = {
    date: started.toISOString(),
    finished: opts.fromRaw ? statSync(opts.fromRaw).mtime.toISOString() : new Date().toISOString(),
    partial: opts.fromRaw ? 'summarized from the raw runs of an interrupted run' : undefined,
    node: nodeVersion,
    // (Summarized from raw runs: the load of the runs themselves is unknown here.)
    machine: { ...machine(), loadavgStart: opts.fromRaw ? null : loadStart, loadavgEnd: opts.fromRaw ? null : os.loadavg() },
    jobs: opts.jobs,
    runs: opts.runs,
    runsResource: opts.runsResource,
    memlabRuns: opts.memlabRuns,
    jestRuns: opts.jestRuns,
    jestVersion: JSON.parse(readFileSync(join(root, 'node_modules', 'jest', 'package.json'), 'utf8')).version,
    memlabVersion: opts.tools.includes('memlab') ? JSON.parse(readFileSync(join(here, 'node_modules', '@memlab', 'core', 'package.json'), 'utf8')).version : null,
    tools: opts.tools,
    cases: cases.map((c) => ({ name: c.name, truth: c.truth, resource: !!c.resource, bytesPerCall: c.bytesPerCall ?? null, key: c.key, calls: callsOf(c), about: c.about })),
    perTool,
    perCase,
  }
  rmSync(dist, { recursive: true, force: true })
  const jsonOut = opts.write ? join(here, 'results.json') : join(outDir, opts.quick ? 'quick.json' : 'results.json')
  writeFileSync(jsonOut, JSON.stringify(result, null, 1) + '\n')
  if (opts.write) {
    const { writeReport } = await import('../report.mjs')
    writeReport(join(bench, 'results'), join(bench, 'RESULTS.md'))
  }
  const { toolTable } = await import('./report.mjs')
  process.stdout.write(toolTable(result) + `\nresults: ${jsonOut}\nraw runs: ${opts.fromRaw ?? rawFile}\n`)

  // Harness gate (quick mode and full): every tool gave a verdict-shaped answer in every run. Right or
  // wrong verdicts are the table's subject, not the gate's (leakspec's accuracy gate is bench/run.mjs;
  // an overloaded machine can make its checks inconclusive, which is an answer too).
  const failures = []
  for (const tool of opts.tools) {
    const t = perTool[tool]
    if (t.runs === 0) failures.push(`${tool}: no runs`)
    if (t.errors > 0) failures.push(`${tool}: ${t.errors} run(s) without a verdict, e.g. ${JSON.stringify(t.errorSamples[0])}`)
  }
  if (failures.length) {
    process.stdout.write(`\nFAIL\n${failures.map((f) => `  - ${f}`).join('\n')}\n`)
    process.exitCode = 1
  } else process.stdout.write('\nPASS: every tool answered in every run\n')
}

await main()
