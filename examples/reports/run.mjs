// Runs the report examples and checks what they leave: the summary table in the output, the JSON,
// and an HTML file whose screenshot in headless chromium shows the plots.
//
//   1. Vitest, split in two shards (blob reporter), merged with `vitest --merge-reports`;
//   2. Jest, one run with leakspec/jest-reporter.
//
// Exits non-zero when something is missing. Without Debian's chromium the screenshots are skipped
// (with CI=true that is an error: `apt-get install -y chromium`).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const scratch = mkdtempSync(join(tmpdir(), 'leakspec-report-examples-'))
const CHROMIUM = '/usr/bin/chromium'
let problems = 0

function check(ok, what) {
  if (!ok) problems++
  console.log(`${ok ? '✓' : '✗'} ${what}`)
}

function run(name, cwd, args, env = {}) {
  console.log(`\n$ ${Object.entries(env).map(([k, v]) => `${k}=${v} `).join('')}node ${args.map((a) => a.replace(`${root}/`, '')).join(' ')}`)
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } })
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  return { ...result, output: result.stdout + result.stderr, name }
}

/** The table rows printed after a run: `[test, verdict]`. */
function tableRows(output) {
  const lines = output.split('\n')
  const start = lines.findIndex((line) => /^leakspec: \d+ leak checks? in \d+ tests?:/.test(line))
  if (start === -1) return []
  const rows = []
  for (const line of lines.slice(start + 2)) {
    const match = /^ (.+?)\s{2,}(LEAK|clean|INCONCLUSIVE|FAILED|ERROR)\s/.exec(line)
    if (!match) break
    rows.push([match[1], match[2]])
  }
  return rows
}

/** Opens the HTML in chromium, saves a screenshot, and measures the plots in it. */
async function screenshot(html, png) {
  if (!existsSync(CHROMIUM)) {
    const message = `chromium is not installed (${CHROMIUM}); apt-get install -y chromium`
    if (process.env.CI === 'true') check(false, `screenshot of ${html}: ${message}`)
    else console.log(`- screenshot skipped: ${message}`)
    return
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors = []
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()))
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(pathToFileURL(html).href)
    await page.screenshot({ path: png, fullPage: true })
    const plots = await page.locator('svg.plot').all()
    let drawn = 0
    for (const plot of plots) {
      const box = await plot.boundingBox()
      const image = await plot.screenshot()
      const coloured = await countColoured(browser, image)
      if (box && box.width > 400 && box.height > 150 && coloured > 200) drawn++
    }
    check(errors.length === 0, `the page loads without console errors${errors.length ? `: ${errors.join('; ')}` : ''}`)
    check(plots.length > 0 && drawn === plots.length, `screenshot ${png}: ${drawn} of ${plots.length} plots drawn (box and coloured marks)`)
  } finally {
    await browser.close()
  }
}

async function countColoured(browser, png) {
  const page = await browser.newPage()
  try {
    return await page.evaluate(async (url) => {
      const image = new Image()
      image.src = url
      await image.decode()
      const canvas = document.createElement('canvas')
      canvas.width = image.width
      canvas.height = image.height
      const context = canvas.getContext('2d')
      context.drawImage(image, 0, 0)
      const data = context.getImageData(0, 0, image.width, image.height).data
      let coloured = 0
      for (let i = 0; i < data.length; i += 4) {
        if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 80) coloured++
      }
      return coloured
    }, `data:image/png;base64,${png.toString('base64')}`)
  } finally {
    await page.close()
  }
}

function expectReport(dir, runner, tests) {
  const path = join(dir, 'leakspec-report.json')
  let report
  try {
    report = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    check(false, `${path}: ${error.message}`)
    return
  }
  check(report.schemaVersion === 1 && report.sources.some((source) => source.runner === runner), `${path}: schema 1, from ${runner}`)
  check(report.tests.length === tests, `${path}: ${report.tests.length} tests with leak checks (expected ${tests})`)
  const leaks = report.tests.filter((test) => test.checks.some((c) => c.verdict === 'leak')).map((test) => test.name)
  check(
    leaks.length === 2 && leaks.some((name) => /buggy lookup/.test(name)) && leaks.some((name) => /subscribing per request/.test(name)),
    `${path}: the two leaks first (${leaks.join(', ')})`,
  )
  check(existsSync(join(dir, 'leakspec-report.html')), `${join(dir, 'leakspec-report.html')} written`)
}

// 1. Vitest in two shards, merged.
const vitestDir = join(here, 'vitest')
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const blobs = join(scratch, 'blobs')
rmSync(join(vitestDir, 'leakspec-report'), { recursive: true, force: true })
console.log('\n━━━ reports: Vitest, two shards merged ━━━')
for (const index of [1, 2]) {
  const shard = run(`vitest shard ${index}`, vitestDir, [vitest, 'run', `--shard=${index}/2`, '--reporter=blob', `--outputFile.blob=${join(blobs, `blob-${index}.json`)}`])
  check(tableRows(shard.output).length > 0, `shard ${index}/2 printed its table`)
  check(existsSync(join(vitestDir, 'leakspec-report', `leakspec-report-shard-${index}-of-2.json`)), `shard ${index}/2 wrote leakspec-report-shard-${index}-of-2.json`)
}
const merged = run('vitest --merge-reports', vitestDir, [vitest, 'run', `--merge-reports=${blobs}`])
const vitestRows = tableRows(merged.output)
check(vitestRows.length === 5 && vitestRows.filter(([, verdict]) => verdict === 'LEAK').length === 2, `merged run printed the table: ${vitestRows.length} checks, 2 leaks`)
expectReport(join(vitestDir, 'leakspec-report'), 'vitest', 5)
await screenshot(join(vitestDir, 'leakspec-report', 'leakspec-report.html'), join(vitestDir, 'leakspec-report', 'screenshot.png'))

// 2. Jest, one run.
const jestDir = join(here, 'jest')
rmSync(join(jestDir, 'leakspec-report'), { recursive: true, force: true })
console.log('\n━━━ reports: Jest ━━━')
const jest = run('jest', jestDir, ['--expose-gc', join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '-c', 'jest.config.cjs', '--runInBand'])
const jestRows = tableRows(jest.output)
check(jestRows.length === 5 && jestRows.filter(([, verdict]) => verdict === 'LEAK').length === 2, `Jest printed the table: ${jestRows.length} checks, 2 leaks`)
expectReport(join(jestDir, 'leakspec-report'), 'jest', 5)
await screenshot(join(jestDir, 'leakspec-report', 'leakspec-report.html'), join(jestDir, 'leakspec-report', 'screenshot.png'))

rmSync(scratch, { recursive: true, force: true })
if (problems > 0) {
  console.error(`\nreports: ${problems} check(s) failed.`)
  process.exit(1)
}
console.log('\nreports: tables, JSON and HTML with plots, for Vitest (two shards merged) and Jest.')
