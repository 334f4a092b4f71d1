/** A WeakMap side table keyed by short-lived objects. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'WeakMap metadata for short-lived keys: the entry dies with its key'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const meta = new WeakMap()
  let n = 0
  return () => {
    const request = { id: n++ }
    meta.set(request, { startedAt: n, tags: ['a'] })
    return meta.get(request).startedAt
  }
}
