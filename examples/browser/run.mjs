// Runs the Browser Mode example in real Chromium: installs test/envs/browser (Vitest 4.1,
// @vitest/browser-playwright, React 19, Testing Library; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1), copies the
// example and the built leakspec next to it, runs `vitest run`, and checks that <LeakyWidth> fails with
// the listener leak, diagnosed by its add site (no heap snapshot; with { diagnose: 'full' } the snapshot
// too), and <Width> passes. Needs `npm run build` and /usr/bin/chromium.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
if (!existsSync('/usr/bin/chromium')) {
  console.log('browser example skipped: /usr/bin/chromium is not installed (apt-get install chromium)')
  process.exit(0)
}
const installed = spawnSync(process.execPath, [join(root, 'test/envs/install.mjs'), 'browser'], { stdio: 'inherit' })
if (installed.status !== 0) process.exit(1)
const env = join(root, 'test/envs/browser')
const work = join(env, 'work', `example-${process.pid}`)
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
for (const file of ['width.js', 'width.test.js', 'vitest.config.js']) cpSync(join(here, file), join(work, file))
cpSync(join(root, 'dist'), join(work, 'node_modules/leakspec/dist'), { recursive: true })
cpSync(join(root, 'package.json'), join(work, 'node_modules/leakspec/package.json'))
const report = join(work, 'report.json')
console.log('$ vitest run   (in examples/browser, Chromium)')
const result = spawnSync(process.execPath, [join(env, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], {
  cwd: work,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1' },
})
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)
let problems = 0
const tests = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((file) => file.assertionResults) : []
const leaky = tests.find((test) => /^mounting <LeakyWidth>/.test(test.title))
const full = tests.find((test) => /diagnose: full/.test(test.title))
const clean = tests.find((test) => /<Width> does not leak/.test(test.title))
const leakyMessage = (leaky?.failureMessages ?? []).join('\n')
if (leaky?.status === 'failed' && /'resize'.*listener/.test(leakyMessage) && /width\.js:9:\d+/.test(leakyMessage)) {
  console.log('✓ browser: <LeakyWidth> fails with its resize listener on window, added at width.js:9')
} else {
  problems++
  console.log(`✗ browser: <LeakyWidth> did not fail as documented (${leaky?.status ?? 'not run'})`)
}
if (/Diagnosis skipped: the page's heap snapshot .* was not taken/.test(leakyMessage) && !/^Diagnosis \(/m.test(leakyMessage)) {
  console.log('✓ browser: its add site is the diagnosis; the heap snapshot is not taken')
} else {
  problems++
  console.log('✗ browser: <LeakyWidth> was not diagnosed by its add site alone')
}
const fullMessage = (full?.failureMessages ?? []).join('\n')
if (full?.status === 'failed' && /^Diagnosis \(\d+ more calls with allocation tracking, then one heap snapshot; cdp/m.test(fullMessage)) {
  console.log("✓ browser: with { diagnose: 'full' } the heap snapshot is taken as well")
} else {
  problems++
  console.log(`✗ browser: { diagnose: 'full' } did not take the heap snapshot (${full?.status ?? 'not run'})`)
}
if (clean?.status === 'passed') console.log('✓ browser: <Width>, which removes its listener, passes')
else {
  problems++
  console.log(`✗ browser: <Width> did not pass (${clean?.status ?? 'not run'})`)
}
rmSync(work, { recursive: true, force: true })
process.exit(problems > 0 ? 1 : 0)
