#!/usr/bin/env node
/**
 * Repeats the hook integration tests in fresh processes and tallies every fixture test's outcome
 * across the runs (verdicts are statistics: one run proves little).
 *
 * Usage: node test/integration/hook-stability.mjs [runs] [vitest|jest ...]   (default: 5 runs, both)
 * Prints, per environment and fixture test, how often it passed and failed, and how many
 * integration runs passed. Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const runs = Number(process.argv[2] ?? 5)
const runners = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['vitest', 'jest']
const envs = { vitest: ['vitest4', 'vitest5'], jest: ['jest29', 'jest30'] }
const tally = new Map()
let green = 0
for (let run = 1; run <= runs; run++) {
  const files = runners.map((runner) => `test/integration/hook-${runner}.test.ts`)
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  if (result.status === 0) green++
  else {
    const failing = (result.stdout + result.stderr).split('\n').filter((line) => /^\s*(×|FAIL)\s/.test(line) || /AssertionError/.test(line))
    console.log(failing.slice(0, 12).join('\n'))
    const saved = join(tmpdir(), `leakspec-hook-stability-run-${run}.txt`)
    writeFileSync(saved, result.stdout + result.stderr)
    console.log(`(full output: ${saved})`)
  }
  for (const runner of runners) {
    for (const env of envs[runner]) {
      for (const work of [`hook-${runner}`, `hook-${runner}-all`]) {
        // The harness names work dirs <name>-<pid>: take this run's (the newest).
        const parent = join(root, 'test', 'envs', env, 'work')
        const dirs = existsSync(parent)
          ? readdirSync(parent).filter((entry) => entry === work || new RegExp(`^${work}-\\d+$`).test(entry))
          : []
        const newest = dirs.sort((a, b) => statSync(join(parent, b)).mtimeMs - statSync(join(parent, a)).mtimeMs)[0]
        if (newest === undefined) continue
        const file = join(parent, newest, 'report.json')
        if (!existsSync(file)) continue
        const report = JSON.parse(readFileSync(file, 'utf8'))
        for (const testFile of report.testResults) {
          for (const test of testFile.assertionResults) {
            const key = `${env} ${work.endsWith('-all') ? '[LEAKSPEC=all] ' : ''}${test.fullName}`
            const entry = tally.get(key) ?? { passed: 0, failed: 0, verdicts: {} }
            entry[test.status === 'passed' ? 'passed' : 'failed']++
            // The check's own outcome (Vitest meta; Jest: from the failure text).
            const message = test.failureMessages?.[0] ?? ''
            const verdict =
              test.meta?.leakspecHook?.result?.status ??
              (/^LeakError/.test(message) ? 'leak' : /could not reach a verdict/.test(message) ? 'inconclusive' : test.status === 'passed' ? 'passed' : 'failed')
            entry.verdicts[verdict] = (entry.verdicts[verdict] ?? 0) + 1
            tally.set(key, entry)
          }
        }
      }
    }
  }
  console.log(`run ${run}/${runs}: integration ${result.status === 0 ? 'passed' : 'FAILED'}`)
}
console.log(`\nintegration runs passed: ${green}/${runs}\n`)
for (const [key, entry] of [...tally].sort()) {
  const verdicts = Object.entries(entry.verdicts).map(([name, count]) => `${name} ${count}`).join(', ')
  console.log(`${String(entry.passed).padStart(3)} passed ${String(entry.failed).padStart(3)} failed  ${key}  (${verdicts})`)
}
