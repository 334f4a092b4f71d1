// Runs the examples and checks that each one does what it shows: the leaky tests fail with a leak
// message, the clean ones pass. Exits non-zero when an example behaves otherwise.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const scratch = mkdtempSync(join(tmpdir(), 'leakspec-examples-'))
let problems = 0

/**
 * Each example: how to run it, and which tests are expected to fail (the rest must pass).
 * `report` is a Jest-style JSON results file (Vitest's json reporter writes the same shape).
 */
const examples = [
  {
    name: 'Vitest (plugin, sync/async/handles)',
    cwd: join(root, 'examples/vitest'),
    command: (report) => [
      process.execPath,
      [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    ],
    expectFail: [/buggy client/, /forgetting to stop/, /kept in a module-level array/],
  },
  {
    name: 'Jest (setupFilesAfterEnv, TypeScript through ts-jest)',
    cwd: join(root, 'examples/jest'),
    command: (report) => [
      process.execPath,
      ['--expose-gc', join(root, 'node_modules/jest/bin/jest.js'), '-c', 'jest.config.cjs', '--json', `--outputFile=${report}`],
    ],
    expectFail: [/buggy client leaks/, /forgetting to stop a poller/],
  },
  {
    name: 'an existing Vitest suite as a leak-check job (LEAKSPEC=all)',
    cwd: join(root, 'examples/hook/vitest'),
    env: { LEAKSPEC: 'all' },
    command: (report) => [
      process.execPath,
      [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    ],
    expectFail: [/closes a session/],
  },
  {
    name: 'an existing Jest suite as a leak-check job (LEAKSPEC=all)',
    cwd: join(root, 'examples/hook/jest'),
    env: { LEAKSPEC: 'all' },
    command: (report) => [
      process.execPath,
      ['--expose-gc', join(root, 'node_modules/jest/bin/jest.js'), '-c', 'jest.config.cjs', '--json', `--outputFile=${report}`],
    ],
    expectFail: [/closes a session/],
  },
]

/** Plain scripts: they must exit 0 and print these lines. */
const scripts = [
  {
    name: 'standalone (measureLeaks / assertNoLeaks)',
    args: ['--expose-gc', join(root, 'examples/standalone/measure.mjs')],
    expectOutput: [/^leaky: leak/m, /^clean: assertNoLeaks passed/m, /^leaky: assertNoLeaks threw LeakError/m],
  },
  {
    name: 'reports: table, JSON and HTML with plots (Vitest two shards merged, Jest)',
    args: [join(root, 'examples/reports/run.mjs')],
    expectOutput: [/^reports: tables, JSON and HTML with plots, for Vitest \(two shards merged\) and Jest\.$/m],
  },
  {
    name: 'node:test (assertNoLeaks / measureLeaks)',
    args: [join(root, 'examples/node-test/run.mjs')],
    expectOutput: [/^✓ node:test: the leaky test fails with the leak message/m, /^✓ node:test: the bounded lookup passes/m],
  },
  {
    name: 'DOM: a React component in jsdom and happy-dom (installs test/envs/dom from its lock file)',
    args: [join(root, 'examples/dom/run.mjs')],
    expectOutput: [
      /^✓ dom \(jsdom\): <BuggyWidth> fails/m,
      /^✓ dom \(jsdom\): <Width> passes/m,
      /^✓ dom \(happy-dom\): <BuggyWidth> fails/m,
      /^✓ dom \(happy-dom\): <Width> passes/m,
    ],
  },
  {
    name: 'Mocha (assertNoLeaks / measureLeaks; installs Mocha into examples/mocha/tool)',
    args: [join(root, 'examples/mocha/run.mjs')],
    expectOutput: [/^✓ mocha: the leaky test fails with the leak message/m, /^✓ mocha: the bounded lookup passes/m],
  },
  {
    name: 'known leaks, reported instead of failed (installs lodash.get, lodash.set and lodash into examples/known-leaks/tool)',
    args: [join(root, 'examples/known-leaks/run.mjs')],
    expectOutput: [/^✓ known leaks: lodash\.get 4\.4\.2 passes as a known leak/m, /^✓ known leaks: a leak of my own still fails/m],
  },
  {
    name: 'a socket leak caught under a low file limit (ulimit -n 256), released for the next test',
    args: [join(root, 'examples/file-limit/run.mjs')],
    expectOutput: [/^✓ file limit: decided by the count schedule within 64 calls, not by EMFILE/m, /^✓ file limit: the next test still connects/m],
  },
  {
    name: 'from a production leak to a regression test (docs/production-leak.md)',
    args: [join(root, 'examples/production-leak/walkthrough.mjs')],
    expectOutput: [/^✓ leakspec diff names Session/m, /^✓ the regression test fails/m, /^✓ after the fix the same test passes/m],
  },
  {
    name: 'Vitest Browser Mode in Chromium: a React component (installs test/envs/browser)',
    args: [join(root, 'examples/browser/run.mjs')],
    expectOutput: [/^(?:✓ browser: <LeakyWidth> fails|browser example skipped)/m],
  },
]

for (const script of scripts) {
  console.log(`\n━━━ example: ${script.name} ━━━\n$ node ${script.args.map((a) => a.replace(root + '/', '')).join(' ')}\n`)
  const result = spawnSync(process.execPath, script.args, { cwd: root, encoding: 'utf8' })
  process.stdout.write(result.stdout)
  process.stderr.write(result.stderr)
  const ok = result.status === 0 && script.expectOutput.every((pattern) => pattern.test(result.stdout))
  if (!ok) problems++
  console.log(`${ok ? '✓' : '✗'} ${script.name}${ok ? '' : ` — UNEXPECTED (exit ${result.status})`}`)
}

for (const example of examples) {
  const report = join(scratch, `${examples.indexOf(example)}.json`)
  const [command, args] = example.command(report)
  const envText = Object.entries(example.env ?? {}).map(([key, value]) => `${key}=${value} `).join('')
  console.log(`\n━━━ example: ${example.name} ━━━\n$ ${envText}${['node', ...args.map((a) => a.replace(root + '/', ''))].join(' ')}\n`)
  spawnSync(command, args, {
    cwd: example.cwd,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1', ...example.env },
  })
  let results
  try {
    results = JSON.parse(readFileSync(report, 'utf8'))
  } catch (error) {
    console.error(`✗ ${example.name}: no results file (${error.message})`)
    problems++
    continue
  }
  for (const file of results.testResults) {
    for (const test of file.assertionResults) {
      const shouldFail = example.expectFail.some((pattern) => pattern.test(test.title))
      const failed = test.status === 'failed'
      const message = (test.failureMessages ?? []).join('\n')
      const ok = shouldFail
        ? failed && /not to leak|to be garbage-collected, but it is still reachable/.test(message)
        : test.status === 'passed'
      if (!ok) problems++
      console.log(`${ok ? '✓' : '✗'} ${test.title}: ${shouldFail ? 'leak caught, as the example shows' : 'clean, passes'}${ok ? '' : ` — UNEXPECTED (${test.status})`}`)
    }
  }
}

rmSync(scratch, { recursive: true, force: true })
if (problems > 0) {
  console.error(`\n${problems} example check(s) did not behave as documented.`)
  process.exit(1)
}
console.log('\nAll examples behaved as documented: leaks caught, clean code passed.')
