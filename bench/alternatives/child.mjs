/**
 * One side-by-side run in a fresh process: loads one case, builds its function, runs ONE tool's
 * check on it and prints one JSON line: verdict, the check's wall time (ms, from the first call to the
 * verdict; module loading and process start-up excluded) and the process's peak RSS (MiB).
 *
 *   node --expose-gc bench/alternatives/child.mjs <tool> <calls> <case file>
 *   node --expose-gc bench/alternatives/child.mjs <tool> <calls> --pair <bundle> <pair name> <clean|leaky>
 *
 * LEAKSPEC_BENCH_DIST names the copy of dist/ leakspec is loaded from (run.mjs passes a snapshot).
 */
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { TOOLS } from './tools.mjs'

const [tool, callsText, ...rest] = process.argv.slice(2)
const check = TOOLS[tool]
if (!check) throw new TypeError(`alternatives: unknown tool ${tool}; one of ${Object.keys(TOOLS).join(', ')}`)
const dist = process.env.LEAKSPEC_BENCH_DIST ? pathToFileURL(`${resolve(process.env.LEAKSPEC_BENCH_DIST)}/`) : new URL('../../dist/', import.meta.url)

let out
let teardown = async () => {}
try {
  let fn
  let options
  if (rest[0] === '--pair') {
    const mod = await import(pathToFileURL(resolve(rest[1])).href)
    const pair = mod.cases.find((candidate) => candidate.name === rest[2])
    if (!pair) throw new Error(`no resource pair named ${rest[2]}`)
    await mod.startEcho()
    fn = pair[rest[3]]
    options = pair.options
    teardown = mod.teardown
  } else {
    const mod = await import(pathToFileURL(resolve(rest[0])).href)
    fn = mod.create()
  }
  // Load the tool's own modules before the clock starts (memlab's require takes ~0.3 s).
  if (tool === 'memlab') (await import('node:module')).createRequire(import.meta.url)('@memlab/core')
  const started = performance.now()
  const result = await check(fn, { calls: Number(callsText), options }, dist)
  out = { verdict: result.verdict, ms: performance.now() - started, detail: result.detail }
} catch (error) {
  out = { error: { code: error?.code ?? error?.name ?? 'ERROR', message: String(error?.message ?? error).slice(0, 500) } }
}
out.rssMiB = process.resourceUsage().maxRSS / 1024
process.stdout.write(JSON.stringify(out) + '\n')
// Leaky cases leave intervals, sockets and listeners behind on purpose: exit explicitly.
process.exit(0)
