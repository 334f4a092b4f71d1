/** An object per call pushed into a long-lived array. */
export const truth = 'leak'
export const bytesPerCall = 56
export const about = 'an object per call into a global array: { id, at } plus the array slot'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const log = []
  let n = 0
  return () => log.push({ id: n++, at: 1 })
}
