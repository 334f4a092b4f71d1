/** A heap number per call kept in an array: about 24–28 B per call, just above the 16 B floor. */
export const truth = 'leak'
export const bytesPerCall = 24
export const about = 'just above the floor: a non-integer number (16 B HeapNumber) plus an array slot (8 B) per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  // Start with an object so the array holds tagged elements: each double is then a boxed HeapNumber.
  const samples = [{ kind: 'samples' }]
  let n = 0
  return () => samples.push(n++ + 0.5)
}
