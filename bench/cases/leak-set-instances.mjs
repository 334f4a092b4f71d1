/** A class instance per call added to a long-lived Set. */
export const truth = 'leak'
export const bytesPerCall = 80
export const about = 'a Set of class instances: a new Session per call added to a module Set'

class Session {
  constructor(id) {
    this.id = id
    this.user = null
    this.open = true
  }
}

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const active = new Set()
  let n = 0
  return () => active.add(new Session(n++)).size
}
