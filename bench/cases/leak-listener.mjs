/** A listener added per call on a long-lived EventEmitter and never removed. */
import { EventEmitter } from 'node:events'

export const truth = 'leak'
export const bytesPerCall = 48
export const about = 'a listener per call on a module EventEmitter (closure + array slot), never removed'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const bus = new EventEmitter()
  bus.setMaxListeners(0)
  let n = 0
  return () => {
    const id = n++
    bus.on('message', () => id)
    return bus.listenerCount('message')
  }
}
