/**
 * The HTML report in a real browser (Debian's headless chromium): the page loads without console
 * errors or requests, the plots are drawn (boxes of the right size with coloured marks inside), and
 * a hostile test name is shown as text, never run. Without chromium: skipped with the reason, or,
 * under CI=true, failed with the apt line that installs it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildReport, toReportTest } from '../../src/report/build.js'
import { renderHtml } from '../../src/report/html.js'
import { chromiumStatus, renderReport } from '../integration/reports-chromium.js'
import { CLEAN, HEAP_LEAK, HOOK_FAILED, HOSTILE_NAME, LISTENER_LEAK } from '../fixtures/reports/records.js'

const status = chromiumStatus()
const inCi = process.env['CI'] === 'true'

describe('HTML report in headless chromium', () => {
  if (!status.available) {
    if (inCi) {
      it('needs chromium under CI=true', () => {
        expect.fail(status.reason)
      })
    } else {
      it.skip(`skipped: ${status.reason}`, () => {})
    }
    return
  }

  it('loads without errors or requests and shows every plot', async () => {
    const tests = [
      toReportTest({ file: 'clean.test.ts', titlePath: ['clean'], status: 'passed', checks: [CLEAN] })!,
      toReportTest({ file: 'heap.test.ts', titlePath: ['<b>bold & "quoted"</b>', HOSTILE_NAME], status: 'failed', checks: [LISTENER_LEAK] })!,
      toReportTest({ file: 'heap.test.ts', titlePath: ['heap leak'], status: 'failed', checks: [HEAP_LEAK] })!,
      toReportTest({ file: 'hook.test.ts', titlePath: ['flaky'], status: 'failed', hook: HOOK_FAILED })!,
    ]
    const dir = process.env['LEAKSPEC_SCREENSHOT_DIR'] ?? mkdtempSync(join(tmpdir(), 'leakspec-html-'))
    const html = join(dir, 'leakspec-report.html')
    writeFileSync(html, renderHtml(buildReport(tests, [{ runner: 'vitest', createdAt: new Date(0).toISOString() }])))
    const page = await renderReport(html, join(dir, 'leakspec-report.png'))

    expect(page.consoleMessages).toEqual([])
    expect(page.pageErrors).toEqual([])
    expect(page.requests).toEqual([])
    expect(page.scripts).toBe(0)
    expect(page.eventHandlers).toBe(0)
    expect(page.title).toMatch(/^leakspec report: 3 leak checks in 4 tests: 2 leak, 1 clean/)
    // Failing tests first, the hostile name shown as text.
    expect(page.names).toEqual(['<b>bold & "quoted"</b> > </script><img src=x onerror=alert(1)>', 'heap leak', 'flaky', 'clean'])
    // Heap plots of the 3 checks plus the listener check's signal plot.
    expect(page.plots.map((plot) => plot.kind)).toEqual(['heap-plot', 'signals-plot', 'heap-plot', 'heap-plot'])
    for (const plot of page.plots) {
      expect(plot.width).toBeGreaterThan(400)
      expect(plot.height).toBeGreaterThan(150)
      expect(plot.marks).toBeGreaterThan(5)
      // Axes, grid and text leave ink; the series and the floor leave colour.
      expect(plot.inkPixels / plot.totalPixels).toBeGreaterThan(0.01)
      expect(plot.colouredPixels).toBeGreaterThan(200)
    }
  })
})
