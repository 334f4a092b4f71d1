#!/usr/bin/env node
/**
 * Proof of the diagnosis on the accuracy corpus: every leaky case of bench/cases (leak-*.mjs) runs in
 * a fresh process (`--expose-gc`): measureLeaks decides the verdict, then diagnose() explains it. The
 * table says per case whether the message names the right constructor (what), a path through the
 * case's holder (who) and an allocation site in the case file (where), and how long the diagnosis took
 * (also as full GCs and as bare heap snapshots of the same heap, since the machine may be loaded).
 *
 *   node bench/diagnose/cases.mjs [--backend auto|node:inspector|v8-profiler-next] [--node <path>]
 *                                 [--only <name>] [--verbose]
 *
 * Exits non-zero when a case whose verdict is `leak` misses what, who or where. leakspec is bundled
 * from src/ with esbuild (no dist/ needed), where the optional backend resolves (bench/diagnose/install.mjs).
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : fallback
}

/**
 * What each case must be diagnosed as: the leaked constructor (the first kind listed) and the holder
 * its path must pass through. The interval's holder is Node's timer list, not the case's code.
 */
const EXPECTED = {
  // The handler closures and the options object each closure holds: one of each per call.
  'leak-callbacks': { what: /^\(closure\)|^Object$/, who: /handlers: Array › \[\d+\]/ },
  // One closure and one 1 KiB Buffer every 10 calls: fewer survivors than half the calls.
  'leak-closure-buffer': { what: /^\(closure\)|^Buffer$|^FastBuffer$|^Uint8Array$|^ArrayBuffer$|^\(closure scope\)/, who: /callbacks: Array › \[\d+\]/ },
  'leak-global-array': { what: /^Object$/, who: /log: Array › \[\d+\]: Object/ },
  'leak-heapnumber-24b': { what: /^\(number\)|^\(heap number\)/, who: /samples: Array/ },
  'leak-interval': { what: /^Timeout$/, who: /Timeout/ },
  'leak-listener': { what: /^\(closure\)/, who: /bus: EventEmitter|_events/ },
  'leak-map-entry': { what: /^Object$|^\(string\)/, who: /registry: Map › /, },
  'leak-memo': { what: /^Object$|^\(string\)/, who: /memo: Object › / },
  'leak-promise-array': { what: /^Promise$/, who: /inflight: Array › \[\d+\]: Promise/ },
  'leak-set-instances': { what: /^Session$/, who: /active: Set › .*Session/ },
  'leak-small-32b': { what: /^\(string\)/, who: /ids: Array › / },
  'leak-string-1k': { what: /^\(string\)/, who: /lines: Array › / },
  'leak-tiny-8b': { what: /^\(number\)|^\(string\)|^Object$/, who: /counts: Array/ },
}

if (args[0] === '--child') {
  const [, bundle, caseFile, backend] = args
  const { measureLeaks, diagnose, formatDiagnosis } = await import(bundle)
  const subject = await import(pathToFileURL(caseFile).href)
  const fn = subject.create()
  const report = await measureLeaks(fn, { diagnose: false })
  const diagnosis = await diagnose(fn, report, backend === 'auto' ? {} : { backend })
  const { performance } = await import('node:perf_hooks')
  const gcTimes = []
  for (let i = 0; i < 5; i++) {
    const at = performance.now()
    globalThis.gc()
    gcTimes.push(performance.now() - at)
  }
  gcTimes.sort((a, b) => a - b)
  // A bare snapshot of the same heap, read to its end and dropped: the floor of any diagnosis.
  const v8 = await import('node:v8')
  const at = performance.now()
  await new Promise((resolve, reject) => {
    const stream = v8.getHeapSnapshot()
    stream.on('data', () => undefined)
    stream.once('end', resolve)
    stream.once('error', reject)
  })
  const bareSnapshotMs = performance.now() - at
  process.stdout.write(
    JSON.stringify({
      verdict: report.verdict,
      heapMb: process.memoryUsage().heapUsed / 1e6,
      gcMs: gcTimes[2],
      bareSnapshotMs,
      diagnosis: { ...diagnosis, kinds: diagnosis.kinds.map(({ path: _path, ...kind }) => kind) },
      text: formatDiagnosis(diagnosis),
    }) + '\n',
  )
  process.exit(0)
}

