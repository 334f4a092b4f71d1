/**
 * The resource benchmark (issue 16): calls and time to a resource leak verdict per kind — socket,
 * server, fd, timer, child process, worker, listener, database connection (pg) — one check per fresh
 * process (`node --expose-gc`, `measureLeaks` with the default options, under `ulimit -n 256` unless
 * told otherwise), next to the false-positive counts of the clean twins.
 *
 *   npm run bench:resources          20 runs per leaky kind, 72 runs of each of the 14 clean twins of
 *                                    test/fixtures/resources/cases.ts (1,008), 50 of the pg clean twin;
 *                                    writes bench/results/resources.md and bench/RESULTS.md
 *
 * Options:
 *   --runs N             fresh runs per leaky kind                          (default 20)
 *   --clean-runs N       fresh runs per clean twin of cases.ts              (default 72; 0 = skip)
 *   --pg-clean-runs N    fresh runs of the pg clean twin (pg.Pool of max 5) (default 50; 0 = skip)
 *   --jobs N             parallel child processes                           (default 1)
 *   --file-limit N       `ulimit -n` of each leaky run (0 = this shell's)    (default 256)
 *   --kinds a,b          only these leaky kinds (socket,server,fd,timer,child,worker,listener,pg)
 *   --clean-results F    take the clean twins' figures from an earlier `bench/run.mjs` result JSON
 *                        (bench/out/resources-clean.json) instead of running them again
 *   --from-raw F.jsonl   take the leaky and pg clean runs from an earlier run's raw file instead of
 *                        running them (with --clean-results: only the table is made)
 *   --context TEXT       a paragraph on how the set was run, printed under the tables
 *   --no-write           print only; write nothing under bench/results
 *
 * The clean twins of cases.ts are run by `bench/run.mjs --cases res-clean-… --runs-clean N` (the
 * accuracy benchmark's own resource cases, with each pair's options), not a second copy of them.
 * The pg runs need PostgreSQL (initdb, pg_ctl; bench/real/postgres.mjs starts a throw-away server
 * with max_connections 100) and pg from test/envs/resources; without PostgreSQL they are skipped and
 * the table says so.
 */
import { spawn, spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPostgres, startPostgres } from '../real/postgres.mjs'
import { writeReport } from '../report.mjs'
import { median, quantile, upperBound } from '../stats.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const bench = dirname(here)
const root = dirname(bench)

/** The leaky kinds: the pair of cases.ts that leaks one of each per call (pg: child.mjs --pg leaky). */
const KINDS = [
  { kind: 'socket', pair: 'loopback socket', key: 'handles:TCPSocketWrap', what: 'a connected loopback socket kept per call' },
  { kind: 'server', pair: 'net.Server', key: 'handles:TCPServerWrap', what: 'a listening net.Server kept per call' },
  { kind: 'fd', pair: 'fs.open', key: 'fds:file', what: 'an fd from fs.open kept per call' },
  { kind: 'timer', pair: 'setInterval', key: 'handles:Timeout', what: 'a setInterval never cleared' },
  { kind: 'child', pair: 'child_process.spawn', key: 'handles:ProcessWrap', what: "spawn('sleep', ['600']) kept per call" },
  { kind: 'worker', pair: 'worker_threads Worker', key: 'handles:Worker', what: 'a Worker never terminated' },
  { kind: 'listener', pair: 'listener on a module-level EventEmitter', key: 'listeners:data', what: "a 'data' listener on a module-level emitter" },
  { kind: 'pg', pg: true, key: 'handles:TCPSocketWrap', what: 'new pg.Client(cfg); await client.connect() kept per call (PostgreSQL, max_connections 100)' },
]

/** The clean twins of cases.ts by kind (bench/run.mjs case names: `res-clean-<slug of the pair>`). */
const CLEAN_TWINS = {
  timer: ['setInterval', 'setTimeout of an hour', "unref'd setInterval"],
  server: ['net.Server'],
  socket: ['loopback socket'],
  fd: ['fs.open', 'fs.promises.open', 'createReadStream'],
  child: ['child_process.spawn'],
  worker: ['worker_threads Worker'],
  listener: ['listener on process', 'listener on a module-level EventEmitter', 'listener on a long-lived AbortSignal', 'events.once on a long-lived emitter'],
}

const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')

