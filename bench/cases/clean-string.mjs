/** Build strings per call and drop them. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'allocate-and-drop: concatenated, flattened and sliced strings per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let n = 0
  const pad = 'x'.repeat(200)
  return () => {
    const s = `item-${n++}-${pad}`
    return s.toUpperCase().slice(3, 120).split('-').join('+')
  }
}
