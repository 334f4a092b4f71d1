/** Allocate a small object graph per call and drop it. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'allocate-and-drop: a small object with a nested array per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let id = 0
  return () => ({ id: id++, name: 'item', tags: ['a', 'b', 'c'], nested: { x: 1, y: 2 } })
}
