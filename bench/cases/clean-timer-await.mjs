/** An awaited short timeout per call: the timer fires and is gone. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'timers that complete: await a 1 ms setTimeout per call (slow calls: ~1 ms each)'

/** @returns {() => Promise<unknown>} a fresh function under test */
export function create() {
  return () => new Promise((resolve) => setTimeout(resolve, 1, 'done'))
}
