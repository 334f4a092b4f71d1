/**
 * Allocation stacks: from a snapshot's trace tree to stack frames, with node internals,
 * `node_modules` and leakspec's own frames filtered out, and positions source-mapped when the
 * process can (best effort, see {@link mapFrame}).
 */
import type { StackFrame } from '../core/diagnosis.js'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as nodeModule from 'node:module'
import type { HeapGraph } from './graph.js'

/** Where a frame's code comes from. */
export type FrameOrigin = 'user' | 'node' | 'node_modules' | 'leakspec'

/** The directories that hold leakspec's own code (its `src/` and `dist/`). */
export const OWN_DIRS: readonly string[] = (() => {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url))
    let dir = here
    for (let i = 0; i < 4; i++) {
      const base = path.basename(dir)
      if (base === 'src' || base === 'dist') {
        const root = path.dirname(dir)
        return [path.join(root, 'src') + path.sep, path.join(root, 'dist') + path.sep]
      }
      dir = path.dirname(dir)
    }
    return [here + path.sep]
  } catch {
    return []
  }
})()

/** Converts a script name (path or URL) to a path when it is a file URL. */
export function scriptPath(script: string): string {
  if (script.startsWith('file://')) {
    try {
      return fileURLToPath(script)
    } catch {
      return script
    }
  }
  return script
}

/** Classifies a script name. */
export function frameOrigin(script: string): FrameOrigin {
  if (script === '' || script.startsWith('node:') || !(script.includes('/') || script.includes('\\'))) return 'node'
  const file = scriptPath(script)
  if (OWN_DIRS.some((dir) => file.startsWith(dir))) return 'leakspec'
  if (/[\\/]node_modules[\\/]/.test(file)) return 'node_modules'
  return 'user'
}

/** The raw frames of a trace node, innermost first (as recorded, not mapped). */
export function traceFrames(graph: HeapGraph, traceNodeId: number): StackFrame[] {
  const frames: StackFrame[] = []
  let id = traceNodeId
  for (let guard = 0; id > 0 && guard < 512; guard++) {
    const fnIndex = graph.traceFunctionOf[id] ?? -1
    const fn = fnIndex >= 0 ? graph.traceFunctions[fnIndex] : undefined
    if (fn && !(fn.name === '(root)' && fn.script === '')) {
      frames.push({
        functionName: fn.name === '' ? '(anonymous)' : fn.name,
        file: scriptPath(fn.script),
        line: fn.line,
        column: fn.column,
        sourceMapped: false,
      })
    }
    id = graph.traceParentOf[id] ?? 0
  }
  return frames
}

/**
 * Whether the object was allocated by leakspec: its innermost frame outside node and `node_modules`
 * is leakspec's own code. A package that leakspec calls counts as leakspec (the runner's source-map
 * hook that maps the diagnosis's frames); a package that user code calls counts as the user's.
 */
export function allocatedByLeakspec(frames: readonly StackFrame[]): boolean {
  for (const frame of frames) {
    const origin = frameOrigin(frame.file)
    if (origin === 'node' || origin === 'node_modules') continue
    return origin === 'leakspec'
  }
  return false
}

/** Frames worth showing: user code (and `node_modules` when asked), innermost first. */
export function userFrames(frames: readonly StackFrame[], includeNodeModules: boolean): StackFrame[] {
  return frames.filter((frame) => {
    const origin = frameOrigin(frame.file)
    return origin === 'user' || (includeNodeModules && origin === 'node_modules')
  })
}

/** A stand-in for a V8 CallSite, for `Error.prepareStackTrace` hooks that map positions. */
class FakeCallSite {
  readonly #frame: StackFrame
  constructor(frame: StackFrame) {
    this.#frame = frame
  }
  getThis(): undefined {
    return undefined
  }
  getTypeName(): string | null {
    return null
  }
  getFunction(): undefined {
    return undefined
  }
  getFunctionName(): string | null {
    return this.#frame.functionName
  }
  getMethodName(): string | null {
    return null
  }
  getFileName(): string {
    return this.#frame.file
  }
  getLineNumber(): number {
    return this.#frame.line
  }
  getColumnNumber(): number {
    return this.#frame.column
  }
  getEvalOrigin(): undefined {
    return undefined
  }
  getScriptNameOrSourceURL(): string {
    return this.#frame.file
  }
  getScriptHash(): string {
    return ''
  }
  getEnclosingColumnNumber(): number {
    return this.#frame.column
  }
  getEnclosingLineNumber(): number {
    return this.#frame.line
  }
  getPosition(): number {
    return 0
  }
  getPromiseIndex(): null {
    return null
  }
  isToplevel(): boolean {
    return false
  }
  isEval(): boolean {
    return false
  }
  isNative(): boolean {
    return false
  }
  isConstructor(): boolean {
    return false
  }
  isAsync(): boolean {
    return false
  }
  isPromiseAll(): boolean {
    return false
  }
  toString(): string {
    return `${this.#frame.functionName} (${this.#frame.file}:${this.#frame.line}:${this.#frame.column})`
  }
}

const FRAME_PATTERN = /\(?([^()\s]+|[^()]+):(\d+):(\d+)\)?\s*$/

/**
 * Maps a frame through source maps, best effort:
 * 1. the process's `Error.prepareStackTrace` hook, when one is installed (Vitest's module runner
 *    installs one that knows the source maps of the files it transformed; so does source-map-support);
 * 2. `module.findSourceMap()` (Node with `--enable-source-maps`).
 * Returns the frame unchanged when neither knows the file.
 */
export function mapFrame(frame: StackFrame): StackFrame {
  if (frame.line <= 0) return frame
  const prepare = (Error as { prepareStackTrace?: (error: Error, stack: unknown[]) => unknown }).prepareStackTrace
  if (typeof prepare === 'function') {
    try {
      const error = new Error('leakspec')
      const text = prepare(error, [new FakeCallSite(frame)])
      if (typeof text === 'string') {
        const last = text.split('\n').pop() ?? ''
        const match = FRAME_PATTERN.exec(last)
        if (match) {
          const file = scriptPath(match[1]!.trim())
          const line = Number(match[2])
          const column = Number(match[3])
          if (file !== frame.file || line !== frame.line || column !== frame.column) {
            return { ...frame, file, line, column, sourceMapped: true }
          }
        }
      }
    } catch {
      // fall through to node's source maps
    }
  }
  const findSourceMap = (nodeModule as { findSourceMap?: (file: string) => unknown }).findSourceMap
  if (typeof findSourceMap === 'function') {
    try {
      const map = findSourceMap(frame.file) as
        | { findEntry(line: number, column: number): { originalSource?: string; originalLine?: number; originalColumn?: number } }
        | undefined
      const entry = map?.findEntry(frame.line - 1, frame.column - 1)
      if (entry?.originalSource !== undefined && entry.originalLine !== undefined) {
        return {
          ...frame,
          file: scriptPath(entry.originalSource),
          line: entry.originalLine + 1,
          column: (entry.originalColumn ?? 0) + 1,
          sourceMapped: true,
        }
      }
    } catch {
      // unmapped
    }
  }
  return frame
}

/** `name (file:line:column)`, with the file relative to the working directory when inside it. */
export function formatFrame(frame: StackFrame): string {
  const cwd = process.cwd() + path.sep
  const file = frame.file.startsWith(cwd) ? frame.file.slice(cwd.length) : frame.file
  const where = frame.line > 0 ? `${file}:${frame.line}:${frame.column}` : file
  return `${frame.functionName} (${where})`
}
