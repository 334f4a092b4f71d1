/**
 * Open file descriptors of the process by target kind, from the Linux fd table (`/proc/self/fd`).
 *
 * Each entry is a symlink; its target names the kind: `socket:[…]`, `pipe:[…]`,
 * `anon_inode:[eventfd]` (and other anonymous inodes), or a path (`file`). The table is process-wide:
 * under a threads pool other workers' files show up too, and only differences between readings mean
 * anything. Where the table cannot be read (macOS, Windows, a sandbox) the probe says so through
 * `unavailable` and is never read, so no verdict ever comes from missing data.
 */
import { readdirSync, readlinkSync } from 'node:fs'
import { IgnoredTally } from './ignored.js'
import type { CountProbe } from './probe.js'

/** The directory listing the process's open file descriptors (Linux). */
const FD_DIR = '/proc/self/fd'

/** Kinds an fd is counted under. */
export type FdKind = 'file' | 'socket' | 'pipe' | 'anon_inode' | 'other'

/**
 * The kind of an fd from its `/proc/self/fd` link target.
 * @param target for example `socket:[13503]`, `pipe:[13495]`, `anon_inode:[eventfd]`, `/etc/hosts`
 */
export function fdKind(target: string): FdKind {
  if (target.startsWith('/')) return 'file'
  if (target.startsWith('socket:')) return 'socket'
  if (target.startsWith('pipe:')) return 'pipe'
  if (target.startsWith('anon_inode:')) return 'anon_inode'
  return 'other'
}

/** Tables up to this many fds are always read in full; larger ones reuse the previous targets. */
const FULL_READ_LIMIT = 256

/**
 * Reads the fd table: fd number → link target. Fds that close while it is read are left out.
 *
 * One `readlink` per fd costs about 25-50 µs, so a table of thousands of leaked fds would take
 * 100-200 ms per reading (and the sampler reads several times while resources settle). With
 * `previous`, a table larger than 256 fds reads the targets of new fd numbers only and reuses the
 * previous targets for numbers it already knew: the total stays exact; only an fd number closed and
 * reopened as another kind between two readings would be counted under its old kind.
 * @param previous the table of the previous reading, when there is one
 */
export function readFdTable(previous?: ReadonlyMap<number, string>): Map<number, string> {
  const table = new Map<number, string>()
  const names = readdirSync(FD_DIR)
  const reuse = previous !== undefined && names.length > FULL_READ_LIMIT
  for (const name of names) {
    const fd = Number(name)
    const known = reuse ? previous.get(fd) : undefined
    if (known !== undefined) {
      table.set(fd, known)
      continue
    }
    try {
      table.set(fd, readlinkSync(`${FD_DIR}/${name}`))
    } catch {
      // Closed in between (the listing's own directory fd is one of those).
    }
  }
  return table
}

/** Why the fd table cannot be read here, or `undefined` when it can. */
export function fdTableUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `open file descriptors are only counted on Linux (this is ${process.platform})`
  try {
    readdirSync(FD_DIR)
    return undefined
  } catch (error) {
    return `${FD_DIR} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`
  }
}

/** Options of {@link createFdsProbe}. */
export interface FdsProbeOptions {
  /** Fd kinds not to count (`file`, `socket`, `pipe`, `anon_inode`, `other`). @default [] */
  readonly ignoreTypes?: readonly string[]
}

/** Creates the file-descriptor probe (keys `fds:<kind>`). */
export function createFdsProbe(options: FdsProbeOptions = {}): CountProbe {
  const ignored = new Set((options.ignoreTypes ?? []).map((type) => type.toLowerCase()))
  const tally = new IgnoredTally('ignoreTypes')
  const unavailable = fdTableUnavailable()
  let previous: Map<number, string> | undefined
  return {
    name: 'fds',
    label: 'open file descriptors',
    ...(unavailable === undefined ? {} : { unavailable }),
    read() {
      const counts: Record<string, number> = {}
      const skipped: Record<string, number> = {}
      previous = readFdTable(previous)
      for (const target of previous.values()) {
        const kind = fdKind(target)
        if (ignored.has(kind)) skipped[kind] = (skipped[kind] ?? 0) + 1
        else counts[kind] = (counts[kind] ?? 0) + 1
      }
      tally.observe(skipped)
      return counts
    },
    ignored() {
      return tally.growth()
    },
  }
}
