/**
 * Options of a leak check: the public shape, the defaults and the validation.
 *
 * Options are validated once, before anything runs. Unknown keys, wrong types and out-of-range
 * values throw a `TypeError` that names the key, the value received and the fix.
 */
import { knownLeakProblem, type KnownLeak } from './known.js'
import { queryObjectsUnavailable } from './probes/instances.js'

/** Options of `toLeak`, `measureLeaks` and `assertNoLeaks`. Every field is optional. */
export interface LeakOptions {
  /**
   * Doubling rounds in a normal check (round r runs `callsPerRound · 2^(r−1)` calls). The last
   * `confirmRounds` of them are counted. More rounds see bounded growth (a cache still filling) settle.
   * @default 7
   */
  rounds?: number
  /**
   * How many consecutive final rounds must all grow for a `leak` verdict (K).
   * @default 3
   */
  confirmRounds?: number
  /**
   * Extra rounds a check may add when the evidence for a leak is marginal (growth close to the
   * floor, falling from round to round as a filling cache does, or not yet clear of the noise of the
   * first rounds). Each extra round doubles the calls.
   * @default 4
   */
  extraRounds?: number
  /**
   * Heap growth floor, in bytes per call. Growth below it in any counted round means `clean`.
   * @default 16
   */
  floor?: number
  /**
   * Warm-up chunks before the baseline, each `callsPerRound` calls followed by a full GC.
   * They let lazy compilation, feedback vectors and caches settle.
   * @default 4
   */
  warmup?: number
  /**
   * Calls in the first round (L0). `'auto'` calibrates from the time of a call and of a GC so the
   * whole check fits half of `timeBudget`, with at most 32.
   * @default 'auto'
   */
  callsPerRound?: number | 'auto'
  /**
   * Time budget of the check, in milliseconds: the most time it may spend calling the function,
   * letting it settle and reading the probes. Forced full GCs are not counted — their cost is set by
   * the size of the heap, not by the function. Calibration plans the normal schedule to take at most
   * 4 s of it (less when the budget is smaller); the rest is room for the extra and confirmation
   * rounds that marginal evidence asks for, and for slow functions (a 200 ms call is decided in
   * well under a minute). A check that runs out of it before the verdict is decided is
   * `inconclusive`, never guessed. Under `toLeak` the check also stops, as `inconclusive` with cause
   * `test-timeout`, before a round that would outlast the test's timeout.
   * @default 30000
   */
  timeBudget?: number
  /**
   * How long one call may take to settle, in milliseconds. A call that never settles fails the check
   * with a timeout error naming the call.
   * @default 5000
   */
  callTimeout?: number
  /**
   * Watch active handles and requests by type (timers, sockets, servers, file requests, …).
   * @default true
   */
  handles?: boolean
  /**
   * Count handles through async_hooks as well: resources created during the check and still open,
   * unref'd ones included (`process.getActiveResourcesInfo()` does not list those). Makes promise-heavy
   * calls slower while the check runs (Node then tracks every promise's destruction); `false` keeps
   * only `getActiveResourcesInfo()`.
   * @default true
   */
  asyncHooks?: boolean
  /**
   * Watch open file descriptors by kind (`file`, `socket`, `pipe`, `anon_inode`). Linux only
   * (`/proc/self/fd`); elsewhere the signal is unavailable and never decides anything.
   * @default true
   */
  fds?: boolean
  /**
   * Watch listeners added during the check and not removed, by event name, on EventEmitters and
   * EventTargets (AbortSignal included) that are still alive after GC.
   * @default true
   */
  listeners?: boolean
  /**
   * In a DOM environment (jsdom, happy-dom), watch the DOM: detached nodes (created during the check,
   * alive after GC, not in a document), nodes in the document, observers still observing
   * (`MutationObserver`, `ResizeObserver`, `IntersectionObserver`) and pending animation frame
   * callbacks. Outside a DOM environment it does nothing.
   * @default true
   */
  dom?: boolean
  /**
   * Resource types not to count: handle types in either spelling (`Timeout`, `TCPSocketWrap`,
   * `TCPWRAP`) and fd kinds (`file`, `socket`, `pipe`, `anon_inode`). The message says how many items
   * were ignored.
   * @default []
   */
  ignoreTypes?: readonly string[]
  /**
   * Event names whose listeners are not counted (for example `['data']`). The message says how many
   * listeners were ignored.
   * @default []
   */
  ignoreEvents?: ReadonlyArray<string | symbol>
  /**
   * Creation or add-site stack patterns (a substring or a RegExp) to ignore. Stacks are only captured
   * by the diagnosis after a leak verdict: a leaking handle, fd or listener signal whose every diagnosed
   * item matches is dropped from the leaks, and the message says how many items matched which pattern.
   * @default []
   */
  ignoreStacks?: ReadonlyArray<string | RegExp>
  /**
   * After a leak verdict on a handle or fd signal (a socket, server, file, timer, child process or
   * worker per call), close what the measured calls created and left open — so that the next test
   * in the file can open files, listen and connect again — and say so in the message
   * (`report.released`). `false` keeps them open.
   * @default true
   */
  release?: boolean
  /**
   * Heap growth, in bytes, at which a check that grew in every reading stops early with a `leak`
   * verdict instead of exhausting memory.
   * @default 268435456 (256 MiB)
   */
  maxHeapGrowth?: number
  /**
   * Classes whose live instances are counted exactly after every reading (`v8.queryObjects`, Node ≥ 20.13),
   * as signals `instances:<ClassName>` that must not rise per call. Each read walks the heap (tens of
   * milliseconds at small heaps), so list only the classes you suspect.
   * @default []
   */
  instancesOf?: readonly Function[]
  /**
   * When a failing leak check (`.not.toLeak()`, `assertNoLeaks`) found a leak, spend about a second more
   * to explain it in the message: what leaked, who holds it, where it was allocated. In a DOM environment
   * (jsdom, happy-dom) and in Vitest Browser Mode, a leak of listeners or DOM items only, whose add or
   * creation sites were all found, is explained by those sites alone: the heap snapshot (seconds at a
   * DOM-sized heap) is not taken, and the message says so. `'full'` always takes it, for who holds
   * the leaked items.
   * @default true
   */
  diagnose?: boolean | 'full'
  /**
   * A directory for heap snapshot files (Chrome DevTools format) written by the diagnosis, mode 0600.
   * They hold every string in the heap, secrets included. The environment variable
   * `LEAKSPEC_SNAPSHOT_DIR` does the same.
   * @default undefined (no files)
   */
  snapshotDir?: string
  /**
   * Leaks you know of in a package or in Node, which the check should report instead of failing on
   * (see `KnownLeak`). Applied after the diagnosis of a leak: a growth an entry explains is reported
   * as `known leak in <package>@<version> (<link>)`, and the check fails only when what remains
   * still leaks (heap: at least `floor` bytes per call not explained; a handle, fd or listener signal:
   * any item created elsewhere). Needs `diagnose` (the match is made on the diagnosis).
   * @default []
   */
  knownLeaks?: readonly KnownLeak[]
  /**
   * Also apply the known leaks leakspec ships (`BUILTIN_KNOWN_LEAKS`: leaks in Node versions and in
   * packages, each reproduced).
   * @default true
   */
  builtinKnownLeaks?: boolean
}

