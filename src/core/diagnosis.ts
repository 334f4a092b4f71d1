/**
 * The explanation of a leak as a report carries it: pure data types, filled in by the diagnosis
 * (`diagnose/`) after a leak verdict and read by the message, the matchers and the reports. They live
 * here, below both, so that the report (`report.ts`) needs nothing from the diagnosis that fills it.
 */

/** One stack frame of an allocation site. */
export interface StackFrame {
  /** Function name, `(anonymous)` when it has none. */
  readonly functionName: string
  /** File path (or URL when it is not a file). */
  readonly file: string
  /** 1-based line (0 when unknown). */
  readonly line: number
  /** 1-based column (0 when unknown). */
  readonly column: number
  /** Whether the position was translated through a source map. */
  readonly sourceMapped: boolean
}

/** One readable step of a retainer path. */
export interface PathStep {
  /** How the previous step refers to this one: a variable or property name, `[3]`, `entry`, or `''`. */
  readonly edge: string
  /** What kind of reference: a closure or module variable, a property, an array element, a Map/Set entry, or the root. */
  readonly kind: 'variable' | 'property' | 'element' | 'entry' | 'scope' | 'root' | 'internal'
  /** The holder or held object's label: a constructor name, `name()` for functions, `module scope (file)`. */
  readonly label: string
}

/** A place in user code where objects that stayed alive were allocated (from allocation sampling). */
export interface AllocationSite {
  /** User frames, innermost first (up to 4). */
  readonly stack: readonly StackFrame[]
  /** Estimated bytes allocated there during the calls and still alive, per call. */
  readonly bytesPerCall: number
}

/** One kind of object that leaked. */
export interface LeakedKind {
  /** Constructor name (`Session`), or V8's kind shown as `(closure) onTick`, `(string)`, `(array)`, `(closure scope)`. */
  readonly name: string
  /** For V8-internal kinds: what holds them (`Session.id`, `onTick()`), when one owner dominates. */
  readonly owner?: string
  /** Whether `name` is one of V8's internal kinds rather than a constructor a user wrote. */
  readonly internal: boolean
  /** Objects of this kind allocated during the extra calls and still alive after GC. */
  readonly count: number
  /** `count` divided by the extra calls. */
  readonly perCall: number
  /** Their self size divided by the extra calls, bytes per call. */
  readonly bytesPerCall: number
  /** Shortest strong path from a GC root to one of them, as steps, when computed. */
  readonly path?: readonly PathStep[]
  /** The same path as text: `module scope (a.ts) › registry: Map › entry › Session`. */
  readonly pathText?: string
  /** Where most of them were allocated: user frames, innermost first (up to 4). */
  readonly stack?: readonly StackFrame[]
  /**
   * Set when the count is not about a whole number per call: these objects grew during the calls
   * but not once per call (a cache filling, a table resizing, lazy set-up), so they are probably not
   * the leak. Listed after the per-call kinds, folded into one line by the message.
   */
  readonly irregular?: boolean
  /**
   * `'recorded'`: from the object's own allocation record; `'sampled'`: the top site of allocation
   * sampling, because V8 recorded no stack for these objects.
   */
  readonly stackSource?: 'recorded' | 'sampled'
}

/** The diagnosis: pure data, formatted by {@link formatDiagnosis}. */
export interface Diagnosis {
  /** Extra calls observed (k). */
  readonly calls: number
  /** What leaked, most important first (user constructors before V8 internals, then by bytes). */
  readonly kinds: readonly LeakedKind[]
  /** Allocation sites of what stayed alive, from allocation sampling, most bytes first (up to 5). */
  readonly sites: readonly AllocationSite[]
  /** Whether functions were deoptimized first, so frames show inlined calls. */
  readonly exactFrames: boolean
  /** Self bytes per call of every object allocated during the calls and still alive (all kinds). */
  readonly retainedBytesPerCall: number
  /** The backend that took the snapshot. */
  readonly backend: string
  /** Wall-clock time of the diagnosis, milliseconds. */
  readonly durationMs: number
  /** Milliseconds per phase: `start` (deoptimize, ids), `calls`, `snapshot` (write and parse), `analysis`. */
  readonly phasesMs: Readonly<Record<'start' | 'calls' | 'snapshot' | 'analysis', number>>
  /** Heap objects in the snapshot. */
  readonly snapshotNodes: number
  /** The snapshot file written, when asked for one. */
  readonly snapshotFile?: string
  /** Whether any allocation frame was translated through a source map. */
  readonly sourceMapped: boolean
  /** Set when the diagnosis could not be completed (the leak verdict stands regardless). */
  readonly error?: string
}

/** Where a stack frame's code comes from. */
export type StackFrameOrigin = 'user' | 'node' | 'node_modules' | 'leakspec'

/** A group of leaked items that share their user frames. */
export interface StackGroup {
  /** How many leaked items were created (or added) here. */
  readonly count: number
  /** The user frames, innermost first, rendered `at fn (file:line:col)` with paths relative to the cwd. */
  readonly frames: readonly string[]
  /** Frames folded away, by origin. */
  readonly folded: Readonly<Record<Exclude<StackFrameOrigin, 'user'>, number>>
}

/** Stacks of one leaking signal. */
export interface SignalStacks {
  /** The signal key (`handles:Timeout`, `fds:file`, `listeners:data`). */
  readonly key: string
  /** Items of this signal still open after the diagnosis calls. */
  readonly items: number
  /** Items whose creation stack was found, grouped; largest group first. */
  readonly groups: readonly StackGroup[]
  /** Items whose stack matched an `ignoreStacks` pattern (pattern → items). */
  readonly ignored: Readonly<Record<string, number>>
  /** Whether every item matched an `ignoreStacks` pattern (the signal is then not reported as a leak). */
  readonly allIgnored: boolean
}

/** The result of {@link diagnoseResourceStacks}. */
export interface ResourceStacks {
  /** Calls made with stack capture on. */
  readonly calls: number
  /** One entry per leaking resource signal, in the order of the report's leaks. */
  readonly signals: readonly SignalStacks[]
  /** Set when the diagnosis could not finish (the function threw, for example). */
  readonly error?: string
}
