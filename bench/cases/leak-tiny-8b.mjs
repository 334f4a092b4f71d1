/** A small integer per call kept in an array: 8 B per call, below the 16 B floor. */
export const truth = 'leak'
export const bytesPerCall = 8
/** Documented limit: leaks below the floor (16 B/call) are not flagged. */
export const expected = 'clean'
export const about = 'below the floor (documented limit, expected NOT flagged): a small integer per call into an array'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const counts = []
  let n = 0
  return () => counts.push(n++)
}
