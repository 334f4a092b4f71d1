/** A 1 KiB string per call kept in a long-lived array. */
export const truth = 'leak'
export const bytesPerCall = 1040
export const about = 'a 1 KiB string per call into a global array'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const lines = []
  let n = 0
  const filler = '.'.repeat(1016)
  return () => {
    // A template literal makes a cons string; reading a character flattens it into a fresh
    // 1 KiB sequential string, which the array then keeps.
    const line = `${n++}:${filler}`
    line.charCodeAt(1)
    lines.push(line)
    return line.length
  }
}
