/** 300 distinct functions made with `new Function`, called round-robin (lazy compilation, feedback, tiering). */
export const truth = 'clean'
export const bytesPerCall = 0
export const about =
  '300 `new Function`s called round-robin: bytecode, feedback vectors and tier-ups arrive over thousands of calls'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const fns = Array.from(
    { length: 300 },
    (_, i) => new Function('a', 'b', `const o = { k${i}: a + ${i} }; return o.k${i} * b + ${i % 7};`),
  )
  let n = 0
  return () => fns[n++ % fns.length](n, 2)
}
