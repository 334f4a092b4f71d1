// The guide docs/production-leak.md, run end to end (examples/run.mjs runs it; build first):
//   1. take two heap snapshots of the app under traffic (take-snapshots.mjs)
//   2. `leakspec diff` them: Session grew, held by the `sessions` Map
//   3. the regression test (sessions.test.ts) fails on the code as found
//   4. the fix (sessions-fixed.mjs over sessions.mjs) makes it pass
// Steps 3 and 4 run on a copy of the example, so the files here stay as they are.
// Exits non-zero when a step does not behave as the guide shows.
// Run: npm run build && node examples/production-leak/walkthrough.mjs
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(dirname(here))
// Inside the repository, so that the copy resolves `leakspec` and `vitest` as the example does.
const scratch = join(root, '.leakspec-tmp', `production-leak-${process.pid}`)
rmSync(scratch, { recursive: true, force: true })
mkdirSync(scratch, { recursive: true })
let problems = 0

function step(title, ok, detail = '') {
  console.log(`${ok ? '✓' : '✗'} ${title}${ok ? '' : ` — UNEXPECTED${detail ? `: ${detail}` : ''}`}`)
  if (!ok) problems++
}

function run(args, cwd, env = {}) {
  const shown = args.map((arg) => (arg.startsWith(root) ? relative(cwd, arg) || '.' : arg))
  console.log(`\n$ node ${shown.join(' ')}\n`)
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } })
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  return result
}

try {
  // 1. Two snapshots of the app under traffic.
  const snapshots = join(scratch, 'snapshots')
  const taken = run([join(here, 'take-snapshots.mjs'), snapshots], here)
  step('two heap snapshots written', taken.status === 0)

  // 2. What grew between them, and who holds it.
  const diff = run([join(root, 'dist/cli/bin.js'), 'diff', join(snapshots, 'before.heapsnapshot'), join(snapshots, 'after.heapsnapshot')], here)
  step(
    'leakspec diff names Session, held by the sessions Map',
    diff.status === 0 && /^ {2}Session +500 +5,500 +\+5,000 /m.test(diff.stdout) && /sessions\.mjs\) › sessions: Map › entry › Session$/m.test(diff.stdout),
    `exit ${diff.status}`,
  )

  // 3. The regression test fails on the code as found in production.
  for (const file of ['sessions.mjs', 'sessions.test.ts', 'vitest.config.ts']) copyFileSync(join(here, file), join(scratch, file))
  const vitest = (report) => [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--config',
    'vitest.config.ts',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]
  const outcome = (report) => {
    try {
      const test = JSON.parse(readFileSync(report, 'utf8')).testResults[0].assertionResults[0]
      return { status: test.status, message: (test.failureMessages ?? []).join('\n') }
    } catch (error) {
      return { status: `no results (${error.message})`, message: '' }
    }
  }
  run(vitest(join(scratch, 'before-fix.json')), scratch, { FORCE_COLOR: process.env.FORCE_COLOR ?? '1' })
  const failing = outcome(join(scratch, 'before-fix.json'))
  step(
    'the regression test fails on the code as found, naming Session',
    failing.status === 'failed' && /not to leak, but each call leaves about 1 Session \(instances\)/.test(failing.message),
    failing.status,
  )

  // 4. The fix, and the same test passes.
  copyFileSync(join(here, 'sessions-fixed.mjs'), join(scratch, 'sessions.mjs'))
  run(vitest(join(scratch, 'after-fix.json')), scratch, { FORCE_COLOR: process.env.FORCE_COLOR ?? '1' })
  const passing = outcome(join(scratch, 'after-fix.json'))
  step('after the fix the same test passes', passing.status === 'passed', passing.status)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

if (problems > 0) {
  console.error(`\n${problems} step(s) of the production-leak walkthrough did not behave as the guide shows.`)
  process.exit(1)
}
console.log('\nproduction-leak walkthrough: snapshots → leakspec diff → failing test → fix → green.')
