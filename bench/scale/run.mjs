/**
 * Scale: the time of a clean leakspec verdict with 5, 50 and 200 MiB of live heap held by the test
 * process, next to the cost of one full GC at that size (the floor: a check is a series of full GCs).
 * Every run is a fresh process (bench/scale/child.mjs); figures are medians over the runs of a size.
 * Writes bench/scale/results.json and bench/scale.svg (verdict time and GC time against heap size)
 * and regenerates bench/RESULTS.md.
 *
 *   npm run bench:scale                 full: 7 processes per size and budget
 *   node bench/scale/run.mjs --quick    harness check (CI, via bench:quick): one process per size,
 *                                       sizes 5 and 20 MiB only; exits 1 when a run gives no verdict;
 *                                       writes only under bench/out/
 *
 * Options: --runs N (processes per size and budget), --sizes 5,50,200, --node PATH, --no-write.
 *
 * Two checks per size: with the default options (a 4 s time budget: what a user gets, possibly
 * `inconclusive` on a large heap of a loaded machine) and with a 10-minute budget, whose clean verdict
 * is the cost the ratio is taken of. "Grows no faster than the floor" means the ratio verdict ÷ one
 * GC does not rise with the heap size.
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { scaleSvg } from './svg.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const bench = dirname(here)
const root = dirname(bench)

function parseArgs(argv) {
  const opts = { quick: false, node: process.execPath, write: null }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const next = () => {
      const v = argv[++i]
      if (v === undefined) throw new TypeError(`scale: ${a} needs a value`)
      return v
    }
    if (a === '--quick') opts.quick = true
    else if (a === '--runs') opts.runs = Number(next())
    else if (a === '--sizes') opts.sizes = next().split(',').map(Number)
    else if (a === '--node') opts.node = next()
    else if (a === '--no-write') opts.write = false
    else throw new TypeError(`scale: unknown option ${a}. See the header of bench/scale/run.mjs.`)
  }
  opts.runs ??= opts.quick ? 1 : 7
  opts.sizes ??= opts.quick ? [5, 20] : [5, 50, 200]
  opts.write ??= !opts.quick
  return opts
}

function runChild(node, args, env) {
  return new Promise((resolvePromise) => {
    const child = spawn(node, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()
      try {
        return resolvePromise(JSON.parse(line))
      } catch {
        resolvePromise({ error: { code: signal ? `KILLED_${signal}` : `EXIT_${code}`, message: (stderr || stdout).slice(-500) } })
      }
    })
  })
}

const median = (xs) => {
  if (!xs.length) return Number.NaN
  const s = xs.slice().sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const outDir = join(bench, 'out', 'scale')
  mkdirSync(outDir, { recursive: true })
  const started = new Date()
  const dist = join(outDir, `dist-${started.getTime()}`)
  cpSync(join(root, 'dist'), dist, { recursive: true })
  const env = { ...process.env, LEAKSPEC_BENCH_DIST: dist }
  const nodeVersion = spawnSync(opts.node, ['--version'], { encoding: 'utf8' }).stdout.trim()
  const loadStart = os.loadavg()
  const runs = []
  // Interleaved (size by size within each repetition) so that load changes hit every size alike;
  // one process at a time: two would share the 2 vCPUs and inflate each other's GCs.
  for (let r = 0; r < opts.runs; r++) {
    for (const mib of opts.sizes) {
      for (const budget of ['unbounded', 'default']) {
        const run = await runChild(opts.node, ['--expose-gc', join(here, 'child.mjs'), String(mib), budget], env)
        run.mib = mib
        run.budget = budget
        runs.push(run)
        process.stderr.write(`  scale ${r + 1}/${opts.runs} ${mib} MiB ${budget}: ${run.error ? `error ${run.error.code}` : `${run.verdict} in ${Math.round(run.verdictMs)} ms, ${run.gcs} GCs, one GC ${run.gcMs.toFixed(1)} ms`}\n`)
      }
    }
  }
  rmSync(dist, { recursive: true, force: true })
  const sizes = opts.sizes.map((mib) => {
    const of = (budget) => runs.filter((r) => r.mib === mib && r.budget === budget && !r.error)
    const unbounded = of('unbounded')
    const byDefault = of('default')
    const verdictMs = median(unbounded.map((r) => r.verdictMs))
    const gcMs = median(unbounded.map((r) => r.gcMs))
    return {
      mib,
      heldMiB: median(unbounded.map((r) => r.heldMiB)),
      heapMiB: median(unbounded.map((r) => r.heapMiB)),
      runs: unbounded.length,
      verdicts: unbounded.reduce((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {}),
      verdictMs,
      verdictMsMin: Math.min(...unbounded.map((r) => r.verdictMs)),
      verdictMsMax: Math.max(...unbounded.map((r) => r.verdictMs)),
      gcMs,
      gcs: median(unbounded.map((r) => r.gcs)),
      ratio: median(unbounded.map((r) => r.verdictMs / r.gcMs)),
      rssMiB: median(unbounded.map((r) => r.rssMiB)),
      defaultRuns: byDefault.length,
      defaultVerdicts: byDefault.reduce((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {}),
      defaultMs: median(byDefault.map((r) => r.verdictMs)),
    }
  })
  const cpus = os.cpus()
  const result = {
    date: started.toISOString(),
    finished: new Date().toISOString(),
    node: nodeVersion,
    machine: { cpu: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()} ${os.arch()}`, loadavgStart: loadStart, loadavgEnd: os.loadavg() },
    runsPerSize: opts.runs,
    sizes,
    errors: runs.filter((r) => r.error).map((r) => ({ mib: r.mib, budget: r.budget, ...r.error })),
  }
  const jsonOut = opts.write ? join(here, 'results.json') : join(outDir, opts.quick ? 'quick.json' : 'results.json')
  writeFileSync(jsonOut, JSON.stringify(result, null, 1) + '\n')
  const svgOut = opts.write ? join(bench, 'scale.svg') : join(outDir, 'scale.svg')
  writeFileSync(svgOut, scaleSvg(result))
  if (opts.write) {
    const { writeReport } = await import('../report.mjs')
    writeReport(join(bench, 'results'), join(bench, 'RESULTS.md'))
  }
  for (const s of sizes) {
    process.stdout.write(
      `${String(s.mib).padStart(4)} MiB: clean verdict ${Math.round(s.verdictMs)} ms (${s.gcs} GCs), one full GC ${s.gcMs.toFixed(1)} ms, ratio ${s.ratio.toFixed(1)}; default options: ${JSON.stringify(s.defaultVerdicts)}\n`,
    )
  }
  process.stdout.write(`results: ${jsonOut}\nplot: ${svgOut}\n`)
  const failures = result.errors.map((e) => `${e.mib} MiB (${e.budget}): ${e.code} ${e.message}`)
  for (const s of sizes) if ((s.verdicts.clean ?? 0) < s.runs) failures.push(`${s.mib} MiB: a clean function was not judged clean with a 10-minute budget: ${JSON.stringify(s.verdicts)}`)
  if (failures.length) {
    process.stdout.write(`\nFAIL\n${failures.map((f) => `  - ${f}`).join('\n')}\n`)
    process.exitCode = 1
  } else process.stdout.write('\nPASS: every run gave a verdict; clean at every size with an unbounded budget\n')
}

await main()
