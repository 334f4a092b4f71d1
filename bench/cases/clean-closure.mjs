/** Create closures per call, call them, drop them. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'closures: a counter factory and an adder created and called per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const makeCounter = (start) => {
    let value = start
    return { inc: () => ++value, get: () => value }
  }
  return () => {
    const counter = makeCounter(3)
    counter.inc()
    const add = (x) => (y) => x + y + counter.get()
    return add(1)(2)
  }
}
