/**
 * Applies known-leak entries to the report of a leak check, after its verdict and its diagnosis: the
 * growth an entry explains is reported (`report.known`), and a leaking signal that known entries
 * explain entirely is no longer a leak. A report whose every leak is explained becomes `clean`.
 *
 * Heap: each kind of the diagnosis is matched against the entries (constructor or an object on its
 * retainer path, the path, a creation frame); what the unmatched kinds retain per call — and what the
 * diagnosis saw retained without listing it — is the remainder, which still leaks at `floor` bytes per
 * call or more. Resource signals: every group of creation stacks must match (by the signal's type or a
 * frame), and every item must have had its stack found.
 */
import { createRequire } from 'node:module'
import * as fs from 'node:fs'
import * as path from 'node:path'
import process from 'node:process'
import type { LeakedKind, SignalStacks } from '../core/diagnosis.js'
import type { LeakReport, LeakFoundReport, SignalSummary } from '../core/report.js'
import { formatFrame } from '../diagnose/frames.js'
import type { KnownLeak, KnownLeakMatch, KnownLeakPattern, KnownLeakRemainder } from '../core/known.js'
import { satisfies } from '../core/range.js'
import { BUILTIN_KNOWN_LEAKS } from './registry.js'

/** An entry in force, with where it came from. */
interface Entry {
  readonly leak: KnownLeak
  readonly builtin: boolean
}

function test(pattern: KnownLeakPattern, text: string): boolean {
  if (typeof pattern === 'string') return text.includes(pattern)
  pattern.lastIndex = 0
  return pattern.test(text)
}

const versions = new Map<string, string | undefined>()

/** The installed version of `name` (resolved from the working directory), or Node's for `node`. */
export function installedVersion(name: string): string | undefined {
  if (name === 'node') return process.versions.node
  if (versions.has(name)) return versions.get(name)
  let version: string | undefined
  try {
    const require = createRequire(path.join(process.cwd(), 'package.json'))
    const manifest = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version?: unknown }
    version = typeof manifest.version === 'string' ? manifest.version : undefined
  } catch {
    version = undefined
  }
  versions.set(name, version)
  return version
}

/** Whether the entry applies here: its package's and Node's versions are in its ranges (a version that cannot be read is not). */
function applies(leak: KnownLeak): boolean {
  if (leak.node !== undefined && !satisfies(process.versions.node, leak.node)) return false
  if (leak.versions === undefined) return true
  const version = installedVersion(leak.package)
  return version !== undefined && satisfies(version, leak.versions)
}

function matchesKind(leak: KnownLeak, kind: LeakedKind): boolean {
  if (leak.constructorName !== undefined) {
    const pattern = leak.constructorName
    if (!test(pattern, kind.name) && !(kind.path ?? []).some((step) => test(pattern, step.label))) return false
  }
  if (leak.path !== undefined && !test(leak.path, kind.pathText ?? '')) return false
  if (leak.frame !== undefined && !(kind.stack ?? []).some((frame) => test(leak.frame!, formatFrame(frame)))) return false
  return true
}

function matchesGroup(leak: KnownLeak, signalKey: string, frames: readonly string[]): boolean {
  if (leak.path !== undefined) return false
  const type = signalKey.slice(signalKey.indexOf(':') + 1)
  if (leak.constructorName !== undefined && !test(leak.constructorName, type)) return false
  if (leak.frame !== undefined && !frames.some((frame) => test(leak.frame!, frame.replace(/^at /, '')))) return false
  return true
}

/** The entries in force for a report: the user's `knownLeaks`, then the built-in ones unless turned off. */
export function entriesInForce(report: Pick<LeakReport, 'options'>): readonly Entry[] {
  const user = report.options.knownLeaks.map((leak) => ({ leak, builtin: false }))
  if (!report.options.builtinKnownLeaks) return user
  const ids = new Set(user.map((entry) => entry.leak.id))
  return [...user, ...BUILTIN_KNOWN_LEAKS.filter((leak) => !ids.has(leak.id)).map((leak) => ({ leak, builtin: true }))]
}

function toMatch(entry: Entry, signal: string, kinds: KnownLeakMatch['kinds']): KnownLeakMatch {
  const version = installedVersion(entry.leak.package)
  return {
    id: entry.leak.id,
    package: entry.leak.package,
    ...(version !== undefined ? { version } : {}),
    link: entry.leak.link,
    ...(entry.leak.description !== undefined ? { description: entry.leak.description } : {}),
    builtin: entry.builtin,
    signal,
    kinds,
    bytesPerCall: kinds.reduce((sum, kind) => sum + kind.bytesPerCall, 0),
  }
}

