/**
 * Starts a throw-away PostgreSQL server for the real-code corpus (bench/real) and for integration
 * tests: `initdb` into a temporary folder, `pg_ctl start` on a free port of a loopback address,
 * wait until it accepts connections, and hand back how to connect. `stop()` stops the server and
 * removes the folder; it also runs when the process exits or is ended by SIGINT / SIGTERM / SIGHUP,
 * and a small watchdog process stops the server should this process die without running it
 * (SIGKILL, a crash).
 *
 *   import { findPostgres, startPostgres } from '../bench/real/postgres.mjs'
 *   const found = findPostgres()
 *   if (!found.ok) console.log(found.reason)            // one line: why, and how to install it
 *   const pg = await startPostgres({ maxConnections: 100 })
 *   // new pg.Client({ host: pg.host, port: pg.port, user: pg.user, database: pg.database })
 *   await pg.stop()
 *
 * PostgreSQL refuses to run as root. When this process runs as root, the server runs as an
 * unprivileged user: `$LEAKSPEC_PG_OS_USER` if set, else `postgres` when it exists, else
 * `leakspec-pg`, created with `useradd --system` when missing. The data folder is chown-ed to it.
 * The server trusts local connections (no password), listens on one loopback address only, and its
 * Unix socket lives in the data folder.
 *
 * Plain ESM JavaScript with JSDoc, so that tests written in TypeScript and plain Node scripts can
 * both import it.
 */
import { spawn, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'

/** The line printed when no PostgreSQL binaries are found. */
export const INSTALL_HINT =
  'PostgreSQL is not installed (no initdb / pg_ctl on PATH or under /usr/lib/postgresql/*/bin); ' +
  'install it with `apt-get install postgresql` (Debian/Ubuntu) to run these cases'

/**
 * @typedef {object} PostgresBinaries
 * @property {true} ok
 * @property {string} initdb absolute path of `initdb`
 * @property {string} pgCtl absolute path of `pg_ctl`
 * @property {string} binDir the folder the binaries really are in (symlinks followed; psql and the rest are there too)
 */

/**
 * @typedef {object} PostgresMissing
 * @property {false} ok
 * @property {string} reason one line: what is missing and how to install it ({@link INSTALL_HINT})
 */

/**
 * Finds `initdb` and `pg_ctl`: first on PATH (both in one folder, symlinks followed), else in the
 * newest `/usr/lib/postgresql/<major>/bin` (Debian keeps them off PATH).
 * @returns {PostgresBinaries | PostgresMissing}
 */
export function findPostgres() {
  const candidates = []
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(dir)
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a))
    for (const major of majors) candidates.push(join(debian, major, 'bin'))
  }
  for (const dir of candidates) {
    const initdb = join(dir, 'initdb')
    const pgCtl = join(dir, 'pg_ctl')
    if (existsSync(initdb) && existsSync(pgCtl)) return { ok: true, initdb, pgCtl, binDir: dirname(realpathSync(initdb)) }
  }
  return { ok: false, reason: INSTALL_HINT }
}

/**
 * The OS user the server runs as: `undefined` (this process's user) unless this process is root.
 * @returns {{ name: string, uid: number, gid: number } | undefined}
 * @throws {Error} when running as root and no unprivileged user exists or can be created
 */
function serverOsUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined
  const lookup = (name) => {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' })
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' })
    if (uid.status !== 0 || gid.status !== 0) return undefined
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  }
  const wanted = process.env.LEAKSPEC_PG_OS_USER
  if (wanted) {
    const user = lookup(wanted)
    if (!user) throw new Error(`postgres: LEAKSPEC_PG_OS_USER=${wanted} names no user on this machine`)
    return user
  }
  const existing = lookup('postgres') ?? lookup('leakspec-pg')
  if (existing) return existing
  const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'leakspec-pg'], {
    encoding: 'utf8',
  })
  const user = lookup('leakspec-pg')
  if (!user) {
    throw new Error(
      `postgres: PostgreSQL cannot run as root and creating the user leakspec-pg failed: ${created.stderr.trim() || `exit ${created.status}`}. ` +
        'Create an unprivileged user and set LEAKSPEC_PG_OS_USER to its name.',
    )
  }
  return user
}

