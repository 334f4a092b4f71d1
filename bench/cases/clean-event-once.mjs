/** Listeners that are added and removed (or fire once) per call on a long-lived emitter. */
import { EventEmitter } from 'node:events'

export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'listeners that are removed: on + off, and once + emit, per call on a module EventEmitter'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const bus = new EventEmitter()
  return () => {
    const onData = () => {}
    bus.on('data', onData)
    bus.off('data', onData)
    bus.once('ready', () => {})
    bus.emit('ready')
    return bus.listenerCount('data')
  }
}
