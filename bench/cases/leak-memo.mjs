/** An unbounded memo: every new argument adds a cached result. */
export const truth = 'leak'
export const bytesPerCall = 120
export const about = 'an unbounded memo keyed by the argument; every call uses a new argument'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const memo = {}
  const slowSquare = (x) => {
    const key = `x${x}`
    if (!(key in memo)) memo[key] = { value: x * x, label: `sq(${x})` }
    return memo[key].value
  }
  let n = 0
  return () => slowSquare(n++)
}
