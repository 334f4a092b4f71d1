// Helpers shared by the case files of the real-code corpus (bench/real/README.md). CommonJS, so the
// same case file runs unchanged in Vitest (globals) and in Jest.
const http = require('node:http')
const { spawn } = require('node:child_process')
const { join } = require('node:path')

/**
 * A loopback address of this process's own in 127.0.0.0/8 (never 127.0.0.1): the servers of many
 * runs at once then do not share one address's ports and TIME_WAIT slots. Linux routes 127/8 to lo.
 * @param {number} [seed] default this process's id
 * @returns {string}
 */
function loopbackAddress(seed = process.pid) {
  const a = 1 + ((seed >>> 16) % 254)
  const b = (seed >>> 8) & 255
  const c = 1 + ((seed & 255) % 254)
  return `127.${a}.${b}.${c}`
}

/** The response every corpus server sends: a small JSON body. */
const BODY = JSON.stringify({ ok: true, items: [1, 2, 3], name: 'leakspec real-code corpus' })

/** The request handler of every corpus HTTP server. */
function handle(request, response) {
  request.resume()
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) })
    response.end(BODY)
  })
}

/**
 * Starts an HTTP server in this process on a free port of {@link loopbackAddress}.
 * @returns {Promise<{ url: string, host: string, port: number, close: () => Promise<void> }>}
 */
function startLocalServer() {
  const host = loopbackAddress()
  const server = http.createServer(handle)
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = server.address()
      resolve({
        url: `http://${host}:${port}/`,
        host,
        port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.()
            server.close(() => done())
          }),
      })
    })
  })
}

/**
 * Starts the same HTTP server in a child Node process (cases/_server.cjs) and waits for its port.
 * @returns {Promise<{ url: string, host: string, port: number, close: () => Promise<void> }>}
 */
function startChildServer() {
  const host = loopbackAddress()
  const child = spawn(process.execPath, [join(__dirname, '_server.cjs'), host], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the child server exited early (${code})`)))
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk
      const match = /^listening (\d+)$/m.exec(out)
      if (!match) return
      child.stdout.removeAllListeners('data')
      child.removeAllListeners('exit')
      const port = Number(match[1])
      resolve({
        url: `http://${host}:${port}/`,
        host,
        port,
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          }),
      })
    })
  })
}

/**
 * What the leaky twins keep: one small record per call, in a module-level array that is never
 * emptied (see `retain`).
 */
const kept = []

/**
 * Keeps one record per call: the leak of every leaky twin, about the size of a response's headers kept
 * per call (about 200 B of heap on 64-bit Node 20: the record and an array of 12 small integers of its own).
 * @param {number} value a small integer the call produced (a status code, a length)
 */
function retain(value) {
  const call = kept.length
  kept.push({ call, value, fields: new Array(12).fill(value) })
}

/**
 * The PostgreSQL server the runner started (bench/real/run.mjs sets LEAKSPEC_BENCH_PG), or
 * `undefined` with the reason printed once.
 * @returns {{ host: string, port: number, user: string, database: string } | undefined}
 */
function postgresConfig() {
  const raw = process.env.LEAKSPEC_BENCH_PG
  if (raw) return JSON.parse(raw)
  console.log(
    'bench/real: skipping the PostgreSQL cases: no server was started for them (LEAKSPEC_BENCH_PG is unset); ' +
      'run them through `npm run bench:real`, which starts one (install PostgreSQL with `apt-get install postgresql`)',
  )
  return undefined
}

module.exports = { BODY, handle, kept, loopbackAddress, postgresConfig, retain, startChildServer, startLocalServer }
