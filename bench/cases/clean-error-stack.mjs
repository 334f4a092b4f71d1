/** Errors thrown, caught and their stack read per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'errors with stack: throw, catch, read error.stack (stack formatted lazily) per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const deep = (n) => {
    if (n === 0) throw new Error('boom', { cause: { code: 42 } })
    return deep(n - 1)
  }
  return () => {
    try {
      deep(5)
    } catch (error) {
      return error.stack.length
    }
    return 0
  }
}
