/**
 * Calls a Jest test or hook function the way jest-circus does: with a `done` callback when it
 * declares a parameter, otherwise awaiting what it returns; `this` is the test context.
 */
import { isThenable } from '../core/call-errors.js'

function asError(reason: unknown): unknown {
  if (reason instanceof Error) return reason
  return new Error(`done() was called with ${typeof reason === 'string' ? JSON.stringify(reason) : String(reason)}`)
}

/**
 * Calls `fn` with `this` = `context`.
 * @returns a promise that settles when the function is done (callback called or promise settled)
 */
export function invokeJestFunction(fn: (...args: unknown[]) => unknown, context: unknown): Promise<void> {
  if (fn.length > 0) {
    return new Promise<void>((resolve, reject) => {
      const done = (reason?: unknown): void => {
        if (reason === undefined || reason === null || reason === false) resolve()
        else reject(asError(reason))
      }
      ;(done as { fail?: (reason: unknown) => void }).fail = (reason: unknown) => reject(asError(reason ?? 'fail'))
      let returned: unknown
      try {
        returned = fn.call(context, done)
      } catch (error) {
        reject(error)
        return
      }
      if (isThenable(returned)) {
        reject(new Error('Test functions cannot both take a `done` callback and return something. Either use a `done` callback, or return a promise.'))
      }
    })
  }
  try {
    const returned = fn.call(context)
    return isThenable(returned) ? Promise.resolve(returned).then(() => undefined) : Promise.resolve()
  } catch (error) {
    return Promise.reject(error)
  }
}
