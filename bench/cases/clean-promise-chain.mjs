/** A promise chain with then/catch/finally per call. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'promise chains: resolve → then → then → catch → finally, and Promise.all of three, per call'

/** @returns {() => Promise<unknown>} a fresh function under test */
export function create() {
  let n = 0
  return () =>
    Promise.resolve(n++)
      .then((x) => x + 1)
      .then((x) => Promise.all([x, Promise.resolve(x * 2), x * 3]))
      .catch(() => 0)
      .finally(() => undefined)
}
