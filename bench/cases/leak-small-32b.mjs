/** A short string per call kept in an array: about 32 B per call, near the 16 B floor. */
export const truth = 'leak'
export const bytesPerCall = 32
export const about = 'near the floor: String(n) (≤ 7 chars, 24 B) plus an array slot (8 B) per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const ids = []
  let n = 1_000_000
  return () => ids.push(String(n++))
}
