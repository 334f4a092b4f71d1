/**
 * One benchmark run in a fresh process: loads one case, builds fresh state with its factory, runs one
 * leak check with the default options through the built `dist/`, then times a few full GCs at the
 * heap size the check ended with. Prints one JSON line on stdout.
 *
 *   node --expose-gc bench/child.mjs <case file>            one check
 *   node --expose-gc bench/child.mjs --size <case file>     steady per-call growth of the case (no check)
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import * as v8 from 'node:v8'
import { resolve } from 'node:path'

const args = process.argv.slice(2)
const sizeMode = args[0] === '--size'
// `--pair <bundle> <name> <clean|leaky>`: one side of a resource pair (test/fixtures/resources/cases.ts).
const pairMode = args[0] === '--pair'
const file = resolve(sizeMode || pairMode ? args[1] : args[0])
const gc = globalThis.gc
if (typeof gc !== 'function') {
  process.stdout.write(JSON.stringify({ error: { code: 'NO_GC', message: 'run with --expose-gc' } }) + '\n')
  process.exit(2)
}

/** Heap metric the engine uses: used bytes of all spaces but code space. */
function heapWithoutCode() {
  let total = 0
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name !== 'code_space') total += space.space_used_size
  return total
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Median wall time of `samples` full GCs, in ms, at the current heap size. */
function gcMedianMs(samples = 7) {
  const times = []
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    gc()
    times.push(performance.now() - t)
  }
  return median(times)
}

async function callMany(fn, times) {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (result && typeof result.then === 'function') await result
  }
}

const mod = await import(pathToFileURL(file).href)
/** The resource pair under test, with its options (slow resources need a larger budget). */
const pair = pairMode ? mod.cases.find((candidate) => candidate.name === args[2]) : undefined
if (pairMode && !pair) throw new Error(`bench: no resource pair named ${args[2]}`)

if (sizeMode) {
  // Steady per-call growth: warm up, then a long run; memory after two GCs (external after the second).
  const fn = mod.create()
  const slow = mod.about.includes('slow calls')
  const warm = slow ? 300 : 3000
  const calls = slow ? 1500 : 30000
  await callMany(fn, warm)
  await new Promise((r) => setImmediate(r))
  gc(); gc()
  const before = heapWithoutCode() + v8.getHeapStatistics().external_memory
  await callMany(fn, calls)
  await new Promise((r) => setImmediate(r))
  gc(); gc()
  const after = heapWithoutCode() + v8.getHeapStatistics().external_memory
  process.stdout.write(JSON.stringify({ bytesPerCall: (after - before) / calls, calls }) + '\n')
  process.exit(0)
}

// run.mjs passes a snapshot of dist/ so that a rebuild during a long run cannot change the engine under test.
const dist = process.env.LEAKSPEC_BENCH_DIST ? pathToFileURL(`${process.env.LEAKSPEC_BENCH_DIST}/`) : new URL('../dist/', import.meta.url)
const { measureLeaks } = await import(new URL('index.js', dist).href)
let fn
if (pair) {
  await mod.startEcho()
  fn = pair[args[3]]
} else {
  fn = mod.create()
}
const started = performance.now()
let out
try {
  const report = await measureLeaks(fn, pair?.options)
  const wallMs = performance.now() - started
  const gcMs = gcMedianMs()
  out = {
    verdict: report.verdict,
    reason: report.reason,
    cause: report.verdict === 'inconclusive' ? report.cause : undefined,
    calls: report.calls,
    gcs: report.gcs,
    durationMs: report.durationMs,
    wallMs,
    gcMedianMs: gcMs,
    heapMiB: heapWithoutCode() / 1048576,
    callsPerRound: report.callsPerRound,
    extraRoundsUsed: report.extraRoundsUsed,
    async: report.async,
    leaks: report.verdict === 'leak' ? report.leaks.map((s) => ({ key: s.key, perCall: s.perCall, marginal: s.marginal })) : [],
    stoppedEarly: report.verdict === 'leak' ? report.stoppedEarly : false,
    rounds: report.rounds.map((r) => ({ calls: r.calls, counted: r.counted, heapPerCall: Math.round(r.heapPerCall * 10) / 10, counts: r.counts })),
    // Creation/add-site stacks of leaked resources (frames only), to check they name the fixture file.
    stacks: report.stacks?.signals.map((signal) => ({ key: signal.key, frames: signal.groups.flatMap((group) => group.frames).slice(0, 8) })),
  }
} catch (error) {
  out = { error: { code: error?.code ?? error?.name ?? 'ERROR', message: String(error?.message ?? error).slice(0, 500) } }
}
out.node = process.version
process.stdout.write(JSON.stringify(out) + '\n')
// Leaky cases leave intervals and listeners behind on purpose: exit explicitly.
process.exit(0)
