/** A callback registry that only grows: a closure capturing the call's options per call. */
export const truth = 'leak'
export const bytesPerCall = 100
export const about = 'a registry of closures: each call registers a handler closing over its own options object'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const handlers = []
  let n = 0
  return () => {
    const options = { id: n++, retries: 3 }
    handlers.push((event) => event === options.id)
    return handlers.length
  }
}
