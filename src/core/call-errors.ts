/**
 * What a call of the function under test returned or threw, in words: shared by every place that
 * calls user code (the Node caller, the page caller of Browser Mode, the stacks pass, the runner
 * hooks). Pure: no `node:` modules, so the page bundle uses it too.
 */
import { LeakCheckError } from './errors.js'

/** Whether `value` is a promise or any thenable (an object or function with a `then` method). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * A short description of a thrown value for a message: `Name: message`, or the value's type and
 * JSON. Duck-typed, not `instanceof Error`: errors from another realm (Jest's test context, vm pools,
 * a page) fail that test.
 */
export function describeError(error: unknown): string {
  if (error !== null && typeof error === 'object' && typeof (error as Error).message === 'string') {
    const name = (error as Error).name
    return `${typeof name === 'string' ? name : 'Error'}: ${(error as Error).message}`
  }
  try {
    return `${typeof error} ${JSON.stringify(error)}`
  } catch {
    return String(error)
  }
}

/** `FN_THREW`: call `index` (1-based) threw `error`. Never a leak verdict. */
export function callThrew(index: number, error: unknown): LeakCheckError {
  return new LeakCheckError(
    'FN_THREW',
    `leakspec: the function under test threw on call ${index}: ${describeError(error)}. ` +
      'This is not a leak verdict; fix the error (every call must succeed) and run the check again.',
    { cause: error, call: index },
  )
}

/** `FN_REJECTED`: the promise of call `index` rejected with `error`. Never a leak verdict. */
export function callRejected(index: number, error: unknown): LeakCheckError {
  return new LeakCheckError(
    'FN_REJECTED',
    `leakspec: the function under test rejected on call ${index}: ${describeError(error)}. ` +
      'This is not a leak verdict; fix the error (every call must succeed) and run the check again.',
    { cause: error, call: index },
  )
}

/** `CALL_TIMEOUT`: the promise of call `index` did not settle within `timeoutMs` milliseconds. */
export function callTimedOut(index: number, timeoutMs: number): LeakCheckError {
  return new LeakCheckError(
    'CALL_TIMEOUT',
    `leakspec: call ${index} of the function under test did not settle within ${timeoutMs} ms ` +
      '(its promise or thenable never resolved or rejected). This is not a leak verdict. ' +
      'Fix: make sure every call settles, or raise the `callTimeout` option.',
    { call: index },
  )
}
