/**
 * Human names for heap nodes and retainer paths: V8's internal names (`(closure)`, `(string)`,
 * `(array)`, `system / Context`) are shown through what owns them, and a path from a GC root
 * becomes a readable chain such as `module scope (store.ts) › registry: Map › entry › Session`.
 */
import type { PathStep } from '../core/diagnosis.js'
import * as path from 'node:path'
import {
  buildRetainers,
  edgeName,
  edgeTarget,
  edgeType,
  findEdge,
  nodeName,
  nodeType,
  type HeapGraph,
  type Retainers,
} from './graph.js'
import { frameOrigin, scriptPath } from './frames.js'
import { frameOfStackSlot } from './stack-frames.js'

const INTERNAL_TYPES = new Set(['hidden', 'array', 'code', 'number', 'object shape', 'synthetic', 'native'])
const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string'])
const MAP_LIKE = new Set(['Map', 'Set', 'WeakMap', 'WeakSet'])

/** Whether a node is one of V8's internal objects rather than a JavaScript value a user wrote. */
export function isInternalNode(graph: HeapGraph, n: number): boolean {
  const type = nodeType(graph, n)
  if (INTERNAL_TYPES.has(type)) return true
  if (type === 'object') {
    const name = nodeName(graph, n)
    return name.startsWith('system / ') || name === '' || name.startsWith('(')
  }
  return false
}

/** The label of a node as a user would name it. */
export function nodeLabel(graph: HeapGraph, n: number): string {
  const type = nodeType(graph, n)
  const name = nodeName(graph, n)
  switch (type) {
    case 'closure':
      return name === '' ? '(anonymous function)' : `${name}()`
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)'
    case 'number':
      return '(number)'
    case 'array':
      return name === '' || name.startsWith('(') ? '(array)' : `(array ${name})`
    case 'regexp':
      return 'RegExp'
    case 'symbol':
      return 'Symbol'
    case 'bigint':
      return 'BigInt'
    case 'object':
      if (name === 'system / Context') return '(closure scope)'
      if (name.startsWith('system / ')) return `(${name.slice('system / '.length)})`
      return name === '' ? 'Object' : name.split(' ')[0]!
    default:
      return name.startsWith('system / ') ? `(${name.slice('system / '.length)})` : name || `(${type})`
  }
}

/** The grouping key (and display name) of a leaked node: constructor name, or V8's kind. */
export function groupName(graph: HeapGraph, n: number): string {
  const type = nodeType(graph, n)
  const name = nodeName(graph, n)
  if (STRING_TYPES.has(type)) return '(string)'
  if (type === 'closure') return name === '' ? '(closure)' : `(closure) ${name}`
  if (type === 'object') {
    if (name === 'system / Context') return '(closure scope)'
    return name === '' ? 'Object' : name.split(' ')[0]!
  }
  if (type === 'array') return name === '' || name === '(internal array)' ? '(array)' : `(array) ${name}`
  if (type === 'number') return '(heap number)'
  return name.startsWith('system / ') ? `(${name.slice('system / '.length)})` : `(${type}) ${name}`
}

/** Finds a script file near a node (a closure, a context or a module) by following code links. */
export function fileNear(graph: HeapGraph, retainers: Retainers, n: number): string | undefined {
  const seen = new Set<number>()
  let frontier = [n]
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: number[] = []
    for (const node of frontier) {
      if (seen.has(node)) continue
      seen.add(node)
      const type = nodeType(graph, node)
      const name = nodeName(graph, node)
      if (type === 'code' && (name.startsWith('file://') || name.startsWith('/') || /^[A-Za-z]:[\\/]/.test(name))) {
        return scriptPath(name)
      }
      for (const edge of ['shared', 'script_or_debug_info', 'script', 'function']) {
        const e = findEdge(graph, node, edge)
        if (e >= 0) next.push(edgeTarget(graph, e))
      }
      if (name === 'system / Context' && depth === 0) {
        // A scope: the functions defined in it point to it through their `context` edge.
        for (let r = retainers.first[node]!; r < retainers.first[node + 1]! && next.length < 8; r++) {
          const e = retainers.edges[r]!
          if (edgeName(graph, e) === 'context' && nodeType(graph, retainers.owner[e]!) === 'closure') next.push(retainers.owner[e]!)
        }
      }
    }
    frontier = next
  }
  return undefined
}

