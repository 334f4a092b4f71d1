#!/usr/bin/env node
/**
 * Cost of the diagnosis: wall time per phase and peak memory, at a given live heap size.
 *
 *   node bench/diagnose/run.mjs [--heap-mb 10] [--runs 5] [--no-exact-frames] [--baseline <git ref>]
 *                               [--backend auto|node:inspector|v8-profiler-next|both] [--node <path>]
 *
 * Each run is a fresh child process (`--expose-gc`) that fills the heap with about `--heap-mb` MB of
 * live objects (on top of what node itself holds), confirms a leak with measureLeaks, then runs
 * diagnose() once and reports its time, its phases, the snapshot's node count and the process's peak
 * RSS before and after the diagnosis. The machine may be loaded, so each child also times, after the
 * diagnosis, a full GC (median of 5) and a bare `v8.getHeapSnapshot()` read to its end and dropped:
 * the ratios diagnosis / GC and diagnosis / bare snapshot are what compares across runs and machines
 * (the bare snapshot is the floor: V8 writing the heap, which no parser can make faster).
 *
 * With `--baseline <ref>` the same runs are made, interleaved, with leakspec's src/ as of that git
 * ref, and both medians are printed. leakspec is bundled from src/ with esbuild (no dist/ needed)
 * into the per-Node-ABI folder of bench/diagnose/install.mjs, where the optional backend
 * v8-profiler-next resolves: it is installed first (bench/diagnose/install.mjs: `npm ci`, which builds
 * the addon from source with node-gyp; when that fails, only the inspector backend runs).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : fallback
}

if (args[0] === '--child') {
  const [, bundle, heapMb, exact, backend] = args
  const v8 = await import('node:v8')
  const { performance } = await import('node:perf_hooks')
  const { measureLeaks, diagnose } = await import(bundle)
  // About heapMb MB of live objects: records with a string and a small array each (~100 B).
  const ballast = []
  const target = Number(heapMb) * 1e6
  const baseline = process.memoryUsage().heapUsed
  while (process.memoryUsage().heapUsed - baseline < target) {
    for (let i = 0; i < 10_000; i++) ballast.push({ id: `record-${ballast.length}`, values: [i, i + 1] })
  }
  class Session {
    constructor(index) {
      this.id = `session-${index}`
      this.payload = [index]
    }
  }
  const registry = []
  let index = 0
  const leak = () => registry.push(new Session(index++))
  const report = await measureLeaks(leak, { diagnose: false })
  globalThis.gc()
  const heapUsed = process.memoryUsage().heapUsed
  const rssBefore = process.resourceUsage().maxRSS * 1024
  const options = { exactFrames: exact === 'true', ...(backend === 'auto' ? {} : { backend }) }
  const diagnosis = await diagnose(leak, report, options)
  const rssAfter = process.resourceUsage().maxRSS * 1024
  const gcTimes = []
  for (let i = 0; i < 5; i++) {
    const at = performance.now()
    globalThis.gc()
    gcTimes.push(performance.now() - at)
  }
  gcTimes.sort((a, b) => a - b)
  let at = performance.now()
  await new Promise((resolve, reject) => {
    const stream = v8.getHeapSnapshot()
    stream.on('data', () => undefined)
    stream.once('end', resolve)
    stream.once('error', reject)
  })
  const bareSnapshotMs = performance.now() - at
  const top = diagnosis.kinds[0]
  process.stdout.write(
    JSON.stringify({
      verdict: report.verdict,
      heapMb: heapUsed / 1e6,
      durationMs: diagnosis.durationMs,
      phasesMs: diagnosis.phasesMs,
      backend: diagnosis.backend,
      gcMs: gcTimes[2],
      bareSnapshotMs,
      nodes: diagnosis.snapshotNodes,
      peakRssBeforeMb: rssBefore / 1e6,
      peakRssAfterMb: rssAfter / 1e6,
      top: top ? `${top.name} ${top.perCall}/call via ${top.pathText ?? '?'}` : diagnosis.error ?? 'none',
      ballast: ballast.length,
    }) + '\n',
  )
  process.exit(0)
}

const heapMb = Number(option('--heap-mb', '10'))
const runs = Number(option('--runs', '5'))
const exact = !args.includes('--no-exact-frames')
const baselineRef = option('--baseline', undefined)
const backend = option('--backend', 'auto')
const nodeBin = option('--node', process.execPath)
const { build } = await import(path.join(root, 'node_modules/esbuild/lib/main.js'))
const { installProfilerNext } = await import('./install.mjs')
const installed = installProfilerNext(nodeBin)
if (!installed.ok) console.error(`bench/diagnose: only node:inspector will run: ${installed.reason}`)
const envDir = installed.dir
const outDir = path.join(envDir, 'node_modules/.leakspec-bench')
fs.mkdirSync(outDir, { recursive: true })


async function bundleFrom(srcRoot, name) {
  const outfile = path.join(outDir, `${name}.mjs`)
  await build({ entryPoints: [path.join(srcRoot, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning', external: ['v8-profiler-next'] })
  return outfile
}

const current = await bundleFrom(root, 'current')
const variants =
  backend === 'both'
    ? [
        { name: 'node:inspector', bundle: current, backend: 'node:inspector', results: [] },
        { name: 'v8-profiler-next', bundle: current, backend: 'v8-profiler-next', results: [] },
      ]
    : [{ name: 'current', bundle: current, backend, results: [] }]
if (baselineRef) {
  const tree = path.join(outDir, 'baseline')
  fs.rmSync(tree, { recursive: true, force: true })
  fs.mkdirSync(tree)
  const archive = execFileSync('git', ['-C', root, 'archive', baselineRef, 'src'], { maxBuffer: 64 * 1024 * 1024 })
  execFileSync('tar', ['-x', '-C', tree], { input: archive })
  variants.unshift({ name: `baseline ${baselineRef}`, bundle: await bundleFrom(tree, 'baseline'), backend: 'auto', results: [] })
}

const median = (values) => {
  const sorted = values.slice().sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

for (let run = 0; run < runs; run++) {
  for (const variant of variants) {
    const child = spawnSync(nodeBin, ['--expose-gc', fileURLToPath(import.meta.url), '--child', variant.bundle, String(heapMb), String(exact), variant.backend], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    })
    if (child.status !== 0) {
      console.error(child.stderr)
      process.exit(1)
    }
    const result = JSON.parse(child.stdout.trim().split('\n').pop())
    variant.results.push(result)
    const p = result.phasesMs
    console.log(
      `${variant.name} run ${run + 1}: heap ${result.heapMb.toFixed(1)} MB, ${result.nodes} nodes, ${result.backend}: diagnosis ${Math.round(result.durationMs)} ms ` +
        `(start ${Math.round(p.start)}, calls ${Math.round(p.calls)}, snapshot+parse ${Math.round(p.snapshot)}, analysis ${Math.round(p.analysis)}) ` +
        `= ${(result.durationMs / result.gcMs).toFixed(0)} full GCs = ${(result.durationMs / result.bareSnapshotMs).toFixed(2)} bare snapshots ` +
        `(GC ${result.gcMs.toFixed(0)} ms, bare snapshot ${Math.round(result.bareSnapshotMs)} ms); ` +
        `peak RSS ${result.peakRssBeforeMb.toFixed(0)} → ${result.peakRssAfterMb.toFixed(0)} MB; ${result.top}`,
    )
  }
}
for (const { name, results } of variants) {
  console.log(
    `${name}: median over ${results.length} runs (heap ${median(results.map((r) => r.heapMb)).toFixed(1)} MB, ${median(results.map((r) => r.nodes))} nodes, ` +
      `exactFrames ${exact}, node ${spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim()}, backend ${results[0].backend}): ` +
      `diagnosis ${Math.round(median(results.map((r) => r.durationMs)))} ms, ` +
      `${median(results.map((r) => r.durationMs / r.gcMs)).toFixed(0)} full GCs, ` +
      `${median(results.map((r) => r.durationMs / r.bareSnapshotMs)).toFixed(2)} bare snapshots ` +
      `(bare snapshot ${Math.round(median(results.map((r) => r.bareSnapshotMs)))} ms); ` +
      `phases start ${Math.round(median(results.map((r) => r.phasesMs.start)))} / calls ${Math.round(median(results.map((r) => r.phasesMs.calls)))} / ` +
      `snapshot+parse ${Math.round(median(results.map((r) => r.phasesMs.snapshot)))} / analysis ${Math.round(median(results.map((r) => r.phasesMs.analysis)))} ms; ` +
      `peak RSS growth ${median(results.map((r) => r.peakRssAfterMb - r.peakRssBeforeMb)).toFixed(0)} MB`,
  )
}
