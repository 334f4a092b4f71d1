// Speed of a verdict inside a Vitest worker, relative to the full GCs it needs.
// For each check: the verdict time and GC count from the check's record (task.meta.leakspec), and the
// median time of a full gc() measured right after it in the same worker, at the same heap size.
// LEAKSPEC_BENCH_RUNS checks of each kind; records are appended to LEAKSPEC_BENCH_OUT (JSON lines).
import { appendFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import * as v8 from 'node:v8'
import { expect, test } from 'vitest'

const runs = Number(process.env.LEAKSPEC_BENCH_RUNS ?? 3)
const out = process.env.LEAKSPEC_BENCH_OUT

function gcMedianMs(samples = 7) {
  const times = []
  for (let i = 0; i < samples; i++) {
    const t = performance.now()
    globalThis.gc()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return times[samples >> 1]
}

function heapMiB() {
  let total = 0
  for (const space of v8.getHeapSpaceStatistics()) if (space.space_name !== 'code_space') total += space.space_used_size
  return total / 1048576
}

const kinds = {
  // A cheap clean function: a small object per call, dropped.
  clean: () => {
    let n = 0
    return () => ({ id: n++, ok: true })
  },
  // A cheap leaky function: an object per call into an array that outlives the call.
  leak: () => {
    const log = []
    let n = 0
    return () => log.push({ id: n++, at: 1 })
  },
}

for (let i = 0; i < runs; i++) {
  for (const kind of ['clean', 'leak']) {
    test(`${kind} verdict #${i + 1}`, async ({ task }) => {
      const fn = kinds[kind]()
      try {
        if (kind === 'clean') await expect(fn).not.toLeak()
        else await expect(fn).toLeak()
      } finally {
        const check = task.meta.leakspec?.checks.at(-1)
        const gcMs = gcMedianMs()
        const record = { kind, verdict: check?.verdict, durationMs: check?.durationMs, gcs: check?.gcs, calls: check?.calls, gcMedianMs: gcMs, heapMiB: heapMiB(), fnAlive: typeof fn }
        if (out) appendFileSync(out, JSON.stringify(record) + '\n')
      }
    })
  }
}
