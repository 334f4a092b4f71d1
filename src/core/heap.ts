/**
 * The heap metric: bytes used in every V8 heap space except the spaces of compiled code.
 *
 * Code spaces are left out because JIT code and the buffers of concurrent compile jobs land there
 * (measured: it removes most of the transient spikes). Newer V8 (Node 22+) also moves bytecode and
 * deoptimization data into "trusted" spaces that grow in step with code space at tier-ups (measured on
 * Node 24), so those are left out too. The value is only exact when read as the
 * very first thing after a full `gc()`, with nothing allocated in between.
 */
import * as v8 from 'node:v8'

/** Whether a heap space holds compiled code or its metadata (left out of the metric). */
export function isCodeSpace(name: string): boolean {
  return name.startsWith('code_') || name.includes('trusted')
}

const excluded = v8.getHeapSpaceStatistics().map((space) => isCodeSpace(space.space_name))

/** Used bytes of all heap spaces except the code spaces. Read it first thing after `gc()`. */
export function heapBytesWithoutCode(): number {
  const spaces = v8.getHeapSpaceStatistics()
  let total = 0
  for (let index = 0; index < spaces.length; index++) {
    if (excluded[index] !== true) total += spaces[index]!.space_used_size
  }
  return total
}

/** Bytes held outside the JS heap (ArrayBuffer backing stores and the like). Read after a second GC. */
export function externalBytes(): number {
  return v8.getHeapStatistics().external_memory
}

/** The heap size limit of this isolate, in bytes. */
export function heapSizeLimit(): number {
  return v8.getHeapStatistics().heap_size_limit
}