function parseArgs(argv) {
  const opts = { runs: 20, cleanRuns: 72, pgCleanRuns: 50, jobs: 1, fileLimit: 256, kinds: null, cleanResults: null, fromRaw: null, context: null, write: true }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`bench/resources: ${a} needs a value`)
      return v
    }
    const count = (value) => {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 0) throw new TypeError(`bench/resources: ${a} needs a whole number; received ${value}`)
      return n
    }
    if (a === '--runs') opts.runs = count(next())
    else if (a === '--clean-runs') opts.cleanRuns = count(next())
    else if (a === '--pg-clean-runs') opts.pgCleanRuns = count(next())
    else if (a === '--jobs') opts.jobs = Math.max(1, count(next()))
    else if (a === '--file-limit') opts.fileLimit = count(next())
    else if (a === '--kinds') opts.kinds = next().split(',')
    else if (a === '--clean-results') opts.cleanResults = next()
    else if (a === '--from-raw') opts.fromRaw = next()
    else if (a === '--context') opts.context = next()
    else if (a === '--no-write') opts.write = false
    else throw new TypeError(`bench/resources: unknown option ${a}. See the header of bench/resources/run.mjs.`)
  }
  for (const kind of opts.kinds ?? []) {
    if (!KINDS.some((k) => k.kind === kind)) throw new TypeError(`bench/resources: no kind ${kind}; known: ${KINDS.map((k) => k.kind).join(', ')}`)
  }
  return opts
}

/** Runs `node args…` (under `ulimit -n`, when set) and resolves with the last JSON line of its stdout. */
function runChild(args, { fileLimit = 0, env = process.env, timeoutMs = 180_000 } = {}) {
  return new Promise((resolve) => {
    const [file, argv] = fileLimit > 0 ? ['bash', ['-c', `ulimit -n ${fileLimit} && exec "$0" "$@"`, process.execPath, ...args]] : [process.execPath, args]
    const child = spawn(file, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
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
          return resolve(JSON.parse(line))
        } catch {}
      }
      resolve({ error: { code: signal ? `KILLED_${signal}` : `EXIT_${code}`, message: (stderr || stdout).slice(-800) } })
    })
  })
}

async function pool(items, jobs, work) {
  let index = 0
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (index < items.length) await work(items[index++])
    }),
  )
}

