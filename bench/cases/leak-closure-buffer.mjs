/** Every 10th call keeps a closure that holds a 1 KiB Buffer. */
export const truth = 'leak'
export const bytesPerCall = 110
export const about = 'a closure holding a 1 KiB Buffer every 10th call (≈ 100 B/call external + a little heap)'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const callbacks = []
  let n = 0
  return () => {
    if (n++ % 10 === 0) {
      const buffer = Buffer.alloc(1024, 1)
      callbacks.push(() => buffer.length)
    }
    return callbacks.length
  }
}
