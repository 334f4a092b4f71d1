/**
 * `leakspec-report.html`: one self-contained page (inline CSS and SVG, no script, no network; a
 * Content-Security-Policy forbids loading anything) with a plot per check: heap growth per call by
 * round against the floor, and the other signals per call by round. Failing tests come first, with
 * their diagnosis.
 *
 * Every string that reaches the page goes through {@link escapeHtml}: test names, file names, signal
 * keys, reasons and stack frames are user data.
 */
import { knownLeakLabel } from '../core/known.js'
import { formatBytes } from '../message/format.js'
import { testVerdict } from './build.js'
import { formatDuration, formatPerCall } from './table.js'
import type { LeakspecReport, ReportCheck, ReportRound, ReportTest } from './schema.js'

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

const PLOT_WIDTH = 560
const PLOT_HEIGHT = 200
const MARGIN = { left: 64, right: 16, top: 14, bottom: 30 }
const SERIES_COLOURS = ['#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569']

function number(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0'
}

interface Scale {
  readonly x: (round: number) => number
  readonly y: (value: number) => number
  readonly min: number
  readonly max: number
}

function scale(rounds: readonly ReportRound[], values: readonly number[], floor: number): Scale {
  const finiteValues = values.filter((value) => Number.isFinite(value))
  let max = Math.max(floor * 2, ...finiteValues, 1)
  let min = Math.min(0, ...finiteValues)
  if (max === min) max = min + 1
  max *= 1.08
  if (min < 0) min *= 1.08
  const count = Math.max(rounds.length, 1)
  const innerWidth = PLOT_WIDTH - MARGIN.left - MARGIN.right
  const innerHeight = PLOT_HEIGHT - MARGIN.top - MARGIN.bottom
  return {
    x: (index: number) => MARGIN.left + (count === 1 ? innerWidth / 2 : (index / (count - 1)) * innerWidth),
    y: (value: number) => MARGIN.top + innerHeight - ((value - min) / (max - min)) * innerHeight,
    min,
    max,
  }
}

function axes(s: Scale, rounds: readonly ReportRound[], format: (value: number) => string, title: string): string {
  const parts: string[] = []
  const bottom = PLOT_HEIGHT - MARGIN.bottom
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}"/>`)
  parts.push(`<line class="axis" x1="${MARGIN.left}" y1="${bottom}" x2="${PLOT_WIDTH - MARGIN.right}" y2="${bottom}"/>`)
  const ticks = s.min < 0 ? [s.min / 1.08, 0, s.max / 1.08] : [0, s.max / 2.16, s.max / 1.08]
  for (const tick of ticks) {
    const y = number(s.y(tick))
    parts.push(`<line class="grid" x1="${MARGIN.left}" y1="${y}" x2="${PLOT_WIDTH - MARGIN.right}" y2="${y}"/>`)
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(format(tick))}</text>`)
  }
  rounds.forEach((round, index) => {
    parts.push(
      `<text class="tick" x="${number(s.x(index))}" y="${bottom + 14}" text-anchor="middle">${escapeHtml(round.round)}${round.counted ? '*' : ''}</text>`,
    )
  })
  parts.push(`<text class="label" x="${MARGIN.left}" y="${PLOT_HEIGHT - 2}">round (* counted)</text>`)
  parts.push(`<text class="label" x="${PLOT_WIDTH - MARGIN.right}" y="${MARGIN.top - 3}" text-anchor="end">${escapeHtml(title)}</text>`)
  return parts.join('')
}

/** The heap plot: growth per call by round, the floor as a dashed line, counted rounds filled. */
export function heapPlot(check: ReportCheck): string {
  const rounds = check.rounds
  const floor = check.floor ?? 16
  const values = rounds.map((round) => round.heapPerCall)
  const s = scale(rounds, values, floor)
  const parts: string[] = []
  parts.push(axes(s, rounds, (value) => formatBytes(value), 'heap growth per call (bytes)'))
  const floorY = number(s.y(floor))
  parts.push(`<line class="floor" x1="${MARGIN.left}" y1="${floorY}" x2="${PLOT_WIDTH - MARGIN.right}" y2="${floorY}"/>`)
  parts.push(`<text class="floor-label" x="${PLOT_WIDTH - MARGIN.right}" y="${number(s.y(floor) - 4)}" text-anchor="end">floor ${escapeHtml(formatBytes(floor))}/call</text>`)
  if (rounds.length > 0) {
    const points = rounds.map((_, index) => `${number(s.x(index))},${number(s.y(values[index]!))}`).join(' ')
    parts.push(`<polyline class="heap-line" points="${points}"/>`)
    rounds.forEach((round, index) => {
      const above = round.heapPerCall >= floor
      parts.push(
        `<circle class="heap-point${round.counted ? ' counted' : ''}${above ? ' above' : ''}" cx="${number(s.x(index))}" cy="${number(s.y(values[index]!))}" r="5">` +
          `<title>round ${escapeHtml(round.round)}: ${escapeHtml(formatBytes(round.heapPerCall))} per call over ${escapeHtml(round.calls)} calls</title></circle>`,
      )
    })
  } else {
    parts.push(`<text class="label" x="${PLOT_WIDTH / 2}" y="${PLOT_HEIGHT / 2}" text-anchor="middle">no rounds measured</text>`)
  }
  return (
    `<svg class="plot heap-plot" role="img" aria-label="heap growth per call by round" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" ` +
    `viewBox="0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`
  )
}