function shortFile(file: string): string {
  const cwd = process.cwd() + path.sep
  return file.startsWith(cwd) ? file.slice(cwd.length) : path.basename(file)
}

/** Whether a Context node is a top-level (module or script) scope. */
function isTopLevelScope(graph: HeapGraph, n: number): boolean {
  const previous = findEdge(graph, n, 'previous')
  if (previous < 0) return true
  const name = nodeName(graph, edgeTarget(graph, previous))
  return name.includes('NativeContext') || name.includes('ScriptContext')
}

/**
 * Turns the edges of a path (root first) into readable steps. Internal hops (backing stores, cells,
 * hash tables, a closure's link to its scope) are folded into the step they serve.
 */
export function describePath(graph: HeapGraph, retainers: Retainers, edges: readonly number[]): PathStep[] {
  const steps: PathStep[] = []
  let lastVisible = -1
  let onStack = false
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!
    const to = edgeTarget(graph, e)
    const type = edgeType(graph, e)
    const name = edgeName(graph, e)
    const toName = nodeName(graph, to)
    const toType = nodeType(graph, to)
    const isLast = i === edges.length - 1
    const source = edgeSource(graph, edges, i)
    if (i > 0 && nodeName(graph, source) === '(Stack roots)' && nodeType(graph, source) === 'synthetic') {
      // A local or temporary of a function that was running when the snapshot was taken.
      steps.push({ edge: '', kind: 'scope', label: runningFrameLabel(graph, retainers, source, e) })
      onStack = true
    }
    if (toType === 'synthetic' || (toType === 'native' && !isLast)) {
      steps.push({ edge: '', kind: 'root', label: toName })
      continue
    }
    if (toName === 'system / SourceTextModule' || toName === 'system / SyntheticModule') {
      const file = fileNear(graph, retainers, to)
      steps.push({ edge: '', kind: 'scope', label: `module${file ? ` (${shortFile(file)})` : ''}` })
      lastVisible = to
      continue
    }
    if (toName === 'system / Context') {
      // A scope held by the stack: its variables are named, no need for `(local)`.
      onStack = false
      const next = edges[i + 1]
      if (next !== undefined && edgeName(graph, next) === 'extension' && nodeName(graph, edgeTarget(graph, next)) === 'Generator') {
        // The scope of an async function (or a module with top-level await) paused at an await: its
        // generator object holds the function's locals until it resumes.
        const generator = edgeTarget(graph, next)
        const fnEdge = findEdge(graph, generator, 'function')
        const fn = fnEdge < 0 ? -1 : edgeTarget(graph, fnEdge)
        const fnName = fn < 0 ? '' : nodeName(graph, fn)
        const fnFile = fn < 0 ? undefined : fileNear(graph, retainers, fn)
        // leakspec's own async functions hold the function under test while they call it.
        const label =
          fnFile !== undefined && frameOrigin(fnFile) === 'leakspec'
            ? 'leakspec (calling the function under test)'
            : fnName !== ''
              ? `${fnName}() (suspended at an await)`
              : fnFile !== undefined
                ? `async function in ${shortFile(fnFile)} (suspended at an await)`
                : '(suspended async function)'
        steps.push({ edge: '', kind: 'scope', label })
        lastVisible = generator
        i++
        continue
      }
      if (isTopLevelScope(graph, to)) {
        const file = fileNear(graph, retainers, to)
        steps.push({ edge: '', kind: 'scope', label: `module scope${file ? ` (${shortFile(file)})` : ''}` })
        lastVisible = to
      }
      // A function's own scope: the closure before it is already shown; its variables follow.
      continue
    }
    if (isInternalNode(graph, to) && !isLast) continue
    const holderName = lastVisible >= 0 ? nodeName(graph, lastVisible) : ''
    let edge = name
    let kind: PathStep['kind'] = 'property'
    const variable = type === 'hidden' && nodeName(graph, source) === 'system / Context' ? contextVariableName(graph, source, name) : undefined
    if (onStack) {
      edge = '(local)'
      kind = 'variable'
      onStack = false
    } else if (type === 'context') kind = 'variable'
    else if (variable !== undefined) {
      edge = variable
      kind = 'variable'
    } else if (type === 'element') {
      edge = `[${name}]`
      kind = 'element'
    } else if (type === 'internal' || type === 'hidden') {
      if (MAP_LIKE.has(holderName)) {
        edge = 'entry'
        kind = 'entry'
      } else if (name === 'value' && nodeName(graph, edgeSource(graph, edges, i)) === 'system / Cell') {
        edge = '(export)'
        kind = 'variable'
      } else {
        edge = /^\d+$/.test(name) ? '' : name
        kind = 'internal'
      }
    } else if (type === 'shortcut') {
      edge = ''
      kind = 'root'
    }
    steps.push({ edge, kind, label: toName === 'global / ' || toName.startsWith('global / ') ? 'globalThis' : nodeLabel(graph, to) })
    lastVisible = to
  }
  return steps
}