/**
 * A port that was free on `host` a moment ago (the OS picks it; the caller retries on a clash).
 * @param {string} host
 * @returns {Promise<number>}
 */
function freePort(host) {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, host, () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
      server.close(() => resolve(port))
    })
  })
}

/**
 * A loopback address of its own for this process, in 127.0.0.0/8 (never 127.0.0.1), so that many
 * processes at once do not share one address's ports. Linux routes the whole block to `lo`.
 * @param {number} [seed] default this process's id
 * @returns {string} for example `127.31.4.201`
 */
export function loopbackAddress(seed = process.pid) {
  const a = 1 + ((seed >>> 16) % 254)
  const b = (seed >>> 8) & 255
  const c = 1 + ((seed & 255) % 254)
  return `127.${a}.${b}.${c}`
}

/**
 * @typedef {object} StartOptions
 * @property {number} [maxConnections] the server's `max_connections` (default 100)
 * @property {string} [host] loopback address to listen on (default {@link loopbackAddress} of this process)
 * @property {string} [user] database superuser name (default `leakspec`)
 * @property {number} [timeoutMs] how long initdb plus start-up may take, milliseconds (default 60000)
 */

/**
 * @typedef {object} RunningPostgres
 * @property {string} host the address it listens on
 * @property {number} port its TCP port
 * @property {string} user the database superuser (no password: local trust)
 * @property {string} database a database that exists (`postgres`)
 * @property {string} dataDir the temporary data folder (removed by `stop`)
 * @property {string} version what `pg_ctl --version` printed, for example `pg_ctl (PostgreSQL) 15.14`
 * @property {() => Promise<void>} stop stops the server (fast shutdown) and removes the folder; safe to call twice
 */

/**
 * Creates a data folder, runs `initdb` and starts the server. Resolves once it accepts connections.
 * @param {StartOptions} [options]
 * @returns {Promise<RunningPostgres>}
 * @throws {TypeError} on a bad option; {Error} when PostgreSQL is missing ({@link findPostgres} tells
 *   before), or initdb / start-up fails (the message carries the server log's tail)
 */
