/** A growing array of settled promises (a "pending work" list that is never drained). */
export const truth = 'leak'
export const bytesPerCall = 48
export const about = 'a growing array of promises: each call pushes the promise it returns'

/** @returns {() => Promise<unknown>} a fresh function under test */
export function create() {
  const inflight = []
  let n = 0
  return () => {
    const p = Promise.resolve(n++)
    inflight.push(p)
    return p
  }
}
