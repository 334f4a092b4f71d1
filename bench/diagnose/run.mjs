#!/usr/bin/env node
/**
 * Cost of the diagnosis: wall time per phase and peak memory, at a given live heap size.
 *
 *   node bench/diagnose/run.mjs [--heap-mb 10] [--runs 3] [--no-exact-frames]
 *
 * Each run is a fresh child process (`--expose-gc`) that fills the heap with about `--heap-mb` MB of
 * live objects, confirms a leak with measureLeaks, then runs diagnose() once and reports its time,
 * its phases, the snapshot's node count and the process's peak RSS before and after the diagnosis.
 * leakspec is bundled from src/ with esbuild into a temporary directory (no dist/ needed).
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : fallback
}

if (args[0] === '--child') {
  const [, bundle, heapMb, exact] = args
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
  const diagnosis = await diagnose(leak, report, { exactFrames: exact === 'true' })
  const rssAfter = process.resourceUsage().maxRSS * 1024
  const top = diagnosis.kinds[0]
  process.stdout.write(
    JSON.stringify({
      verdict: report.verdict,
      heapMb: heapUsed / 1e6,
      durationMs: diagnosis.durationMs,
      phasesMs: diagnosis.phasesMs,
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
const runs = Number(option('--runs', '3'))
const exact = !args.includes('--no-exact-frames')
const { build } = await import(path.join(root, 'node_modules/esbuild/lib/main.js'))
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-bench-'))
const bundle = path.join(outDir, 'leakspec.mjs')
await build({ entryPoints: [path.join(root, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' })

const results = []
for (let run = 0; run < runs; run++) {
  const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', bundle, String(heapMb), String(exact)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
  if (child.status !== 0) {
    console.error(child.stderr)
    process.exit(1)
  }
  const result = JSON.parse(child.stdout.trim().split('\n').pop())
  results.push(result)
  console.log(
    `run ${run + 1}: heap ${result.heapMb.toFixed(1)} MB, ${result.nodes} nodes: diagnosis ${Math.round(result.durationMs)} ms ` +
      `(start ${Math.round(result.phasesMs.start)}, calls ${Math.round(result.phasesMs.calls)}, snapshot+parse ${Math.round(result.phasesMs.snapshot)}, ` +
      `analysis ${Math.round(result.phasesMs.analysis)}); peak RSS ${result.peakRssBeforeMb.toFixed(0)} → ${result.peakRssAfterMb.toFixed(0)} MB; ${result.top}`,
  )
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]
console.log(
  `median over ${runs} runs (heap ${heapMb} MB, exactFrames ${exact}, node ${process.version}): ` +
    `diagnosis ${Math.round(median(results.map((r) => r.durationMs)))} ms, ` +
    `peak RSS growth ${median(results.map((r) => r.peakRssAfterMb - r.peakRssBeforeMb)).toFixed(0)} MB`,
)
fs.rmSync(outDir, { recursive: true, force: true })