/** Options with every default filled in. */
export interface ResolvedLeakOptions {
  readonly rounds: number
  readonly confirmRounds: number
  readonly extraRounds: number
  readonly floor: number
  readonly warmup: number
  readonly callsPerRound: number | 'auto'
  readonly timeBudget: number
  readonly callTimeout: number
  readonly handles: boolean
  readonly asyncHooks: boolean
  readonly fds: boolean
  readonly listeners: boolean
  readonly dom: boolean
  readonly ignoreTypes: readonly string[]
  readonly ignoreEvents: ReadonlyArray<string | symbol>
  readonly ignoreStacks: ReadonlyArray<string | RegExp>
  readonly release: boolean
  readonly maxHeapGrowth: number
  readonly instancesOf: readonly Function[]
  readonly diagnose: boolean | 'full'
  readonly snapshotDir: string | undefined
  readonly knownLeaks: readonly KnownLeak[]
  readonly builtinKnownLeaks: boolean
}

/** The defaults, with units in {@link LeakOptions}. */
export const DEFAULT_OPTIONS: ResolvedLeakOptions = Object.freeze({
  rounds: 7,
  confirmRounds: 3,
  extraRounds: 4,
  floor: 16,
  warmup: 4,
  callsPerRound: 'auto',
  timeBudget: 30000,
  callTimeout: 5000,
  handles: true,
  asyncHooks: true,
  fds: true,
  listeners: true,
  dom: true,
  ignoreTypes: Object.freeze([]) as readonly string[],
  ignoreEvents: Object.freeze([]) as ReadonlyArray<string | symbol>,
  ignoreStacks: Object.freeze([]) as ReadonlyArray<string | RegExp>,
  release: true,
  maxHeapGrowth: 256 * 1024 * 1024,
  instancesOf: Object.freeze([]) as readonly Function[],
  diagnose: true,
  snapshotDir: undefined,
  knownLeaks: Object.freeze([]) as readonly KnownLeak[],
  builtinKnownLeaks: true,
})
type Rule =
  | { kind: 'integer'; min: number; max: number; example: number }
  | { kind: 'number'; min: number; max: number; example: number }
  | { kind: 'boolean' }
  | { kind: 'boolean-or'; word: string }
  | { kind: 'auto-or-integer'; min: number; max: number; example: number }
  | { kind: 'list'; items: ReadonlyArray<'string' | 'symbol' | 'regexp' | 'constructor'>; example: string }
  | { kind: 'path'; example: string }
  | { kind: 'known'; example: string }

