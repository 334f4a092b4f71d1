/**
 * Which of the user's ignore rules and known-leak entries a check used: the raw material for the
 * end-of-run list of entries that matched nothing (stale entries). A rule is named as the user wrote
 * it (`ignoreTypes: 'Timeout'`, `ignoreStacks: /pg-pool/`, `knownLeaks: 'legacy-cache'`); it matched
 * when it kept at least one item out of the check's counts, or (a known-leak entry) explained growth.
 */
import type { LeakReport } from '../core/report.js'
import { canonicalResourceType } from '../core/probes/resources.js'

/** The user's rules in force in one check, and those that matched. */
export interface RuleUse {
  /** Every rule of the user's in force, named as written. */
  readonly configured: readonly string[]
  /** The subset that kept something out or explained growth. */
  readonly matched: readonly string[]
}

function label(rule: string, value: string | symbol | RegExp): string {
  if (typeof value === 'string') return `${rule}: ${JSON.stringify(value).replace(/^"|"$/g, "'")}`
  return `${rule}: ${String(value)}`
}

/** The names an ignored-items key was counted under: `ignoreTypes: Timeout (handles)` → rule and name. */
function ignoredNames(report: LeakReport, rule: string): string[] {
  const names: string[] = []
  for (const key of Object.keys(report.ignored ?? {})) {
    if (!key.startsWith(`${rule}: `)) continue
    const rest = key.slice(rule.length + 2)
    names.push(rule === 'ignoreStacks' ? rest.replace(/ \([^()]*\)$/, '') : rest.replace(/ \([^()]*\)$/, '').toLowerCase())
  }
  return names
}

/** The user's ignore rules and known-leak entries in force in a check, and which of them matched. */
export function ruleUse(report: LeakReport): RuleUse {
  const { ignoreTypes, ignoreEvents, ignoreStacks, knownLeaks } = report.options
  const configured: string[] = []
  const matched: string[] = []
  const types = ignoredNames(report, 'ignoreTypes')
  for (const type of ignoreTypes) {
    const name = label('ignoreTypes', type)
    configured.push(name)
    if (types.includes(type.toLowerCase()) || types.includes(canonicalResourceType(type).toLowerCase())) matched.push(name)
  }
  const events = ignoredNames(report, 'ignoreEvents')
  for (const event of ignoreEvents) {
    const name = label('ignoreEvents', event)
    configured.push(name)
    if (events.includes(String(event).toLowerCase())) matched.push(name)
  }
  const stacks = ignoredNames(report, 'ignoreStacks')
  for (const pattern of ignoreStacks) {
    const name = label('ignoreStacks', pattern)
    configured.push(name)
    if (stacks.includes(String(pattern))) matched.push(name)
  }
  const known = new Set((report.known ?? []).filter((match) => !match.builtin).map((match) => match.id))
  for (const entry of knownLeaks) {
    const name = label('knownLeaks', entry.id)
    configured.push(name)
    if (known.has(entry.id)) matched.push(name)
  }
  return { configured, matched }
}
