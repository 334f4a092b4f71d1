/**
 * Markdown for bench/RESULTS.md: the side-by-side table (bench/alternatives/results.json) and the
 * scale figures (bench/scale/results.json, plot bench/scale.svg). bench/report.mjs includes
 * `comparedSections()` near the top of the report; the run scripts print `toolTable()`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const bench = dirname(here)

/** Display names and how each tool was run, in table order. */
export const TOOL_INFO = {
  leakspec: ['**leakspec** `measureLeaks`', 'default options (the resource pairs that spawn processes or workers pass their own `timeBudget`/`callsPerRound`, as in the accuracy benchmark); doubling rounds, a full GC per round, heap + handles + fds + listeners'],
  hand: ['hand-written `heapUsed` check', 'one warm-up call, `gc()`, `before = process.memoryUsage().heapUsed`, N calls, `gc()`, leak when `after − before > 1 MiB` (the "run it 10,000 times and allow a megabyte" check of blog posts and Stack Overflow answers)'],
  leakage: ["leakage's rule (re-implemented)", "the `leakage` package (0.5) no longer installs on current Node (its native `node-memwatch` dependency does not build), so its documented rule runs on the same samples: 6 × { `gc(); gc()`, heap, 30 calls, `gc()`, heap }, leak when the longest run of consecutive diffs > 1 KiB is longer than 4; V8's used heap after a full GC stands in for memwatch's snapshot size; async calls are awaited one by one"],
  queryObjects: ['`v8.queryObjects` counting', "Node core's approach (its tests count a constructor's instances before and after); a generic check does not know the class, so it counts everything with `Object.prototype` in its chain: `queryObjects(Object, { format: 'count' })` before and after N calls, leak when it grew by ≥ N"],
  memlab: ["memlab's Node heap API", '`@memlab/core` `takeNodeMinimalHeap()` before and after N calls (installed with `PUPPETEER_SKIP_DOWNLOAD=1 --ignore-scripts`: no browser); objects of the second snapshot whose node id is not in the first, grouped by type and constructor; leak when a group gained ≥ N objects. Its own unit-test examples (`hasObjectWithClassName`, `hasObjectWithTag`) need the leaked class or object named in advance'],
  jest: ["Jest's `--detectLeaks`", 'every case is its own test file calling the function N times, run by its own `jest --detectLeaks --runInBand --forceExit` process; flagged when Jest fails the file with "Your test suite is leaking memory". It checks whether the test file\'s environment (its global object) is collected, not whether the code under test grows; time = the file\'s start → end in Jest\'s JSON (environment set-up included); RSS = the Jest process'],
}

const frac = (g) => (g && g.runs ? `${g.flagged}/${g.runs} (${Math.round((100 * g.flagged) / g.runs)} %)` : '–')
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '–')

/** The per-tool table. */
export function toolTable(result) {
  const lines = [
    '| tool | leaks ≥ 32 B/call detected | resource leaks detected | small leaks (8, 24 B/call) flagged | false positives, clean cases | false positives, clean resource pairs | wrong answers | no verdict (inconclusive / error) | verdict time median / p95 (ms) | peak RSS median / max (MiB) |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const tool of result.tools) {
    const t = result.perTool[tool]
    lines.push(
      `| ${TOOL_INFO[tool][0]} | ${frac(t.leakJs)} | ${frac(t.leakRes)} | ${frac(t.leakSmall)} | ${frac(t.cleanJs)} | ${frac(t.cleanRes)} | ${t.wrongAnswers ?? '–'} | ${t.inconclusive} / ${t.errors} | ${fmt(t.msMedian)} / ${fmt(t.msP95)} | ${fmt(t.rssMedianMiB)} / ${fmt(t.rssMaxMiB)} |`,
    )
  }
  return lines.join('\n')
}