const RULES: Record<keyof ResolvedLeakOptions, Rule> = {
  rounds: { kind: 'integer', min: 3, max: 16, example: 8 },
  confirmRounds: { kind: 'integer', min: 1, max: 8, example: 3 },
  extraRounds: { kind: 'integer', min: 0, max: 6, example: 2 },
  floor: { kind: 'number', min: 1, max: 1024 * 1024 * 1024, example: 16 },
  warmup: { kind: 'integer', min: 0, max: 64, example: 4 },
  callsPerRound: { kind: 'auto-or-integer', min: 1, max: 1 << 20, example: 32 },
  timeBudget: { kind: 'number', min: 10, max: 24 * 60 * 60 * 1000, example: 10000 },
  callTimeout: { kind: 'number', min: 1, max: 24 * 60 * 60 * 1000, example: 10000 },
  handles: { kind: 'boolean' },
  asyncHooks: { kind: 'boolean' },
  fds: { kind: 'boolean' },
  listeners: { kind: 'boolean' },
  dom: { kind: 'boolean' },
  ignoreTypes: { kind: 'list', items: ['string'], example: "['Timeout']" },
  ignoreEvents: { kind: 'list', items: ['string', 'symbol'], example: "['data']" },
  ignoreStacks: { kind: 'list', items: ['string', 'regexp'], example: '[/node_modules\\/pg-pool/]' },
  release: { kind: 'boolean' },
  maxHeapGrowth: { kind: 'number', min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER, example: 512 * 1024 * 1024 },
  instancesOf: { kind: 'list', items: ['constructor'], example: '[Session]' },
  diagnose: { kind: 'boolean-or', word: 'full' },
  snapshotDir: { kind: 'path', example: "'./heap-snapshots'" },
  knownLeaks: {
    kind: 'known',
    example: "[{ id: 'legacy-cache', package: 'legacy-lib', versions: '<2.1.0', link: 'https://…/issues/12', path: /legacyCache: Map/ }]",
  },
  builtinKnownLeaks: { kind: 'boolean' },
}

const KNOWN_KEYS = Object.keys(RULES) as Array<keyof ResolvedLeakOptions>

