/** A long-lived Map where every call adds and removes entries (net zero). */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'Map churn: a module Map, set 3 entries then delete them per call (net size 0)'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const sessions = new Map()
  let n = 0
  return () => {
    const id = n++
    sessions.set(`a${id}`, { id })
    sessions.set(`b${id}`, { id })
    sessions.set(`c${id}`, { id })
    sessions.delete(`a${id}`)
    sessions.delete(`b${id}`)
    sessions.delete(`c${id}`)
    return sessions.size
  }
}
