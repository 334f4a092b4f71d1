/** Array pipelines: map/filter/reduce/sort/spread per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'array pipelines: from → map → filter → sort → spread → reduce over 50 items per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  return () => {
    const values = Array.from({ length: 50 }, (_, i) => (i * 7919) % 101)
    const sorted = [...values.map((x) => x * 2).filter((x) => x % 3 !== 0)].sort((a, b) => a - b)
    return sorted.reduce((sum, x) => sum + x, 0)
  }
}
