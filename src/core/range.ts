/**
 * Version ranges for known-leak entries: a small, dependency-free subset of npm's range syntax.
 *
 * A range is one or more sets joined by `||`; a set is comparators separated by spaces, all of which
 * must hold: `>=20.3.0 <21`, `<=4.4.2`, `4.x`, `20`, `=1.2.3`, `1.2.3`, `*`. Missing parts of a version
 * count as 0 in a comparator (`<21` is `<21.0.0`) and as a wildcard in a bare version (`4.x`, `20`).
 * Pre-release tags are ignored (`22.0.0-rc.1` counts as `22.0.0`).
 */

type Version = readonly [number, number, number]

const COMPARATOR = /^(<=|>=|<|>|=)?v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?(?:-[0-9A-Za-z.-]+)?$/

/** Parses `20.20.2`, `v24.1.0`, `4.4.2-beta` into [major, minor, patch]; `undefined` when it is not a version. */
export function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim())
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

function test(version: Version, comparator: string): boolean {
  const match = COMPARATOR.exec(comparator)
  if (!match) throw new Error(`not a version comparator: ${comparator}`)
  const [, operator = '', ...raw] = match
  const parts = raw.map((part) => (part === undefined || part === 'x' || part === '*' ? undefined : Number(part)))
  if (operator === '' || operator === '=') {
    // A bare or `=` version: the parts given must be equal, the others are wildcards.
    return parts.every((part, index) => part === undefined || part === version[index])
  }
  const bound: Version = [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0]
  const order = compare(version, bound)
  switch (operator) {
    case '<':
      return order < 0
    case '<=':
      return order <= 0
    case '>':
      return order > 0
    default:
      return order >= 0
  }
}

/** Whether `range` is well-formed (see the module comment). */
export function isValidRange(range: string): boolean {
  if (range.trim() === '') return false
  return range.split('||').every((set) => {
    const comparators = set.trim().split(/\s+/)
    return comparators.length > 0 && comparators.every((comparator) => comparator !== '' && COMPARATOR.test(comparator))
  })
}

/**
 * Whether `version` lies in `range`.
 * @param version a version such as `20.20.2` (a leading `v` is allowed)
 * @param range a range such as `>=20.3.0 <21 || 22.x`
 * @returns `false` when `version` is not a version
 * @throws {Error} when `range` is malformed (validate it with {@link isValidRange} first)
 */
export function satisfies(version: string, range: string): boolean {
  const parsed = parseVersion(version)
  if (!parsed) return false
  return range.split('||').some((set) =>
    set
      .trim()
      .split(/\s+/)
      .every((comparator) => comparator === '*' || test(parsed, comparator)),
  )
}