/** Bundles cases.ts once (esbuild) so that each fresh process can import the pairs. */
async function bundlePairs(outDir) {
  const bundle = join(outDir, `resource-pairs-bench-${process.pid}.mjs`)
  const { build } = await import('esbuild')
  await build({
    entryPoints: [join(root, 'test', 'fixtures', 'resources', 'cases.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    sourcemap: 'inline',
    logLevel: 'error',
  })
  return bundle
}

const ms = (value) => (Number.isFinite(value) ? (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`) : '–')

/** The leaky runs of one kind, summarized. */
function summarizeLeaky(spec, runs) {
  const ok = runs.filter((run) => run.verdict === 'leak' && run.leaks.some((leak) => leak.key === spec.key))
  const decided = {}
  for (const run of ok) decided[run.decidedBy] = (decided[run.decidedBy] ?? 0) + 1
  const calls = ok.map((run) => run.calls)
  const times = ok.map((run) => run.durationMs)
  const other = runs.filter((run) => !ok.includes(run))
  return {
    kind: spec.kind,
    what: spec.what,
    key: spec.key,
    runs: runs.length,
    leaks: ok.length,
    decided,
    callsMedian: median(calls),
    callsMin: calls.length ? Math.min(...calls) : NaN,
    callsMax: calls.length ? Math.max(...calls) : NaN,
    timeMedianMs: median(times),
    timeP95Ms: quantile(times, 0.95),
    otherOutcomes: other.map((run) => (run.error ? `error ${run.error.code}: ${run.error.message.slice(0, 160)}` : `${run.verdict}${run.cause ? ` (${run.cause})` : ''}: ${run.reason}`)),
  }
}

function cleanRow(name, runs) {
  const fp = runs.filter((run) => run.verdict === 'leak').length
  const inconclusive = runs.filter((run) => run.verdict === 'inconclusive').length
  const errors = runs.filter((run) => run.error).length
  const leakKeys = runs.filter((run) => run.verdict === 'leak').map((run) => run.leaks.map((leak) => leak.key).join('+'))
  return { name, runs: runs.length, fp, inconclusive, errors, leakKeys, timeMedianMs: median(runs.filter((r) => !r.error).map((r) => r.durationMs)) }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const outDir = join(bench, 'out')
  mkdirSync(outDir, { recursive: true })
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('bench/resources: dist/ is missing; run `npm run build` first')
  // Snapshot dist/ so that a rebuild while the benchmark runs cannot change the engine under test.
  const started = new Date()
  const distSnapshot = join(outDir, `dist-resources-${started.getTime()}`)
  cpSync(join(root, 'dist'), distSnapshot, { recursive: true })
  const env = { ...process.env, LEAKSPEC_BENCH_DIST: distSnapshot }
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim() || 'unknown'
  const loadStart = os.loadavg()
  const raw = join(outDir, `resources-${started.toISOString().replace(/[:.]/g, '-')}.jsonl`)

  // PostgreSQL for the pg kind and the pg clean twin.
  const kinds = KINDS.filter((spec) => !opts.kinds || opts.kinds.includes(spec.kind))
  const earlier = opts.fromRaw ? readFileSync(opts.fromRaw, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) : null
  const wantPg = !earlier && (kinds.some((spec) => spec.pg) || opts.pgCleanRuns > 0)
  const found = findPostgres()
  let pgServer
  if (wantPg && found.ok) {
    const install = spawnSync(process.execPath, [join(root, 'test', 'envs', 'install.mjs'), 'resources'], { cwd: root, stdio: 'inherit' })
    if (install.status !== 0) throw new Error('bench/resources: installing test/envs/resources (pg) failed')
    pgServer = await startPostgres({ maxConnections: 100 })
  } else if (wantPg) {
    process.stderr.write(`bench/resources: pg runs skipped: ${found.reason}\n`)
  }
  const pgArgs = (variant) => [join(here, 'child.mjs'), '--pg', variant, pgServer.host, String(pgServer.port), pgServer.user]

  const bundle = earlier ? '' : await bundlePairs(outDir)
  const queue = []
  for (let r = 0; r < (earlier ? 0 : opts.runs); r++) {
    for (const spec of kinds) {
      if (spec.pg && !pgServer) continue
      queue.push({ spec, args: ['--expose-gc', '--enable-source-maps', ...(spec.pg ? pgArgs('leaky') : [join(here, 'child.mjs'), '--pair', bundle, spec.pair])] })
    }
  }
  const leakyRuns = new Map(kinds.map((spec) => [spec.kind, earlier ? earlier.filter((run) => run.kind === spec.kind && run.variant === 'leaky') : []]))
  process.stderr.write(`bench/resources: ${queue.length} leaky runs (${kinds.length} kinds), ulimit -n ${opts.fileLimit || 'unchanged'}, ${opts.jobs} job(s)\n`)
  let done = 0
  await pool(queue, opts.jobs, async ({ spec, args }) => {
    const run = await runChild(args, { fileLimit: opts.fileLimit, env })
    leakyRuns.get(spec.kind).push(run)
    appendFileSync(raw, JSON.stringify({ kind: spec.kind, variant: 'leaky', ...run }) + '\n')
    if (!(run.verdict === 'leak' && run.leaks.some((leak) => leak.key === spec.key))) {
      process.stderr.write(`  ! ${spec.kind}: ${run.error ? `error ${run.error.code} ${run.error.message.slice(0, 200)}` : `${run.verdict}: ${run.reason}`}\n`)
    }
    if (++done % 20 === 0 || done === queue.length) process.stderr.write(`  ${done}/${queue.length} leaky runs\n`)
  })

  // The pg clean twin (a pg.Pool of max 5), in fresh processes.
  const pgClean = earlier ? earlier.filter((run) => run.kind === 'pg' && run.variant === 'clean') : []
  if (pgServer && opts.pgCleanRuns > 0) {
    process.stderr.write(`bench/resources: ${opts.pgCleanRuns} runs of the pg clean twin\n`)
    await pool(Array.from({ length: opts.pgCleanRuns }), opts.jobs, async () => {
      const run = await runChild(['--expose-gc', ...pgArgs('clean')], { fileLimit: opts.fileLimit, env })
      pgClean.push(run)
      appendFileSync(raw, JSON.stringify({ kind: 'pg', variant: 'clean', ...run }) + '\n')
      if (run.verdict !== 'clean') process.stderr.write(`  ! pg clean: ${run.error ? `error ${run.error.code}` : `${run.verdict}: ${run.reason}`}\n`)
    })
  }
  await pgServer?.stop()

  // The clean twins of cases.ts, through bench/run.mjs (its resource cases, with each pair's options).
  let cleanSet
  let cleanCommand
  const names = Object.values(CLEAN_TWINS).flat().map((name) => `res-clean-${slug(name)}`)
  if (opts.cleanResults?.endsWith('.jsonl')) {
    // The raw runs of a bench/run.mjs set (possibly still running or cut short): one record per run.
    const records = readFileSync(opts.cleanResults, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
    cleanSet = {
      cases: names.map((name) => {
        const runs = records.filter((record) => record.case === name)
        return {
          name,
          runs: runs.length,
          flagged: runs.filter((run) => run.verdict === 'leak').length,
          inconclusive: runs.filter((run) => run.verdict === 'inconclusive').length,
          error: runs.filter((run) => run.error).length,
          durationMedianMs: median(runs.filter((run) => !run.error).map((run) => run.durationMs)),
          signals: Object.fromEntries(runs.flatMap((run) => run.leaks ?? []).map((leak) => [leak.key, 0])),
          leakKeys: runs.filter((run) => run.verdict === 'leak').map((run) => (run.leaks ?? []).map((leak) => leak.key).join('+')),
        }
      }),
    }
    cleanCommand = `bench/run.mjs --cases res-clean-… (all 14) --runs-clean ${opts.cleanRuns} --vitest-runs 0`
  } else if (opts.cleanResults) {
    cleanSet = JSON.parse(readFileSync(opts.cleanResults, 'utf8'))
    cleanCommand = `(from ${opts.cleanResults})`
  } else if (opts.cleanRuns > 0) {
    const args = [join(bench, 'run.mjs'), '--cases', names.join(','), '--runs-clean', String(opts.cleanRuns), '--jobs', String(opts.jobs), '--vitest-runs', '0', '--no-write', '--label', 'resources-clean']
    cleanCommand = `node ${args.map((a) => a.replace(`${root}/`, '')).join(' ')}`
    process.stderr.write(`bench/resources: clean twins: ${cleanCommand}\n`)
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
    if (result.status === null) throw new Error('bench/resources: bench/run.mjs was killed')
    cleanSet = JSON.parse(readFileSync(join(outDir, 'resources-clean.json'), 'utf8'))
  }

  const leaky = kinds.map((spec) => summarizeLeaky(spec, leakyRuns.get(spec.kind)))
  const cleanByKind = {}
  for (const [kind, pairs] of Object.entries(cleanSet ? CLEAN_TWINS : {})) {
    cleanByKind[kind] = pairs.map((pair) => {
      const summary = cleanSet?.cases.find((c) => c.name === `res-clean-${slug(pair)}`)
      return summary
        ? { name: pair, runs: summary.runs, fp: summary.flagged, inconclusive: summary.inconclusive, errors: summary.error, timeMedianMs: summary.durationMedianMs, leakKeys: summary.leakKeys ?? Object.keys(summary.signals ?? {}) }
        : { name: pair, runs: 0, fp: 0, inconclusive: 0, errors: 0, timeMedianMs: NaN }
    })
  }
  if (pgClean.length > 0) cleanByKind.pg = [cleanRow('pg.Pool (max 5): connect, SELECT 1, release', pgClean)]

  const text = render({ opts, leaky, cleanByKind, commit, started, loadStart, cleanCommand, pgMissing: found.ok ? null : found.reason })
  process.stdout.write(`${text}\n\nraw runs: ${raw}\n`)
  if (opts.write) {
    writeFileSync(join(bench, 'results', 'resources.md'), text + '\n')
    writeReport(join(bench, 'results'), join(bench, 'RESULTS.md'))
    process.stdout.write('wrote bench/results/resources.md and bench/RESULTS.md\n')
  }
}

function render({ opts, leaky, cleanByKind, commit, started, loadStart, cleanCommand, pgMissing }) {
  const lines = []
  // The command as run, without the --context paragraph (printed below the tables).
  const args = process.argv.slice(2)
  const at = args.indexOf('--context')
  const shown = at < 0 ? args : [...args.slice(0, at), ...args.slice(at + 2)]
  const command = ['node bench/resources/run.mjs', ...shown].join(' ')
  const cleanTotal = Object.values(cleanByKind).flat().reduce((sum, row) => sum + row.runs, 0)
  const fpTotal = Object.values(cleanByKind).flat().reduce((sum, row) => sum + row.fp, 0)
  // False verdicts that named a resource signal (not the heap alone).
  const fpResource = Object.values(cleanByKind).flat().reduce((sum, row) => sum + (row.leakKeys ?? []).filter((keys) => keys.split('+').some((key) => key !== 'heap')).length, 0)
  lines.push('## Resource leaks: calls and time to a verdict, per kind')
  lines.push('')
  lines.push(
    `Generated by \`bench/resources/run.mjs\` (\`${command}\`) on ${started.toISOString().slice(0, 16)} UTC, commit ${commit}, Node ${process.version}, ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} (shared; load ${loadStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end), ${opts.jobs} job(s).`,
  )
  lines.push(
    `Each run is one fresh \`node --expose-gc\` process${opts.fileLimit ? ` under \`ulimit -n ${opts.fileLimit}\`` : ''} checking one leaky function with \`measureLeaks(fn)\` and the default options. ` +
      '"Calls" counts every call of the function in the check (calibration and warm-up included); "time" is the check\'s own `durationMs`. ' +
      'A run counts as a verdict only when it is a leak under the kind\'s own signal.',
  )
  lines.push('')
  lines.push('| kind | leaky function | signal | leak verdicts | decided by | calls: median (min–max) | time: median / p95 |')
  lines.push('|---|---|---|---|---|---|---|')
  for (const row of leaky) {
    const decided = Object.entries(row.decided).map(([by, n]) => `${by === 'counts' ? 'count schedule' : by} ${n}`).join(', ') || '–'
    lines.push(
      `| ${row.kind} | ${row.what} | \`${row.key}\` | ${row.leaks}/${row.runs} | ${decided} | ${row.callsMedian ?? '–'} (${row.callsMin}–${row.callsMax}) | ${ms(row.timeMedianMs)} / ${ms(row.timeP95Ms)} |`,
    )
  }
  if (pgMissing && leaky.some((row) => row.kind === 'pg' && row.runs === 0)) lines.push('', `pg: no runs (${pgMissing}).`)
  const misses = leaky.filter((row) => row.otherOutcomes.length > 0)
  for (const row of misses) {
    const counted = new Map()
    for (const text of row.otherOutcomes.map((outcome) => outcome.split('\n')[0].replace(/about \d+ ms/, 'about … ms'))) counted.set(text, (counted.get(text) ?? 0) + 1)
    const shown = [...counted].map(([text, n]) => `${n}× ${text}`).join('; ')
    lines.push('', `${row.kind}: ${row.runs - row.leaks} run(s) without the verdict: ${shown}`)
  }
  lines.push('')
  lines.push(
    `Clean twins: ${cleanTotal} fresh runs in all, ${fpTotal} false leak verdict${fpTotal === 1 ? '' : 's'}, ${fpResource} of them on a resource signal` +
      (cleanTotal > 0
        ? ` (95 % upper bounds on the false-positive rate: ${(100 * upperBound(fpTotal, cleanTotal)).toFixed(2)} % for any signal, ${(100 * upperBound(fpResource, cleanTotal)).toFixed(2)} % for the resource signals)`
        : '') +
      '. The twins of test/fixtures/resources/cases.ts release what they create before they return (or resolve), some of it late (a socket\'s close event, a child\'s exit, a worker\'s terminate); ' +
      `they run with their pairs' options through \`${cleanCommand ?? 'bench/run.mjs'}\`.` +
      (cleanByKind.pg ? ' The pg twin runs here, in fresh processes under the same file limit, with the default options.' : ''),
  )
  lines.push('')
  lines.push('| kind | clean twin | runs | false leak verdicts (signal) | inconclusive | errors | time: median |')
  lines.push('|---|---|---|---|---|---|---|')
  for (const [kind, rows] of Object.entries(cleanByKind)) {
    for (const row of rows) {
      const keys = [...new Set(row.leakKeys ?? [])].filter(Boolean)
      const fp = row.fp > 0 && keys.length > 0 ? `${row.fp} (${keys.map((key) => `\`${key}\``).join(', ')})` : String(row.fp)
      lines.push(`| ${kind} | ${row.name} | ${row.runs} | ${fp} | ${row.inconclusive} | ${row.errors} | ${ms(row.timeMedianMs)} |`)
    }
  }
  if (opts.context) lines.push('', opts.context)
  return lines.join('\n')
}

await main()