const backend = option('--backend', 'auto')
const nodeBin = option('--node', process.execPath)
const only = option('--only', undefined)
const verbose = args.includes('--verbose')
const { installProfilerNext } = await import('./install.mjs')
const installed = installProfilerNext(nodeBin)
if (!installed.ok && backend !== 'node:inspector') console.error(`bench/diagnose: v8-profiler-next unavailable: ${installed.reason}`)
const outDir = path.join(installed.dir, 'node_modules/.leakspec-bench')
fs.mkdirSync(outDir, { recursive: true })
const bundle = path.join(outDir, `cases-${process.pid}.mjs`)
const { build } = await import(path.join(root, 'node_modules/esbuild/lib/main.js'))
await build({ entryPoints: [path.join(root, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning', external: ['v8-profiler-next'] })

const casesDir = path.join(root, 'bench/cases')
const cases = fs
  .readdirSync(casesDir)
  .filter((file) => file.startsWith('leak-') && file.endsWith('.mjs'))
  .map((file) => file.slice(0, -'.mjs'.length))
  .filter((name) => only === undefined || name === only)
  .sort()

const rows = []
let failures = 0
for (const name of cases) {
  const caseFile = path.join(casesDir, `${name}.mjs`)
  const child = spawnSync(nodeBin, ['--expose-gc', fileURLToPath(import.meta.url), '--child', bundle, caseFile, backend], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    cwd: root,
  })
  if (child.status !== 0) {
    rows.push({ name, verdict: 'error', note: child.stderr.trim().split('\n').slice(-3).join(' ') })
    failures++
    continue
  }
  const result = JSON.parse(child.stdout.trim().split('\n').pop())
  const { diagnosis } = result
  const expected = EXPECTED[name] ?? { what: /$^/, who: /$^/ }
  const top = diagnosis.kinds.find((kind) => !kind.irregular) ?? diagnosis.kinds[0]
  const what = top !== undefined && expected.what.test(top.name)
  const who = diagnosis.kinds.some((kind) => kind.pathText !== undefined && expected.who.test(kind.pathText))
  const inCase = (frame) => frame.file.endsWith(`bench/cases/${name}.mjs`)
  const where =
    diagnosis.kinds.some((kind) => (kind.stack ?? []).some(inCase)) || diagnosis.sites.some((site) => site.stack.some(inCase))
  const ok = what && who && where
  if (result.verdict === 'leak' && !ok) failures++
  rows.push({
    name,
    verdict: result.verdict,
    what: what ? `yes (${top.name})` : `no (${top?.name ?? 'nothing'})`,
    who: who ? 'yes' : 'no',
    where: where ? 'yes' : 'no',
    ms: Math.round(diagnosis.durationMs),
    gcs: Math.round(diagnosis.durationMs / result.gcMs),
    snapshots: (diagnosis.durationMs / result.bareSnapshotMs).toFixed(1),
    heapMb: result.heapMb.toFixed(1),
    backend: diagnosis.backend,
    error: diagnosis.error,
  })
  if (verbose || (result.verdict === 'leak' && !ok)) console.log(`--- ${name} (${result.verdict})\n${result.text}\n`)
}

const header = '| case | verdict | what (constructor) | who (holder) | where (case file) | diagnosis ms | = full GCs | = bare snapshots | heap MB | backend |'
console.log(header)
console.log('|' + header.split('|').slice(1, -1).map(() => '---').join('|') + '|')
for (const row of rows) {
  if (row.verdict === 'error') {
    console.log(`| ${row.name} | error | ${row.note} | | | | | | | |`)
    continue
  }
  console.log(
    `| ${row.name} | ${row.verdict} | ${row.what} | ${row.who} | ${row.where} | ${row.ms} | ${row.gcs} | ${row.snapshots} | ${row.heapMb} | ${row.backend}${row.error ? ` (${row.error})` : ''} |`,
  )
}
const times = rows.filter((row) => row.ms !== undefined).map((row) => row.ms).sort((a, b) => a - b)
console.log(
  `\n${rows.length} cases, node ${spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim()}; diagnosis time median ${times[Math.floor(times.length / 2)]} ms, max ${times[times.length - 1]} ms; ` +
    `${failures === 0 ? 'every leak verdict has what, who and where' : `${failures} leak verdict(s) miss what, who or where`}`,
)
fs.rmSync(bundle, { force: true })
process.exit(failures === 0 ? 0 : 1)