/** Cases × tools: runs flagged as a leak out of runs (`i` marks inconclusive runs, `e` runs without a verdict). */
export function caseMatrix(result) {
  const lines = [
    `| case | truth | B/call | N | ${result.tools.join(' | ')} |`,
    `|---|---|---|---|${result.tools.map(() => '---').join('|')}|`,
  ]
  for (const c of result.cases) {
    const cells = result.tools.map((tool) => {
      const t = result.perCase[tool]?.[c.name]
      if (!t) return '–'
      const extra = [t.inconclusive ? `${t.inconclusive}i` : '', t.error ? `${t.error}e` : ''].filter(Boolean).join(' ')
      const wrong = c.truth === 'clean' ? t.leak > 0 : t.leak < t.runs
      const cell = `${t.leak}/${t.runs}${extra ? ` ${extra}` : ''}`
      return wrong ? `**${cell}**` : cell
    })
    lines.push(`| ${c.name} | ${c.truth} | ${c.resource ? c.key : (c.bytesPerCall ?? '')} | ${c.calls} | ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

function scaleTable(scale) {
  const lines = [
    '| live heap after GC (MiB) | clean verdict, median (min–max) | GCs | one full GC (the floor) | verdict ÷ one GC | default options (4 s budget) | peak RSS (MiB) |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const s of scale.sizes) {
    const dv = Object.entries(s.defaultVerdicts).map(([k, v]) => `${k} ${v}`).join(', ')
    lines.push(
      `| ${fmt(s.heapMiB)} (${s.mib} held) | ${fmt(s.verdictMs)} ms (${fmt(s.verdictMsMin)}–${fmt(s.verdictMsMax)}) | ${fmt(s.gcs)} | ${fmt(s.gcMs, 1)} ms | ${fmt(s.ratio, 1)} | ${dv}${Number.isFinite(s.defaultMs) ? ` (median ${fmt(s.defaultMs)} ms)` : ''} | ${fmt(s.rssMiB)} |`,
    )
  }
  return lines.join('\n')
}

const machineLine = (r) =>
  `${r.machine.cpu}, ${r.machine.memoryGiB} GiB, ${r.machine.os}; 2 vCPU shared with other busy sessions` +
  (r.machine.loadavgStart ? ` (load average ${r.machine.loadavgStart.map((x) => x.toFixed(1)).join(' / ')} at the start, ${r.machine.loadavgEnd.map((x) => x.toFixed(1)).join(' / ')} at the end)` : '')

/**
 * The "compared" and "scale" sections, from the committed result files (empty when absent).
 * @param {string} [dir] the bench/ folder
 * @returns {string[]} Markdown lines
 */
export function comparedSections(dir = bench) {
  const lines = []
  const altPath = join(dir, 'alternatives', 'results.json')
  if (existsSync(altPath)) {
    const r = JSON.parse(readFileSync(altPath, 'utf8'))
    const notesPath = join(dir, 'alternatives', 'notes.md')
    lines.push(
      '## Why leakspec — compared with the alternatives',
      '',
      `One set from \`bench/alternatives/run.mjs\` (\`npm run bench:alternatives\`): ${r.date} → ${r.finished}, Node ${r.node}, ${machineLine(r)}. ` +
        `Every check is a fresh \`node --expose-gc\` process with one case and one tool (${r.jobs} in parallel): ` +
        `${r.runs} runs per case of the accuracy corpus and ${r.runsResource} per resource pair for leakspec, the hand-written check, leakage's rule and queryObjects; ` +
        `${r.memlabRuns} per case for memlab (a check takes seconds); Jest ${r.jestVersion}: ${r.jestRuns} per case. ` +
        `Cases: \`bench/cases/*.mjs\` (${r.cases.filter((c) => !c.resource).length}) and both sides of the ${r.cases.filter((c) => c.resource).length / 2} resource pairs of \`test/fixtures/resources/cases.ts\`. ` +
        'N (calls of the fixed-count checks) is 10,000 for µs-scale functions, 1,000 for slow ones, 100 per resource pair and 10 for the pairs that spawn a process or start a worker. ' +
        'Verdict time runs from the first call to the verdict (process start-up and module loading excluded); peak RSS is the process\'s maximum resident set.',
      '',
      toolTable(r),
      '',
      ...(existsSync(notesPath) ? [readFileSync(notesPath, 'utf8').trim(), ''] : []),
      'How each tool was run:',
      '',
      ...r.tools.map((t) => `- ${TOOL_INFO[t][0]}: ${TOOL_INFO[t][1]}.`),
      '',
      '<details><summary>Per case: runs flagged as a leak / runs (bold: wrong; i = inconclusive, e = no verdict)</summary>',
      '',
      caseMatrix(r),
      '',
      '</details>',
      '',
    )
  }
  const scalePath = join(dir, 'scale', 'results.json')
  if (existsSync(scalePath)) {
    const s = JSON.parse(readFileSync(scalePath, 'utf8'))
    const notesPath = join(dir, 'scale', 'notes.md')
    lines.push(
      '## Scale: verdict time against heap size',
      '',
      `One run of \`npm run bench:scale\`: ${s.date} → ${s.finished}, Node ${s.node}, ${machineLine(s)}. ` +
        `${s.runsPerSize} fresh processes per size and option set, one at a time, sizes interleaved; medians. Each process holds the given heap ` +
        '(records of small objects), times 7 full GCs before and 7 after the check (the floor: the mean of the two medians), and runs one check of a clean function: ' +
        'with a 10-minute `timeBudget` (the cost of a clean verdict, used for the ratio) and, in a separate process, with the default options.',
      '',
      scaleTable(s),
      '',
      '![clean verdict time and one full GC against heap size](scale.svg)',
      '',
      ...(existsSync(notesPath) ? [readFileSync(notesPath, 'utf8').trim(), ''] : []),
    )
  }
  return lines
}
