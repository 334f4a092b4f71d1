/**
 * The diagnosis as text, appended to the failure message of a leak.
 */
import type { Diagnosis, LeakedKind } from '../core/diagnosis.js'
import { formatFrame } from './frames.js'

function bytes(value: number): string {
  const size = Math.abs(value)
  if (size < 1000) return `${size.toFixed(0)} B`
  if (size < 1e6) return `${(size / 1e3).toFixed(1)} kB`
  return `${(size / 1e6).toFixed(1)} MB`
}

/** Counts per call, as an integer when within 10 % of one (ids reused per address can hide a few objects). */
function perCall(value: number): string {
  const nearest = Math.round(value)
  const rounded = nearest >= 1 && Math.abs(value - nearest) <= 0.1 * nearest ? String(nearest) : value.toFixed(2)
  return `${rounded} per call`
}

function kindLine(kind: LeakedKind): string {
  const owner = kind.owner ? ` · held by ${kind.owner}` : ''
  return `${kind.name}  ${perCall(kind.perCall)} · ${bytes(kind.bytesPerCall)} per call${owner}`
}

/**
 * Formats a diagnosis: one block per leaked kind with who holds it and where it was allocated.
 * @returns plain text (no colours), lines indented by two spaces
 */
export function formatDiagnosis(diagnosis: Diagnosis): string {
  const seconds = (diagnosis.durationMs / 1000).toFixed(1)
  const lines: string[] = []
  lines.push(
    `Diagnosis (${diagnosis.calls} more calls with ${diagnosis.backend === 'v8-profiler-next' ? 'allocation sampling' : 'allocation tracking'}, then one heap snapshot; ${diagnosis.backend}, ${seconds} s):`,
  )
  if (diagnosis.error) {
    lines.push(`  The diagnosis could not be completed: ${diagnosis.error}. The verdict above stands.`)
    if (diagnosis.snapshotFile) lines.push(`  Heap snapshot (partial): ${diagnosis.snapshotFile}`)
    return lines.join('\n')
  }
  const regular = diagnosis.kinds.filter((kind) => kind.irregular !== true)
  const irregular = diagnosis.kinds.filter((kind) => kind.irregular === true)
  if (diagnosis.kinds.length === 0) {
    lines.push(
      `  No kind of object gained one survivor per call over the ${diagnosis.calls} calls ` +
        `(${bytes(diagnosis.retainedBytesPerCall)} per call stayed alive in all). The growth may be outside the JS heap ` +
        '(Buffers, native handles) or too irregular to attribute.',
    )
  }
  // With kinds that grew per call, the irregular ones are noise: one folded line. Without, they are
  // all the evidence there is: shown in full, marked.
  const shown = regular.length > 0 ? regular : irregular
  if (regular.length === 0 && irregular.length > 0) {
    lines.push('  No kind of object grew by a whole number per call; these grew during the calls (check them, they may be noise):')
  }
  for (const kind of shown) {
    lines.push(`  ${kindLine(kind)}`)
    if (kind.pathText) lines.push(`    held by:       ${kind.pathText}`)
    if (kind.stack && kind.stack.length > 0) {
      const [first, ...rest] = kind.stack
      const label = kind.stackSource === 'sampled' ? 'allocated in*: ' : 'allocated in:  '
      lines.push(`    ${label}${formatFrame(first!)}`)
      for (const frame of rest.slice(0, 2)) lines.push(`      called from  ${formatFrame(frame)}`)
    } else if (!kind.internal) {
      lines.push('    allocated in:  (no frame in your code: node internals or node_modules)')
    }
  }
  if (regular.length > 0 && irregular.length > 0) {
    const folded = irregular.map((kind) => `${kind.name} ${perCall(kind.perCall).replace(' per call', '/call')}`).join(', ')
    lines.push(`  Also grew, but not by a whole number per call (probably not the leak): ${folded}`)
  }
  if (shown.some((kind) => kind.stackSource === 'sampled')) {
    lines.push(
      diagnosis.backend === 'v8-profiler-next'
        ? '  * The site is the top one of allocation sampling (the v8-profiler-next backend records no stack per object).'
        : '  * V8 kept no allocation record for these objects; the site is the top one of allocation sampling.',
    )
  }
  if (!diagnosis.exactFrames && shown.some((kind) => kind.stack)) {
    lines.push('  (Frames may show a function in place of a call it inlined: code coverage is on, or exactFrames is off.)')
  }
  if (diagnosis.snapshotFile) {
    lines.push(`  Heap snapshot for DevTools (contains every string in the heap; keep it private): ${diagnosis.snapshotFile}`)
  }
  return lines.join('\n')
}
