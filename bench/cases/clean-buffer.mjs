/** Allocate Buffers (heap-external memory) per call and drop them. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'allocate-and-drop: Buffer.alloc(1024), Buffer.from(string), allocUnsafe(100) per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let n = 0
  return () => {
    const a = Buffer.alloc(1024)
    a.writeUInt32LE(n++, 0)
    const b = Buffer.from(`payload ${n}`, 'utf8')
    const c = Buffer.allocUnsafe(100)
    return a.length + b.length + c.length
  }
}
