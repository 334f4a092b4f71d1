// Runs the Mocha example (examples/run.mjs calls it): installs Mocha into tool/ from its lock file
// when missing, runs `mocha` here with the spec reporter, and checks that the leaky test failed with
// the leak message and the others passed. Exits non-zero otherwise.
// Run: npm run build && node examples/mocha/run.mjs
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const tool = join(here, 'tool')
if (!existsSync(join(tool, 'node_modules', 'mocha', 'package.json'))) {
  console.log('installing Mocha into examples/mocha/tool (npm ci)…')
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const installed = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: tool, stdio: 'inherit', shell: process.platform === 'win32' })
  if (installed.status !== 0) process.exit(installed.status ?? 1)
}

console.log('$ mocha   (examples/mocha/.mocharc.json: spec *.test.mjs, timeout 60 s, --expose-gc)\n')
const result = spawnSync(process.execPath, [join(tool, 'node_modules', 'mocha', 'bin', 'mocha.js')], {
  cwd: here,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
})
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)

const output = result.stdout
const checks = [
  ['the leaky test fails with the leak message', /1\) lookup\s+an unbounded lookup leaks \(fails on purpose\):\s+LeakError: assertNoLeaks\(fn\)\s+Expected the function not to leak/.test(output)],
  ['the bounded lookup passes', /✔ a bounded lookup does not leak/.test(output)],
  ['measureLeaks reports clean', /✔ measureLeaks returns the verdict as data/.test(output)],
  ['one failure in all', result.status === 1 && /2 passing[\s\S]*1 failing/.test(output)],
]
let problems = 0
for (const [title, ok] of checks) {
  console.log(`${ok ? '✓' : '✗'} mocha: ${title}${ok ? '' : ' — UNEXPECTED'}`)
  if (!ok) problems++
}
process.exit(problems > 0 ? 1 : 0)
