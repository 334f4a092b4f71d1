/**
 * The heap metric: bytes used in every V8 heap space except code space.
 *
 * Code space is left out because JIT code and the buffers of concurrent compile jobs land there
 * (measured: it removes most of the transient spikes). The value is only exact when read as the
 * very first thing after a full `gc()`, with nothing allocated in between.
 */
import * as v8 from 'node:v8'

const codeSpaceIndex = v8.getHeapSpaceStatistics().findIndex((space) => space.space_name === 'code_space')

/** Used bytes of all heap spaces except code space. Read it first thing after `gc()`. */
export function heapBytesWithoutCode(): number {
  const spaces = v8.getHeapSpaceStatistics()
  let total = 0
  for (let index = 0; index < spaces.length; index++) {
    if (index !== codeSpaceIndex) total += spaces[index]!.space_used_size
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
