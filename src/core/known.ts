/**
 * Known leaks: leaks in Node itself or in a package that a test cannot fix, matched against the
 * diagnosis of a failing check (the leaked kind's constructor, its retainer path, the frames where it
 * was created) and, optionally, the package's version and Node's version. A growth that a known entry
 * explains is reported as `known leak in <package>@<version> (<link>)` instead of failing the check;
 * the check still fails when what remains leaks.
 *
 * This module holds the shape of an entry and of a match (the options and the report carry them),
 * the validation of entries, and how a match is named. The entries leakspec ships are in
 * `known/registry.ts`; matching them against a report is `known/apply.ts`.
 */
import { isValidRange } from './range.js'

/** A text pattern: a substring, or a RegExp. */
export type KnownLeakPattern = string | RegExp

/** One known leak. `id`, `package` and `link` are required, and at least one of `constructorName`, `path` and `frame`. */
export interface KnownLeak {
  /** A short, unique name (`lodash.get-stringToPath`), shown in messages and in the list of entries that matched nothing. */
  readonly id: string
  /** The package the leak is in, as npm names it (`lodash.get`), or `node` for Node itself. */
  readonly package: string
  /**
   * The package's versions that leak, as a range (`<=4.4.2`, `>=20.3.0 <21`; see `satisfies` for the
   * syntax); for `package: 'node'`, Node's versions. The installed version is read from the package's
   * `package.json` (resolved from the working directory), or `process.versions.node`.
   * @default every version
   */
  readonly versions?: string
  /** Node's versions under which the package leaks, as a range. @default every version */
  readonly node?: string
  /** Where the leak is described: an issue, a changelog entry, the documentation. */
  readonly link: string
  /** One line on what leaks and the way out (an upgrade, another API). */
  readonly description?: string
  /** Matches the leaked kind's name (`PerformanceMark`, `(string)`) or the name of an object on its retainer path (what such an object holds is part of its leak). */
  readonly constructorName?: KnownLeakPattern
  /** Matches the retainer path as the diagnosis prints it (`… › stringToPath: memoized() › cache: MapCache › …`). */
  readonly path?: KnownLeakPattern
  /** Matches one frame where the leaked objects (or handles, listeners) were created, as the diagnosis prints it (`fn (file:line:column)`). */
  readonly frame?: KnownLeakPattern
}

const FIELDS = new Set(['id', 'package', 'versions', 'node', 'link', 'description', 'constructorName', 'path', 'frame'])

/**
 * Why `entry` is not a valid known-leak entry, in words for a `TypeError` (`undefined` when it is valid).
 * @param entry what the user passed as one item of `knownLeaks`
 */
export function knownLeakProblem(entry: unknown): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return 'is not an object'
  const record = entry as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!FIELDS.has(key)) return `has an unknown field \`${key}\` (fields: ${[...FIELDS].join(', ')})`
  }
  for (const key of ['id', 'package', 'link'] as const) {
    if (typeof record[key] !== 'string' || (record[key] as string).trim() === '') return `needs \`${key}\` as a non-empty string`
  }
  for (const key of ['versions', 'node'] as const) {
    const range = record[key]
    if (range === undefined) continue
    if (typeof range !== 'string' || !isValidRange(range)) return `has \`${key}\` ${JSON.stringify(range)}, which is not a version range such as '>=1.2.0 <1.4' or '4.x'`
  }
  if (record['description'] !== undefined && typeof record['description'] !== 'string') return 'has a `description` that is not a string'
  const patterns = (['constructorName', 'path', 'frame'] as const).filter((key) => record[key] !== undefined)
  if (patterns.length === 0) return 'needs at least one of `constructorName`, `path` and `frame` (a string or a RegExp)'
  for (const key of patterns) {
    const value = record[key]
    if (!(value instanceof RegExp) && (typeof value !== 'string' || value === '')) return `has \`${key}\` that is neither a non-empty string nor a RegExp`
  }
  return undefined
}

/** A known-leak entry that explained growth in one check. */
export interface KnownLeakMatch {
  /** The entry's id. */
  readonly id: string
  /** The package the leak is in (`node` for Node itself). */
  readonly package: string
  /** The version found installed (`process.versions.node` for Node), when it could be read. */
  readonly version?: string
  /** The entry's link. */
  readonly link: string
  /** The entry's description, when it has one. */
  readonly description?: string
  /** Whether the entry is one leakspec ships (else it came from the `knownLeaks` option). */
  readonly builtin: boolean
  /** The signal it explained part or all of: `heap`, or a resource signal such as `handles:Timeout`. */
  readonly signal: string
  /** What it explained: leaked kinds (heap), or the signal's kind (resources), each per call. */
  readonly kinds: ReadonlyArray<{ readonly name: string; readonly perCall: number; readonly bytesPerCall: number }>
  /** Self bytes per call of the heap objects it explained (0 for a resource signal). */
  readonly bytesPerCall: number
}

/**
 * What remained of a leaking signal once known leaks were taken out. Heap: the bytes per call the
 * diagnosis saw retained that no entry explains; a resource signal: the items created elsewhere.
 */
export interface KnownLeakRemainder {
  /** `heap`, or a resource signal such as `handles:Timeout`. */
  readonly signal: string
  /** Bytes per call (heap) or items (resources) that no known entry explains. */
  readonly unexplained: number
  /** Whether that still counts as a leak (heap: at least the floor; resources: at least one item). */
  readonly leaks: boolean
}

/** `known leak in <package>@<version> (<link>)`: how a match is named in messages and reports. */
export function knownLeakLabel(match: Pick<KnownLeakMatch, 'package' | 'version' | 'link'>): string {
  return `known leak in ${match.package}${match.version === undefined ? '' : `@${match.version}`} (${match.link})`
}
