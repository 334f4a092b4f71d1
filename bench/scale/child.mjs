/**
 * One scale run in a fresh process: grows the live heap by `<MiB>` of small objects held by the
 * process (as a test process holding fixtures, modules and caches would), times full GCs at that size
 * (the floor: a leak check cannot cost less than the GCs it needs), then runs one leakspec check of a
 * clean function. Prints one JSON line.
 *
 *   node --expose-gc bench/scale/child.mjs <MiB> [default|unbounded]
 *
 * `default`: the default options (a 4 s time budget: what a user gets); `unbounded`: the default
 * options with a time budget of 10 minutes, to measure what a clean verdict costs at that size.
 *
 * LEAKSPEC_BENCH_DIST names the copy of dist/ to load (run.mjs passes a snapshot).
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import * as v8 from 'node:v8'

const mib = Number(process.argv[2])
const budget = process.argv[3] ?? 'default'
const gc = globalThis.gc
if (typeof gc !== 'function' || !(mib >= 0)) throw new TypeError('usage: node --expose-gc bench/scale/child.mjs <MiB>')
const dist = process.env.LEAKSPEC_BENCH_DIST ? pathToFileURL(`${resolve(process.env.LEAKSPEC_BENCH_DIST)}/`) : new URL('../../dist/', import.meta.url)
const { measureLeaks } = await import(new URL('index.js', dist).href)

const heapUsed = () => v8.getHeapStatistics().used_heap_size
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

// The held heap: records of a few small objects each (a realistic mix for marking: pointers,
// strings, numbers, arrays), in chunks of 1,000 so no single array is huge.
gc()
const base = heapUsed()
const held = []
let i = 0
while (heapUsed() - base < mib * 1048576) {
  const chunk = []
  for (let k = 0; k < 1000; k++, i++) chunk.push({ id: i, name: `record-${i}`, tags: [i & 7, i & 15], when: { at: i * 1.5 } })
  held.push(chunk)
}
gc()
const heldMiB = (heapUsed() - base) / 1048576

function gcMedianMs(samples = 7) {
  const times = []
  for (let s = 0; s < samples; s++) {
    const t = performance.now()
    gc()
    times.push(performance.now() - t)
  }
  return median(times)
}

// The clean function under test: builds and drops a small object graph per call.
const fn = () => {
  const o = { a: 1, b: [1, 2, 3], c: { d: 'x' } }
  return o.b.length + o.a
}
const gcBeforeMs = gcMedianMs()
const started = performance.now()
const report = await measureLeaks(fn, budget === 'unbounded' ? { timeBudget: 600_000 } : undefined)
const verdictMs = performance.now() - started
const gcAfterMs = gcMedianMs()
process.stdout.write(
  JSON.stringify({
    mib,
    budget,
    heldMiB,
    heapMiB: heapUsed() / 1048576,
    objects: i,
    gcMs: median([gcBeforeMs, gcAfterMs]),
    verdict: report.verdict,
    verdictMs,
    gcs: report.gcs,
    cause: report.verdict === 'inconclusive' ? report.cause : undefined,
    held: held.length,
    rssMiB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
)
