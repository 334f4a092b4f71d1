/** A timer created and cleared per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'timers that complete: setTimeout(1 s) then clearTimeout per call, and setImmediate+clearImmediate'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const noop = () => {}
  return () => {
    const t = setTimeout(noop, 1000)
    clearTimeout(t)
    const i = setImmediate(noop)
    clearImmediate(i)
    return 1
  }
}
