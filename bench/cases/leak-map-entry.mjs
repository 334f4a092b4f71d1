/** A Map entry per call, never deleted. */
export const truth = 'leak'
export const bytesPerCall = 80
export const about = 'a Map entry per call: new string key → small object, never deleted'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const registry = new Map()
  let n = 0
  return () => registry.set(`req-${n++}`, { n })
}
