// Runs the file-limit example (examples/run.mjs calls it): Vitest on this folder under
// `ulimit -n 256`, then checks that the buggy client's test failed as a leak decided by the count
// schedule, with the release line, and that the other tests passed. Exits non-zero otherwise.
// Run: npm run build && node examples/file-limit/run.mjs
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(dirname(here))
const scratch = mkdtempSync(join(tmpdir(), 'leakspec-file-limit-'))
const report = join(scratch, 'report.json')
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
console.log('$ ulimit -n 256 && npx vitest run --config vitest.config.ts\n')
const result = spawnSync(
  'bash',
  ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, vitest, 'run', '--config', 'vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
  { cwd: here, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
)
process.stdout.write(result.stdout)
process.stderr.write(result.stderr)

let tests = []
try {
  tests = JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((file) => file.assertionResults)
} catch (error) {
  console.error(`no results file: ${error.message}`)
}
rmSync(scratch, { recursive: true, force: true })
const find = (pattern) => tests.find((test) => pattern.test(test.title))
const leaky = find(/buggy client/)
const message = (leaky?.failureMessages ?? []).join('\n')
const checks = [
  ['the buggy client fails as a leak of sockets', leaky?.status === 'failed' && /Expected the function not to leak, but each call leaves about .*TCPSocketWrap handles? open/.test(message)],
  ['decided by the count schedule within 64 calls, not by EMFILE', /decided by the count schedule/.test(message) && Number(/^(\d+) calls · /m.exec(message)?.[1]) <= 64 && !/EMFILE/.test(message)],
  ['the leaked sockets were released', /^Released after the verdict, so that the next test can open and connect again: \d+ TCPSocketWrap handles/m.test(message)],
  ['the next test still connects', find(/the next test can still connect/)?.status === 'passed'],
  ['the fixed client passes', find(/fixed client/)?.status === 'passed'],
]
let problems = 0
for (const [title, ok] of checks) {
  console.log(`${ok ? '✓' : '✗'} file limit: ${title}${ok ? '' : ' — UNEXPECTED'}`)
  if (!ok) problems++
}
process.exit(problems > 0 ? 1 : 0)
