/** A lazily created singleton: the first call allocates a large object, later calls reuse it. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'lazy singleton: first call builds a 64 KiB table and a 1000-entry Map, later calls reuse them'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let instance
  const getInstance = () => {
    instance ??= {
      table: new Array(8192).fill(0).map((_, i) => i),
      index: new Map(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])),
    }
    return instance
  }
  let n = 0
  return () => getInstance().index.get(`k${n++ % 1000}`)
}
