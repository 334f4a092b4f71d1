/** Allocate typed arrays per call and drop them. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'allocate-and-drop: Float64Array(256) (2 KiB, off-heap) and Uint8Array(16) (on-heap) per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  return () => {
    const big = new Float64Array(256)
    big[0] = Math.random()
    const small = new Uint8Array(16)
    small[1] = 7
    return big[0] + small[1]
  }
}
