/**
 * One run of the resource benchmark in a fresh process: one leaky function of one kind, checked by
 * `measureLeaks` with the default options through the built `dist/` (or the snapshot that run.mjs
 * passes in LEAKSPEC_BENCH_DIST). Prints one JSON line on stdout.
 *
 *   node --expose-gc bench/resources/child.mjs --pair <bundle of cases.ts> <pair name>
 *   node --expose-gc bench/resources/child.mjs --pg <leaky|clean> <host> <port> <user>
 *
 * The pg functions: leaky keeps one connected pg.Client per call; clean checks out a client of a
 * pg.Pool of max 5, runs `SELECT 1` and releases it (a bounded pool that fills up in the first calls).
 */
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'

const [mode, ...rest] = process.argv.slice(2)
const dist = process.env.LEAKSPEC_BENCH_DIST ? pathToFileURL(`${process.env.LEAKSPEC_BENCH_DIST}/`) : new URL('../../dist/', import.meta.url)
const { measureLeaks } = await import(new URL('index.js', dist).href)

let fn
if (mode === '--pair') {
  const [bundle, name] = rest
  const { cases, startEcho } = await import(pathToFileURL(bundle).href)
  const pair = cases.find((candidate) => candidate.name === name)
  if (!pair) throw new Error(`bench/resources: no resource pair named ${name}`)
  await startEcho()
  fn = pair.leaky
} else if (mode === '--pg') {
  // pg is installed in test/envs/resources (test/envs/install.mjs resources).
  const require = createRequire(new URL('../../test/envs/resources/package.json', import.meta.url))
  const pg = require('pg')
  const [variant, host, port, user] = rest
  const config = { host, port: Number(port), user, database: 'postgres' }
  if (variant === 'leaky') {
    const kept = []
    fn = async () => {
      const client = new pg.Client(config)
      kept.push(client)
      await client.connect()
    }
  } else {
    const pool = new pg.Pool({ ...config, max: 5 })
    fn = async () => {
      const client = await pool.connect()
      await client.query('SELECT 1')
      client.release()
    }
  }
} else {
  throw new TypeError('bench/resources/child.mjs: the first argument is --pair or --pg')
}

const started = performance.now()
let out
try {
  const report = await measureLeaks(fn)
  out = {
    verdict: report.verdict,
    decidedBy: report.verdict === 'leak' ? (report.decidedBy ?? 'rounds') : undefined,
    cause: report.verdict === 'inconclusive' ? report.cause : undefined,
    reason: report.reason,
    calls: report.calls,
    gcs: report.gcs,
    durationMs: report.durationMs,
    wallMs: performance.now() - started,
    leaks: report.verdict === 'leak' ? report.leaks.map((signal) => ({ key: signal.key, perCall: signal.perCall })) : [],
    failure: report.verdict === 'leak' ? report.failure : undefined,
    released: report.verdict === 'leak' ? report.released : undefined,
  }
} catch (error) {
  out = { error: { code: error?.code ?? error?.name ?? 'ERROR', message: String(error?.message ?? error).slice(0, 500) } }
}
out.node = process.version
process.stdout.write(JSON.stringify(out) + '\n')
// Leaky functions leave servers, sockets and children behind on purpose: exit explicitly.
process.exit(0)
