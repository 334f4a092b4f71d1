// Runs the node:test example (examples/run.mjs calls it): `node --test` on this folder with the spec
// reporter, then checks that the leaky test failed with the leak message and the others passed.
// Exits non-zero otherwise.
// Run: npm run build && node examples/node-test/run.mjs
import { spawnSync } from 'node:child_process'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
console.log('$ node --test --test-reporter=spec cache.test.mjs\n')
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', 'cache.test.mjs'], {
  cwd: here,
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
})
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)

const output = result.stdout
const checks = [
  ['the leaky test fails with the leak message', /✖ an unbounded lookup leaks \(fails on purpose\)[\s\S]*Expected the function not to leak, but it leaks/.test(output)],
  ['the bounded lookup passes', /✔ a bounded lookup does not leak/.test(output)],
  ['measureLeaks reports clean', /✔ measureLeaks returns the verdict and the rounds as data/.test(output)],
  ['one failure in all', result.status === 1 && /ℹ pass 2\b[\s\S]*ℹ fail 1\b/.test(output)],
]
let problems = 0
for (const [title, ok] of checks) {
  console.log(`${ok ? '✓' : '✗'} node:test: ${title}${ok ? '' : ' — UNEXPECTED'}`)
  if (!ok) problems++
}
process.exit(problems > 0 ? 1 : 0)
