/** An interval started per call and never cleared (a handle and a Timeout object per call). */
export const truth = 'leak'
export const bytesPerCall = 150
export const about = 'an interval per call (60 s), never cleared: +1 Timeout handle and its object per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  let ticks = 0
  return () => {
    setInterval(() => ticks++, 60_000)
    return ticks
  }
}