/** Renders a received value for an error message: its value and its type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`
  if (typeof value === 'function') return `a function${value.name ? ` named ${value.name}` : ''}`
  if (Array.isArray(value)) return `an array of length ${value.length}`
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`
  return `${String(value)} (${typeof value})`
}

function closestKey(key: string): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Infinity
  for (const known of KNOWN_KEYS) {
    const distance = editDistance(lower, known.toLowerCase())
    if (distance < bestDistance) {
      bestDistance = distance
      best = known
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!
    previous[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return previous[b.length]!
}

function checkValue(key: keyof ResolvedLeakOptions, value: unknown, where: string): void {
  const rule = RULES[key]
  const fail = (expected: string, example: string): never => {
    throw new TypeError(
      `leakspec: ${where} option \`${key}\` must be ${expected}; received ${describeValue(value)}. ` +
        `Fix: pass for example { ${key}: ${example} }, or leave it out for the default (${Array.isArray(DEFAULT_OPTIONS[key]) ? '[]' : String(DEFAULT_OPTIONS[key])}).`,
    )
  }
  switch (rule.kind) {
    case 'list': {
      const names = rule.items.map((item) => (item === 'regexp' ? 'RegExp' : item === 'constructor' ? 'class' : item))
      const expected = `an array of ${names.join(' or ')} values`
      if (!Array.isArray(value)) fail(expected, rule.example)
      for (const [index, item] of (value as unknown[]).entries()) {
        const ok =
          (rule.items.includes('string') && typeof item === 'string' && item !== '') ||
          (rule.items.includes('symbol') && typeof item === 'symbol') ||
          (rule.items.includes('regexp') && item instanceof RegExp) ||
          (rule.items.includes('constructor') && typeof item === 'function' && typeof item.prototype === 'object')
        if (!ok) {
          throw new TypeError(
            `leakspec: ${where} option \`${key}\` must be ${expected}${rule.items.includes('string') ? ' (non-empty strings)' : ''}; item ${index} is ` +
              `${describeValue(item)}. Fix: pass for example { ${key}: ${rule.example} }, or leave it out for the default ([]).`,
          )
        }
      }
      const unavailable = key === 'instancesOf' && (value as unknown[]).length > 0 ? queryObjectsUnavailable() : undefined
      if (unavailable) {
        throw new TypeError(
          `leakspec: ${where} option \`instancesOf\` counts instances with ${unavailable}. ` +
            'Fix: run the tests on Node 20.13 or later, or leave instancesOf out (the heap signal still finds the leak).',
        )
      }
      return
    }
    case 'known': {
      if (!Array.isArray(value)) fail('an array of known-leak entries', rule.example)
      const ids = new Set<string>()
      for (const [index, item] of (value as unknown[]).entries()) {
        const problem = knownLeakProblem(item)
        const id = problem === undefined ? (item as KnownLeak).id : undefined
        if (problem !== undefined || ids.has(id!)) {
          throw new TypeError(
            `leakspec: ${where} option \`knownLeaks\`: item ${index} ${problem ?? `repeats the id ${JSON.stringify(id)} (ids must be unique)`}. ` +
              `Fix: pass entries such as { knownLeaks: ${rule.example} } (id, package and link required; at least one of constructorName, path, frame).`,
          )
        }
        ids.add(id!)
      }
      return
    }
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false', 'false')
      return
    case 'boolean-or':
      if (typeof value !== 'boolean' && value !== rule.word) fail(`true, false or '${rule.word}'`, `'${rule.word}'`)
      return
    case 'path':
      if (typeof value !== 'string' || value.trim() === '') fail('a directory path (a non-empty string)', rule.example)
      return
    case 'integer':
    case 'number': {
      const integer = rule.kind === 'integer'
      const expected = `${integer ? 'an integer' : 'a number'} from ${rule.min} to ${rule.max}`
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(expected, String(rule.example))
      const number = value as number
      if ((integer && !Number.isInteger(number)) || number < rule.min || number > rule.max) {
        fail(expected, String(rule.example))
      }
      return
    }
    case 'auto-or-integer': {
      if (value === 'auto') return
      const expected = `'auto' or an integer from ${rule.min} to ${rule.max}`
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
        fail(expected, String(rule.example))
      }
    }
  }
}

/**
 * Validates user options and fills in the defaults.
 * @param options what the user passed (may be `undefined`)
 * @param base the defaults to fill in from (for example plugin-level defaults)
 * @param where a word for the message saying where the options came from (`toLeak`, `leakspec()`)
 * @throws {TypeError} for a non-object, an unknown key, a wrong type or an out-of-range value
 */
export function resolveOptions(
  options: unknown,
  base: ResolvedLeakOptions = DEFAULT_OPTIONS,
  where = 'leak check',
): ResolvedLeakOptions {
  if (options === undefined) return base
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(
      `leakspec: ${where} options must be an object; received ${describeValue(options)}. ` +
        'Fix: pass an object such as { rounds: 8 }, or nothing for the defaults.',
    )
  }
  const resolved: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(options)) {
    if (!(KNOWN_KEYS as string[]).includes(key)) {
      const suggestion = closestKey(key)
      throw new TypeError(
        `leakspec: unknown ${where} option \`${key}\` (received ${describeValue(value)}). ` +
          (suggestion ? `Did you mean \`${suggestion}\`? ` : '') +
          `Known options: ${KNOWN_KEYS.join(', ')}.`,
      )
    }
    if (value === undefined) continue
    checkValue(key as keyof ResolvedLeakOptions, value, where)
    resolved[key] = Array.isArray(value) ? Object.freeze(value.slice()) : value
  }
  const result = resolved as unknown as ResolvedLeakOptions
  if (result.confirmRounds > result.rounds) {
    throw new TypeError(
      `leakspec: ${where} option \`confirmRounds\` (${result.confirmRounds}) must not exceed \`rounds\` (${result.rounds}). ` +
        `Fix: raise rounds to at least ${result.confirmRounds}, or lower confirmRounds.`,
    )
  }
  return Object.freeze(result)
}