/**
 * How a running function is named at the head of a path through the stack:
 * `module scope (server.js, still running)` for a module's top-level code,
 * `handle() (running, server.js:12)` for a function.
 */
function runningFrameLabel(graph: HeapGraph, retainers: Retainers, stackRoots: number, e: number): string {
  const frame = frameOfStackSlot(graph, stackRoots, e)
  if (!frame) return '(the stack of running native code)'
  const file = fileNear(graph, retainers, frame.fn)
  const where = file === undefined ? '' : shortFile(file)
  if (frame.topLevel) return `module scope (${where === '' ? '' : `${where}, `}still running)`
  const at = where === '' ? '' : `, ${where}${frame.line === undefined ? '' : `:${frame.line + 1}`}`
  return `${frame.name === '' ? '(anonymous function)' : `${frame.name}()`} (running${at})`
}

/**
 * The name of slot `index` of a scope that V8 lists without names (block scopes, such as the one
 * Vite's module runner wraps module code in): the scope's ScopeInfo lists the names in slot order.
 */
function contextVariableName(graph: HeapGraph, context: number, index: string): string | undefined {
  const scopeInfoEdge = findEdge(graph, context, 'scope_info')
  if (scopeInfoEdge < 0) return undefined
  const scopeInfo = edgeTarget(graph, scopeInfoEdge)
  for (let e = graph.firstEdge[scopeInfo]!; e < graph.firstEdge[scopeInfo + 1]!; e++) {
    if (edgeType(graph, e) !== 'hidden' || edgeName(graph, e) !== index) continue
    const target = edgeTarget(graph, e)
    return nodeType(graph, target) === 'string' ? nodeName(graph, target) : undefined
  }
  return undefined
}

function edgeSource(graph: HeapGraph, edges: readonly number[], i: number): number {
  return i === 0 ? 0 : edgeTarget(graph, edges[i - 1]!)
}

/** Renders steps as `a › b: C › entry › D`, starting at the last module scope or global when there is one. */
export function formatPath(steps: readonly PathStep[], maxSteps = 9): string {
  let start = 0
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!
    if (step.kind === 'scope' || step.label === 'globalThis') {
      start = i
      break
    }
  }
  let shown = steps.slice(start).filter((step) => step.kind !== 'root' || step === steps[start])
  let prefix = start > 0 ? '… › ' : ''
  if (shown.length > maxSteps) {
    shown = [...shown.slice(0, 2), ...shown.slice(shown.length - (maxSteps - 2))]
    const cut = 2
    return (
      prefix +
      shown
        .map((step, index) => (index === cut ? `… › ${renderStep(step)}` : renderStep(step)))
        .join(' › ')
    )
  }
  if (start === 0 && shown[0]?.kind === 'root') prefix = ''
  return prefix + shown.map(renderStep).join(' › ')
}

function renderStep(step: PathStep): string {
  if (step.kind === 'root' || step.kind === 'scope' || step.edge === '') return step.label
  if (step.kind === 'entry') return `entry › ${step.label}`
  return `${step.edge}: ${step.label}`
}

/** Builds the reverse index once and returns it with the graph (for callers that need both). */
export function withRetainers(graph: HeapGraph): { graph: HeapGraph; retainers: Retainers } {
  return { graph, retainers: buildRetainers(graph) }
}