/** Matches the heap diagnosis: the entries that explained kinds, and what remains. */
function matchHeap(report: LeakFoundReport, entries: readonly Entry[]): { matches: KnownLeakMatch[]; remainder?: KnownLeakRemainder } {
  const diagnosis = report.diagnosis
  if (!report.leaks.some((signal) => signal.key === 'heap') || diagnosis === undefined || diagnosis.error !== undefined) return { matches: [] }
  const byEntry = new Map<Entry, LeakedKind[]>()
  let unexplained = 0
  let listed = 0
  for (const kind of diagnosis.kinds) {
    listed += kind.bytesPerCall
    const entry = entries.find((candidate) => matchesKind(candidate.leak, kind))
    if (entry === undefined) {
      unexplained += kind.bytesPerCall
      continue
    }
    const list = byEntry.get(entry)
    if (list) list.push(kind)
    else byEntry.set(entry, [kind])
  }
  if (byEntry.size === 0) return { matches: [] }
  // What the diagnosis saw retained but did not list (it lists a few kinds) is not explained either.
  unexplained += Math.max(0, diagnosis.retainedBytesPerCall - listed)
  const matches = [...byEntry].map(([entry, kinds]) =>
    toMatch(
      entry,
      'heap',
      kinds.map((kind) => ({ name: kind.name, perCall: kind.perCall, bytesPerCall: kind.bytesPerCall })),
    ),
  )
  return { matches, remainder: { signal: 'heap', unexplained, leaks: unexplained >= report.options.floor } }
}

/** Matches one resource signal's creation stacks. */
function matchResource(signal: SignalStacks, entries: readonly Entry[]): { matches: KnownLeakMatch[]; remainder?: KnownLeakRemainder } {
  const byEntry = new Map<Entry, number>()
  let explained = 0
  for (const group of signal.groups) {
    const entry = entries.find((candidate) => matchesGroup(candidate.leak, signal.key, group.frames))
    if (entry === undefined) continue
    byEntry.set(entry, (byEntry.get(entry) ?? 0) + group.count)
    explained += group.count
  }
  if (byEntry.size === 0) return { matches: [] }
  const type = signal.key.slice(signal.key.indexOf(':') + 1)
  const matches = [...byEntry].map(([entry, count]) => toMatch(entry, signal.key, [{ name: type, perCall: count, bytesPerCall: 0 }]))
  const unexplained = signal.items - explained
  return { matches, remainder: { signal: signal.key, unexplained, leaks: unexplained > 0 } }
}

/**
 * Applies the known-leak entries in force (the `knownLeaks` option, and the built-in ones unless
 * `builtinKnownLeaks: false`) to a report. Reports other than `leak`, and leaks without a diagnosis
 * to match, are returned unchanged.
 *
 * @param report the check's report, after `withDiagnosis` (and the resource stacks)
 * @returns the report with `known` (and `knownRemainder`) set when an entry matched; `clean` when
 *   known entries explain every leaking signal
 */
export function applyKnownLeaks(report: LeakReport): LeakReport {
  if (report.verdict !== 'leak') return report
  const entries = entriesInForce(report).filter((entry) => applies(entry.leak))
  if (entries.length === 0) return report
  const matches: KnownLeakMatch[] = []
  const remainders: KnownLeakRemainder[] = []
  const explained = new Set<string>()
  const take = (result: { matches: KnownLeakMatch[]; remainder?: KnownLeakRemainder }): void => {
    if (result.remainder === undefined) return
    matches.push(...result.matches)
    remainders.push(result.remainder)
    if (!result.remainder.leaks) explained.add(result.remainder.signal)
  }
  take(matchHeap(report, entries))
  const leaking = new Set(report.leaks.map((signal) => signal.key))
  for (const signal of report.stacks?.signals ?? []) if (leaking.has(signal.key)) take(matchResource(signal, entries))
  if (matches.length === 0) return report
  const signals: SignalSummary[] = report.signals.map((signal) => (explained.has(signal.key) ? { ...signal, status: 'clean', perCall: 0 } : signal))
  const leaks = report.leaks.filter((signal) => !explained.has(signal.key))
  const [first, ...rest] = leaks
  if (first !== undefined) return { ...report, signals, leaks: [first, ...rest], known: matches, knownRemainder: remainders }
  const { leaks: _leaks, stoppedEarly: _stopped, stacks: _stacks, diagnosis: _diagnosis, diagnosisSkipped: _skipped, ...base } = report
  const packages = [...new Set(matches.map((match) => `${match.package}${match.version === undefined ? '' : `@${match.version}`}`))]
  return {
    ...base,
    verdict: 'clean',
    signals,
    known: matches,
    knownRemainder: remainders,
    reason: `every leaking signal (${[...explained].join(', ')}) is a known leak in ${packages.join(', ')}`,
  }
}
