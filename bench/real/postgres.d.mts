// Types of postgres.mjs (the throw-away PostgreSQL server of the real-code corpus and the integration tests).

/** The line printed when no PostgreSQL binaries are found. */
export declare const INSTALL_HINT: string

/** Where `initdb` and `pg_ctl` are. */
export interface PostgresBinaries {
  readonly ok: true
  /** Absolute path of `initdb`. */
  readonly initdb: string
  /** Absolute path of `pg_ctl`. */
  readonly pgCtl: string
  /** The folder the binaries really are in (symlinks followed; psql and the rest are there too). */
  readonly binDir: string
}

/** Why there are none. */
export interface PostgresMissing {
  readonly ok: false
  /** One line: what is missing and how to install it. */
  readonly reason: string
}

/** Finds `initdb` and `pg_ctl`: PATH first, else the newest `/usr/lib/postgresql/<major>/bin`. */
export declare function findPostgres(): PostgresBinaries | PostgresMissing

/** A loopback address in 127.0.0.0/8 of this process's own (never 127.0.0.1), from `seed` (default the pid). */
export declare function loopbackAddress(seed?: number): string

export interface StartOptions {
  /** The server's `max_connections`. @default 100 */
  readonly maxConnections?: number
  /** Loopback address to listen on. @default loopbackAddress() */
  readonly host?: string
  /** Database superuser name (no password: local trust). @default 'leakspec' */
  readonly user?: string
  /** How long initdb plus start-up may take, milliseconds. @default 60000 */
  readonly timeoutMs?: number
}

export interface RunningPostgres {
  readonly host: string
  readonly port: number
  readonly user: string
  /** A database that exists: `postgres`. */
  readonly database: string
  /** The temporary data folder (removed by `stop`). */
  readonly dataDir: string
  /** What `pg_ctl --version` printed. */
  readonly version: string
  /** Stops the server (fast shutdown) and removes the folder; safe to call twice. */
  stop(): Promise<void>
}

/** initdb into a temporary folder, start on a free port, resolve once it accepts connections. */
export declare function startPostgres(options?: StartOptions): Promise<RunningPostgres>
