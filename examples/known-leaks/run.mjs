// Runs the known-leaks example (examples/run.mjs calls it): installs lodash.get 4.4.2, lodash.set 4.3.2
// and lodash 4.17.21 into tool/ from its lock file when missing, runs check.mjs there, and checks that
// each case behaves as the README's "Known leaks" section says. Exits non-zero otherwise.
// Run: npm run build && node examples/known-leaks/run.mjs
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const tool = join(here, 'tool')
if (!existsSync(join(tool, 'node_modules', 'lodash.get', 'package.json'))) {
  console.log('installing the example packages into examples/known-leaks/tool (npm ci)…')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const installed = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: tool, stdio: 'inherit', shell: process.platform === 'win32' })
  if (installed.status !== 0) process.exit(installed.status ?? 1)
}

console.log('$ cd examples/known-leaks/tool && node --expose-gc ../check.mjs\n')
const result = spawnSync(process.execPath, ['--expose-gc', join(here, 'check.mjs')], { cwd: tool, encoding: 'utf8' })
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)
const output = result.stdout
const checks = [
  ['lodash.get 4.4.2 passes as a known leak', /^lodash\.get 4\.4\.2, built-in registry: passes \(every leaking signal \(heap\) is a known leak in lodash\.get@4\.4\.2\)\n {2}known leak in lodash\.get@4\.4\.2 \(https:\/\/github\.com\/lodash\/lodash\/issues\/3622\)$/m],
  ['without the registry it fails', /^lodash\.get 4\.4\.2, builtinKnownLeaks: false: fails$/m],
  ['lodash.set 4.3.2 passes as a known leak', /^lodash\.set 4\.3\.2, built-in registry: passes \(every leaking signal \(heap\) is a known leak in lodash\.set@4\.3\.2\)$/m],
  ['lodash 4.17.21 is clean', /^lodash 4\.17\.21 get: passes \(no signal grew/m],
  ['a declared known leak passes', /^performance\.mark, declared in knownLeaks: passes \(every leaking signal \(heap\) is a known leak in node@/m],
  ['a leak of my own still fails', /^performance\.mark and a leak of my own: fails\n {2}Known leaks \(reported, not failed\):\n {4}known leak in node@[\d.]+ \(https:\/\/nodejs\.org\/api\/perf_hooks\.html#performanceclearmarksname\) \[knownLeaks\]: heap — PerformanceMark 1 per call[\s\S]*still a leak/m],
]
let problems = result.status === 0 ? 0 : 1
for (const [title, pattern] of checks) {
  const ok = pattern.test(output)
  console.log(`${ok ? '✓' : '✗'} known leaks: ${title}${ok ? '' : ' — UNEXPECTED'}`)
  if (!ok) problems++
}
process.exit(problems > 0 ? 1 : 0)
