#!/usr/bin/env node
/**
 * Browser benchmark: fresh-process runs of Vitest Browser Mode in Debian's Chromium. Each run is a new
 * `vitest run` (a new Vite server, a new Chromium) on bench/browser/suite: the clean file in every run,
 * the leaky file every `--leaky-every` runs. Reads each check's record (task.meta.leakspec) from Vitest's
 * JSON report: verdict, leaking signals, calls, GCs, verdict time; and the test's duration (verdict +
 * diagnosis for a failing `.not.toLeak()`).
 *
 * Usage: npm run build && node bench/browser/run.mjs [--runs 100] [--leaky-every 5] [--minutes 40]
 *   [--only clean|leaky] [--dist dist] [--out bench/results/browser.json]
 * Quick looks: `--runs 3 --only leaky` (the leaky file alone, every run: verdict and diagnosis times),
 * `--runs 10 --only clean` (the clean file alone). Each test's record keeps the check's reason, cause,
 * round table and the first line of its diagnosis (with the diagnosis's own time), so an inconclusive
 * or slow check can be read after the run.
 * `--dist` runs another build of leakspec (a `dist` directory built from another commit, for a paired
 * before/after comparison on the same machine at the same time).
 * Runs one at a time (the machine is shared); stops starting runs after --minutes.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const arg = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : process.argv[index + 1]
}
const runs = Number(arg('runs', 100))
const leakyEvery = Number(arg('leaky-every', 5))
const minutes = Number(arg('minutes', 40))
const out = resolve(arg('out', join(root, 'bench', 'results', 'browser.json')))
const only = arg('only', undefined)
const dist = resolve(arg('dist', join(root, 'dist')))
if (only !== undefined && only !== 'clean' && only !== 'leaky') {
  console.error(`bench/browser: --only takes clean or leaky; received ${only}`)
  process.exit(2)
}

if (!existsSync('/usr/bin/chromium') && !process.env.LEAKSPEC_CHROMIUM) {
  console.error('bench/browser: /usr/bin/chromium is not installed (apt-get install chromium)')
  process.exit(1)
}
const install = spawnSync(process.execPath, [join(root, 'test', 'envs', 'install.mjs'), 'browser'], { stdio: 'inherit' })
if (install.status !== 0) process.exit(1)
const env = join(root, 'test', 'envs', 'browser')
const work = join(env, 'work', `bench-${process.pid}`)
rmSync(work, { recursive: true, force: true })
cpSync(join(here, 'suite'), work, { recursive: true })
const target = join(work, 'node_modules', 'leakspec')
mkdirSync(target, { recursive: true })
cpSync(dist, join(target, 'dist'), { recursive: true })
cpSync(join(root, 'package.json'), join(target, 'package.json'))

const results = { started: new Date().toISOString(), command: process.argv.slice(2).join(' '), dist, chromium: spawnSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).stdout.trim(), node: process.version, runs: [] }
const deadline = Date.now() + minutes * 60_000
for (let run = 1; run <= runs && Date.now() < deadline; run++) {
  const files = only === 'clean' ? ['clean.test.js'] : only === 'leaky' ? ['leaky.test.js'] : run % leakyEvery === 0 ? ['clean.test.js', 'leaky.test.js'] : ['clean.test.js']
  const report = join(work, 'report.json')
  rmSync(report, { force: true })
  const started = Date.now()
  const child = spawnSync(
    process.execPath,
    [join(env, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=json', `--outputFile.json=${report}`, ...files],
    { cwd: work, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' }, timeout: 600_000 },
  )
  const wallMs = Date.now() - started
  const tests = []
  if (existsSync(report)) {
    const parsed = JSON.parse(readFileSync(report, 'utf8'))
    for (const file of parsed.testResults) {
      for (const test of file.assertionResults) {
        const check = test.meta?.leakspec?.checks?.[0]
        tests.push({
          name: test.fullName,
          status: test.status,
          verdict: check?.verdict ?? 'none',
          cause: check?.cause,
          reason: check?.reason,
          rounds: check?.rounds?.map((round) => `${round.round}${round.counted ? '*' : ''}:${round.calls}:${Math.round(round.heapPerCall)}`).join(' '),
          diagnosis: check?.diagnosis?.split('\n').find((line) => line.startsWith('Diagnosis')),
          leaks: (check?.leaks ?? []).map((leak) => leak.key),
          calls: check?.calls,
          gcs: check?.gcs,
          verdictMs: check?.durationMs,
          testMs: test.duration,
          error: check === undefined ? (test.failureMessages ?? []).join('\n').slice(0, 400) : undefined,
        })
      }
    }
  }
  // With LEAKSPEC_DEBUG=1 the server side prints the diagnosis phases (start, calls, snapshot, analysis).
  const debug = (child.stderr ?? '').split('\n').filter((line) => line.startsWith('leakspec diagnosis'))
  results.runs.push({ run, wallMs, code: child.status, tests, ...(debug.length > 0 ? { debug } : {}) })
  const summary = tests.map((test) => `${test.name.split(':')[0]}=${test.verdict}`).join(' ')
  console.log(`run ${run}: ${(wallMs / 1000).toFixed(1)} s  ${summary || `no report (exit ${child.status}) ${child.stderr.slice(-300)}`}`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n')
}
rmSync(work, { recursive: true, force: true })

// Summary.
const all = results.runs.flatMap((run) => run.tests)
const byName = new Map()
for (const test of all) {
  const list = byName.get(test.name) ?? []
  list.push(test)
  byName.set(test.name, list)
}
const median = (values) => {
  const sorted = values.filter((value) => typeof value === 'number').sort((a, b) => a - b)
  return sorted.length === 0 ? NaN : sorted[sorted.length >> 1]
}
const max = (values) => Math.max(...values.filter((value) => typeof value === 'number'))
console.log(`\n${results.runs.length} fresh-process runs (${results.chromium}, Node ${results.node})\n`)
console.log('| case | checks | clean | leak | inconclusive/none | median calls | median verdict | max verdict | median test (verdict + diagnosis) | max test |')
console.log('|---|---|---|---|---|---|---|---|---|---|')
for (const [name, list] of byName) {
  const count = (verdict) => list.filter((test) => test.verdict === verdict).length
  console.log(
    `| ${name} | ${list.length} | ${count('clean')} | ${count('leak')} | ${list.length - count('clean') - count('leak')} | ${median(list.map((t) => t.calls))} | ` +
      `${(median(list.map((t) => t.verdictMs)) / 1000).toFixed(2)} s | ${(max(list.map((t) => t.verdictMs)) / 1000).toFixed(2)} s | ` +
      `${(median(list.map((t) => t.testMs)) / 1000).toFixed(2)} s | ${(max(list.map((t) => t.testMs)) / 1000).toFixed(2)} s |`,
  )
}
const falsePositives = all.filter((test) => test.name.startsWith('clean') && test.verdict === 'leak').length
const missed = all.filter((test) => test.name.startsWith('leaky') && test.verdict !== 'leak').length
console.log(`\nfalse positives: ${falsePositives} of ${all.filter((t) => t.name.startsWith('clean')).length} clean checks; leaks missed: ${missed} of ${all.filter((t) => t.name.startsWith('leaky')).length}`)
process.exitCode = falsePositives > 0 || missed > 0 ? 1 : 0