export async function startPostgres(options = {}) {
  const maxConnections = options.maxConnections ?? 100
  if (!Number.isInteger(maxConnections) || maxConnections < 1) {
    throw new TypeError(`startPostgres: maxConnections must be a positive integer; received ${maxConnections}. Fix: pass for example { maxConnections: 100 }.`)
  }
  const host = options.host ?? loopbackAddress()
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) {
    throw new TypeError(`startPostgres: host must be a loopback address in 127.0.0.0/8; received ${host}. Fix: leave it out, or pass for example { host: '127.0.0.1' }.`)
  }
  const user = options.user ?? 'leakspec'
  const timeoutMs = options.timeoutMs ?? 60_000
  const found = findPostgres()
  if (!found.ok) throw new Error(found.reason)
  const osUser = serverOsUser()
  const dataDir = mkdtempSync(join(tmpdir(), 'leakspec-pg-'))
  const as = osUser ? { uid: osUser.uid, gid: osUser.gid } : {}
  if (osUser) chownSync(dataDir, osUser.uid, osUser.gid)
  let stopped = false
  const pgCtl = (args, timeout = 30_000) =>
    spawnSync(found.pgCtl, args, { ...as, encoding: 'utf8', timeout, cwd: dataDir, env: { ...process.env, LC_ALL: 'C' } })
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true })
  const stopSync = () => {
    if (stopped) return
    stopped = true
    pgCtl(['stop', '-D', join(dataDir, 'data'), '-m', 'fast', '-w', '-t', '20'])
    removeDir()
  }
  const onExit = () => stopSync()
  const onSignal = (signal) => {
    stopSync()
    cleanup()
    // Re-raise when nobody else handles the signal, so the process ends as it would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  }
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP']
  const cleanup = () => {
    process.off('exit', onExit)
    for (const signal of signals) process.off(signal, onSignal)
  }
  process.on('exit', onExit)
  for (const signal of signals) process.on(signal, onSignal)
  try {
    const data = join(dataDir, 'data')
    const init = spawnSync(found.initdb, ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      ...as,
      encoding: 'utf8',
      timeout: timeoutMs,
      cwd: dataDir,
      env: { ...process.env, LC_ALL: 'C' },
    })
    if (init.status !== 0) {
      throw new Error(`postgres: initdb failed (exit ${init.status ?? init.signal}): ${(init.stderr || init.stdout).trim().split('\n').slice(-5).join(' | ')}`)
    }
    const version = pgCtl(['--version']).stdout.trim()
    let lastError = ''
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort(host)
      const serverOptions = [
        `-c listen_addresses=${host}`,
        `-c port=${port}`,
        `-c max_connections=${maxConnections}`,
        `-c unix_socket_directories=${dataDir}`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c shared_buffers=16MB',
      ].join(' ')
      const log = join(dataDir, `server-${attempt}.log`)
      const start = pgCtl(['start', '-D', data, '-l', log, '-w', '-t', String(Math.ceil(timeoutMs / 1000)), '-o', serverOptions], timeoutMs + 5_000)
      if (start.status === 0) {
        startWatchdog(found.pgCtl, data, dataDir, as)
        return {
          host,
          port,
          user,
          database: 'postgres',
          dataDir,
          version,
          stop: async () => {
            stopSync()
            cleanup()
          },
        }
      }
      const tail = spawnSync('tail', ['-n', '5', log], { encoding: 'utf8' }).stdout?.trim() ?? ''
      lastError = `${(start.stderr || start.stdout).trim()} ${tail}`.trim()
      // A port taken between freePort() and start-up: try another one. Anything else: give up.
      if (!/could not bind|address already in use/i.test(lastError)) break
    }
    throw new Error(`postgres: the server did not start: ${lastError.split('\n').slice(-5).join(' | ')}`)
  } catch (error) {
    stopSync()
    cleanup()
    throw error
  }
}

/**
 * A detached watchdog: stops the server and removes the folder once `process.pid` is gone, for the
 * deaths that run no exit handler (SIGKILL, an abort). It exits by itself when the folder is gone.
 */
function startWatchdog(pgCtl, data, dataDir, as) {
  const script = `
    const { spawnSync } = require('node:child_process')
    const { existsSync, rmSync } = require('node:fs')
    const [parent, pgCtl, data, dir, uid, gid] = process.argv.slice(1)
    const alive = (pid) => { try { process.kill(Number(pid), 0); return true } catch (e) { return e.code === 'EPERM' } }
    const timer = setInterval(() => {
      if (!existsSync(dir)) return clearInterval(timer)
      if (alive(parent)) return
      clearInterval(timer)
      const as = uid ? { uid: Number(uid), gid: Number(gid) } : {}
      spawnSync(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20'], { ...as, stdio: 'ignore' })
      rmSync(dir, { recursive: true, force: true })
    }, 1000)
  `
  const child = spawn(process.execPath, ['-e', script, String(process.pid), pgCtl, data, dataDir, String(as.uid ?? ''), String(as.gid ?? '')], {
    detached: true,
    stdio: 'ignore',
  })
  child.unref()
}

// `node bench/real/postgres.mjs`: start a server, print how to reach it, stop on Enter or Ctrl-C.
// `node bench/real/postgres.mjs --version`: print which PostgreSQL would be used (or why none), start nothing.
if (import.meta.url === `file://${process.argv[1]}`) {
  const found = findPostgres()
  if (!found.ok) {
    console.log(found.reason)
    process.exit(0)
  }
  if (process.argv.includes('--version')) {
    console.log(`${spawnSync(found.pgCtl, ['--version'], { encoding: 'utf8' }).stdout.trim()} (${found.binDir})`)
    process.exit(0)
  }
  const pg = await startPostgres()
  console.log(`${pg.version} on ${pg.host}:${pg.port}, user ${pg.user}, database ${pg.database}, data ${pg.dataDir}; press Enter to stop`)
  process.stdin.once('data', async () => {
    await pg.stop()
    process.exit(0)
  })
}