/** Keys of count signals that changed in some round, and the leaked ones even when they did not. */
function countKeys(check: ReportCheck): string[] {
  const keys = new Set<string>()
  for (const leak of check.leaks) if (leak.key !== 'heap') keys.add(leak.key)
  for (const round of check.rounds) for (const [key, delta] of Object.entries(round.counts)) if (delta !== 0) keys.add(key)
  return [...keys].sort().slice(0, SERIES_COLOURS.length)
}

/** The other signals' plot: items per call by round, one line per signal; `''` when none moved. */
export function signalsPlot(check: ReportCheck): string {
  const keys = countKeys(check)
  if (keys.length === 0 || check.rounds.length === 0) return ''
  const series = keys.map((key) => check.rounds.map((round) => (round.calls > 0 ? (round.counts[key] ?? 0) / round.calls : 0)))
  const s = scale(check.rounds, series.flat(), 0.5)
  const parts: string[] = [axes(s, check.rounds, (value) => formatPerCall(value), 'other signals: items per call')]
  keys.forEach((key, k) => {
    const colour = SERIES_COLOURS[k]!
    const points = series[k]!.map((value, index) => `${number(s.x(index))},${number(s.y(value))}`).join(' ')
    parts.push(`<polyline class="signal-line" stroke="${colour}" points="${points}"/>`)
    series[k]!.forEach((value, index) => {
      parts.push(
        `<circle class="signal-point" fill="${colour}" cx="${number(s.x(index))}" cy="${number(s.y(value))}" r="4">` +
          `<title>${escapeHtml(key)}, round ${escapeHtml(check.rounds[index]!.round)}: ${escapeHtml(formatPerCall(value))} per call</title></circle>`,
      )
    })
    parts.push(
      `<rect x="${MARGIN.left + 8}" y="${MARGIN.top + 14 + k * 14}" width="10" height="10" fill="${colour}"/>` +
        `<text class="legend" x="${MARGIN.left + 22}" y="${MARGIN.top + 23 + k * 14}">${escapeHtml(key)}</text>`,
    )
  })
  return (
    `<svg class="plot signals-plot" role="img" aria-label="other signals per call by round" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" ` +
    `viewBox="0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`
  )
}

