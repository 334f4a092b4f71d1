/** JSON round trip of a medium document per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'JSON.parse(JSON.stringify(doc)) of a 20-item document per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const doc = {
    items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `name-${i}`, tags: ['x', 'y'], ok: i % 2 === 0 })),
    meta: { total: 20, page: 1 },
  }
  return () => JSON.parse(JSON.stringify(doc)).items.length
}
