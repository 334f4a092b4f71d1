/**
 * Heap snapshot files, written only when asked for (an option or `LEAKSPEC_SNAPSHOT_DIR`).
 *
 * A snapshot holds every string in the heap (tokens, passwords, personal data), so the file is created
 * with mode 0600, exclusively (never overwriting), under a name leakspec chooses, directly inside the
 * named directory. The directory is created (mode 0700) when missing.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'

/** The environment variable that names a directory for snapshot files. */
export const SNAPSHOT_DIR_ENV = 'LEAKSPEC_SNAPSHOT_DIR'

/** An open snapshot file being written chunk by chunk. */
export interface SnapshotFile {
  /** Absolute path of the file. */
  readonly path: string
  /** Appends a chunk of snapshot text or bytes. */
  write(chunk: string | Uint8Array): void
  /** Closes the file. Safe to call twice. */
  close(): void
}

/** The directory named by `LEAKSPEC_SNAPSHOT_DIR`, or `undefined` when unset or empty. */
export function snapshotDirFromEnv(): string | undefined {
  const value = process.env[SNAPSHOT_DIR_ENV]
  return value === undefined || value.trim() === '' ? undefined : value
}

let sequence = 0

/**
 * Creates a new snapshot file inside `dir`.
 * @throws {Error} when the directory cannot be created or the file cannot be opened
 */
export function openSnapshotFile(dir: string): SnapshotFile {
  const directory = path.resolve(dir)
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const name = `leakspec-${stamp}-${process.pid}-${++sequence}.heapsnapshot`
  const file = path.join(directory, name)
  if (path.dirname(file) !== directory) throw new Error(`leakspec: refusing to write a snapshot outside ${directory}`)
  const fd = fs.openSync(file, 'wx', 0o600)
  let open = true
  return {
    path: file,
    write(chunk) {
      if (!open) return
      if (typeof chunk === 'string') fs.writeSync(fd, chunk)
      else fs.writeSync(fd, chunk)
    },
    close() {
      if (!open) return
      open = false
      fs.closeSync(fd)
    },
  }
}