function roundsTable(check: ReportCheck): string {
  if (check.rounds.length === 0) return ''
  const rows = check.rounds
    .map((round) => {
      const others = Object.entries(round.counts)
        .filter(([, delta]) => delta !== 0)
        .map(([key, delta]) => `${key} ${delta > 0 ? '+' : ''}${delta}`)
        .join(', ')
      return (
        `<tr${round.counted ? ' class="counted"' : ''}><td>${escapeHtml(round.round)}${round.counted ? '*' : ''}</td>` +
        `<td>${escapeHtml(round.calls)}</td><td>${escapeHtml(formatBytes(round.heapPerCall))}</td><td>${escapeHtml(others || '-')}</td></tr>`
      )
    })
    .join('')
  return `<table class="rounds"><thead><tr><th>round</th><th>calls</th><th>heap/call</th><th>other signals</th></tr></thead><tbody>${rows}</tbody></table>`
}

/** The count schedule's readings, when it decided: each count relative to the baseline after each checkpoint. */
function checkpointsTable(check: ReportCheck): string {
  const checkpoints = check.checkpoints
  if (checkpoints === undefined) return ''
  const head = checkpoints.calls.map((calls) => `<th>${escapeHtml(calls)}</th>`).join('')
  const rows = Object.entries(checkpoints.counts)
    .map(([key, values]) => `<tr><td>${escapeHtml(key)}</td>${values.map((value) => `<td>${escapeHtml(value > 0 ? `+${value}` : value)}</td>`).join('')}</tr>`)
    .join('')
  const released = Object.entries(check.released ?? {})
    .map(([key, count]) => `${escapeHtml(count)} ${escapeHtml(key)}`)
    .join(', ')
  return (
    `<table class="rounds checkpoints"><caption>decided by the count schedule${check.failure ? `; call ${escapeHtml(check.failure.call)} failed: ${escapeHtml(check.failure.message)}` : ''}</caption>` +
    `<thead><tr><th>after call</th>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    (released ? `<p class="released">released after the verdict: ${released}</p>` : '')
  )
}

function checkSection(check: ReportCheck, index: number, total: number): string {
  const facts = [
    `${check.calls} calls`,
    `${check.gcs} GCs`,
    formatDuration(check.durationMs),
    ...(check.callsPerRound !== undefined ? [`${check.callsPerRound} calls in round 1`] : []),
    ...(check.gc !== undefined ? [`gc ${check.gc}`] : []),
    ...(check.async ? ['async'] : []),
    ...(check.floor !== undefined ? [`floor ${formatBytes(check.floor)}/call`] : []),
  ]
  const leaks = check.leaks
    .map((leak) => `<li>${escapeHtml(leak.key)}: ${escapeHtml(leak.key === 'heap' ? formatBytes(leak.perCall) : formatPerCall(leak.perCall))} per call</li>`)
    .join('')
  return [
    `<section class="check verdict-${escapeHtml(check.verdict)}">`,
    `<h3>${total > 1 ? `Check ${index + 1} of ${total}: ` : ''}${check.source === 'hook' ? 'the test run as a leak check' : 'expect(fn).toLeak()'} · <span class="verdict">${escapeHtml(check.verdict)}</span></h3>`,
    `<p class="reason">${escapeHtml(check.reason)}${check.cause ? ` (${escapeHtml(check.cause)})` : ''}</p>`,
    leaks ? `<ul class="leaks">${leaks}</ul>` : '',
    `<div class="plots">${heapPlot(check)}${signalsPlot(check)}</div>`,
    `<p class="facts">${facts.map(escapeHtml).join(' · ')}</p>`,
    knownList(check),
    `<details${check.verdict === 'clean' ? '' : ' open'}><summary>Rounds</summary>${roundsTable(check)}${checkpointsTable(check)}</details>`,
    check.diagnosis ? `<h4>Diagnosis</h4><pre class="diagnosis">${escapeHtml(check.diagnosis)}</pre>` : '',
    '</section>',
  ].join('')
}

/** The known leaks that explained growth in a check (reported, not failed). */
function knownList(check: ReportCheck): string {
  const items = (check.known ?? []).map((match) => {
    const what = match.kinds
      .map((kind) => (match.signal === 'heap' ? `${kind.name} ${formatPerCall(kind.perCall)}/call · ${formatBytes(kind.bytesPerCall)}/call` : `${kind.perCall} ${kind.name}`))
      .join(', ')
    return `<li>${escapeHtml(knownLeakLabel(match))}: ${escapeHtml(match.signal)} — ${escapeHtml(what)}${match.description ? `<br><small>${escapeHtml(match.description)}</small>` : ''}</li>`
  })
  return items.length === 0 ? '' : `<h4>Known leaks (reported, not failed)</h4><ul class="known">${items.join('')}</ul>`
}

/** The user's rules that matched nothing in the run. */
function unmatchedList(report: LeakspecReport): string {
  const rules = report.unmatchedRules ?? []
  if (rules.length === 0) return ''
  const items = rules.map((entry) => `<li>${escapeHtml(entry.rule)} (in force in ${entry.checks} check${entry.checks === 1 ? '' : 's'})</li>`)
  return `<section class="unmatched"><h2>Ignore rules and known-leak entries that matched nothing</h2><p>Stale? Remove or update them.</p><ul>${items.join('')}</ul></section>`
}

function testSection(test: ReportTest, id: number): string {
  const verdict = testVerdict(test)
  const meta = [
    test.project ? `project ${test.project}` : '',
    `test ${test.status}`,
    test.durationMs !== undefined ? formatDuration(test.durationMs) : '',
    test.shard ? `shard ${test.shard}` : '',
    test.hook ? `run as a leak check: ${test.hook.status}, ${test.hook.repetitions} repetitions${test.hook.failedAt ? `, failed at ${test.hook.failedAt}` : ''}` : '',
  ].filter((part) => part !== '')
  return [
    `<article class="test verdict-${escapeHtml(verdict)}" id="test-${id}">`,
    `<h2><span class="badge">${escapeHtml(verdict)}</span> <span class="name">${escapeHtml(test.name)}</span></h2>`,
    `<p class="file">${escapeHtml(test.file)}${meta.length ? ` · ${meta.map(escapeHtml).join(' · ')}` : ''}</p>`,
    test.checks.map((check, index) => checkSection(check, index, test.checks.length)).join(''),
    '</article>',
  ].join('')
}

const STYLE = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#f8fafc}
body{margin:0;padding:24px 32px;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 4px}h3{font-size:14px;margin:12px 0 4px}h4{font-size:13px;margin:10px 0 4px}
.sub{color:#64748b;margin:0 0 16px;font-size:13px}
table{border-collapse:collapse;font-size:13px}th,td{padding:3px 10px;text-align:right;border-bottom:1px solid #e2e8f0}
th:first-child,td:first-child,td.name{text-align:left}
table.summary{margin:0 0 24px;background:#fff}
.test{background:#fff;border:1px solid #e2e8f0;border-left:6px solid #16a34a;border-radius:6px;padding:14px 18px;margin:0 0 18px}
.test.verdict-leak,.test.verdict-failed,.test.verdict-error{border-left-color:#dc2626}
.test.verdict-inconclusive{border-left-color:#ca8a04}
.badge{display:inline-block;font-size:12px;text-transform:uppercase;padding:1px 8px;border-radius:10px;background:#dcfce7;color:#166534}
.verdict-leak .badge,.verdict-failed .badge,.verdict-error .badge{background:#fee2e2;color:#991b1b}
.verdict-inconclusive .badge{background:#fef9c3;color:#854d0e}
.file,.facts,.reason{color:#475569;font-size:13px;margin:2px 0}
.name{word-break:break-word}
.plots{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0}
svg.plot{background:#fff;border:1px solid #e2e8f0}
.axis{stroke:#334155;stroke-width:1}.grid{stroke:#e2e8f0;stroke-width:1}
.tick,.label,.legend{font-size:11px;fill:#475569}
.floor{stroke:#dc2626;stroke-width:1.5;stroke-dasharray:6 4}.floor-label{font-size:11px;fill:#dc2626}
.heap-line{fill:none;stroke:#2563eb;stroke-width:2}
.heap-point{fill:#fff;stroke:#2563eb;stroke-width:2}.heap-point.counted{fill:#2563eb}.heap-point.counted.above{fill:#dc2626;stroke:#dc2626}
.signal-line{fill:none;stroke-width:2}
pre.diagnosis{background:#0f172a;color:#e2e8f0;padding:10px 12px;border-radius:4px;overflow:auto;font-size:12px;white-space:pre-wrap}
tr.counted td{font-weight:600}
summary{cursor:pointer;font-size:13px;color:#334155}
`

/**
 * Renders the report as one self-contained HTML page.
 * @returns the HTML text
 */
export function renderHtml(report: LeakspecReport): string {
  const summary = report.summary
  const sources = report.sources
    .map((source) => `${source.runner}${source.runnerVersion ? ` ${source.runnerVersion}` : ''}${source.shard ? ` (shard ${source.shard})` : ''}`)
    .join(', ')
  const rows = report.tests
    .map((test, id) => {
      const verdict = testVerdict(test)
      const heap = test.checks.length ? formatBytes(Math.max(...test.checks.map((check) => check.heapPerCall))) : '-'
      const calls = test.checks.reduce((sum, check) => sum + check.calls, 0)
      const time = test.checks.reduce((sum, check) => sum + check.durationMs, 0)
      return (
        `<tr class="verdict-${escapeHtml(verdict)}"><td class="name"><a href="#test-${id}">${escapeHtml(test.name)}</a><br><small>${escapeHtml(test.file)}</small></td>` +
        `<td><span class="badge">${escapeHtml(verdict)}</span></td><td>${escapeHtml(heap)}</td>` +
        `<td>${escapeHtml(formatPerCall(Math.max(0, ...test.checks.map((check) => check.handlesPerCall))))}</td>` +
        `<td>${escapeHtml(formatPerCall(Math.max(0, ...test.checks.map((check) => check.listenersPerCall))))}</td>` +
        `<td>${escapeHtml(calls)}</td><td>${escapeHtml(formatDuration(time))}</td></tr>`
      )
    })
    .join('')
  const headline =
    `${summary.checks} leak check${summary.checks === 1 ? '' : 's'} in ${summary.tests} test${summary.tests === 1 ? '' : 's'}: ` +
    `${summary.leak} leak, ${summary.clean} clean` +
    (summary.inconclusive ? `, ${summary.inconclusive} inconclusive` : '') +
    (summary.failedBeforeVerdict ? `, ${summary.failedBeforeVerdict} failed before a verdict` : '')
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>leakspec report: ${escapeHtml(headline)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>leakspec report</h1>`,
    `<p class="sub">${escapeHtml(headline)} · ${escapeHtml(report.createdAt)} · ${escapeHtml(sources || 'no runs')} · leakspec ${escapeHtml(report.leakspecVersion)} · schema ${escapeHtml(report.schemaVersion)}</p>`,
    report.tests.length === 0
      ? '<p>No test ran a leak check.</p>'
      : `<table class="summary"><thead><tr><th>test</th><th>verdict</th><th>heap/call</th><th>handles/call</th><th>listeners/call</th><th>calls</th><th>time</th></tr></thead><tbody>${rows}</tbody></table>`,
    report.tests.map((test, id) => testSection(test, id)).join('\n'),
    unmatchedList(report),
    '</body></html>',
    '',
  ].join('\n')
}
