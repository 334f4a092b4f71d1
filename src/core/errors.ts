/**
 * Errors leakspec throws. A leak is a `LeakError` (an assertion failure with the evidence); anything
 * that kept the check from reaching a verdict is a `LeakCheckError` with a `code`, never a leak.
 */
import type { LeakReport } from './report.js'

/** Why a check could not reach a verdict. */
export type LeakCheckErrorCode =
  /** `fn` threw synchronously at some call. */
  | 'FN_THREW'
  /** `fn` returned a promise that rejected. */
  | 'FN_REJECTED'
  /** `fn` returned a promise or thenable that did not settle within `callTimeout`. */
  | 'CALL_TIMEOUT'
  /** Another leak check was already running in this thread. */
  | 'OVERLAP'
  /** No way to force a garbage collection was found. */
  | 'GC_UNAVAILABLE'
  /** The measurements did not allow a verdict (for example the time budget ran out). */
  | 'INCONCLUSIVE'
  /** The check was abandoned (for example its `toLeak` was not awaited and the test ended). */
  | 'ABANDONED'

/** The check could not reach a verdict; `code` says why. It never means "leak". */
export class LeakCheckError extends Error {
  override readonly name = 'LeakCheckError'
  /** Why the check stopped. */
  readonly code: LeakCheckErrorCode
  /** 1-based number of the call that failed, for `FN_THREW`, `FN_REJECTED` and `CALL_TIMEOUT`. */
  readonly call: number | undefined
  /** The partial report, when the check got far enough to have one. */
  readonly report: LeakReport | undefined

  constructor(
    code: LeakCheckErrorCode,
    message: string,
    details: { cause?: unknown; call?: number; report?: LeakReport } = {},
  ) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined)
    this.code = code
    this.call = details.call
    this.report = details.report
  }
}

/** A leak was found. The message holds the evidence; `report` holds the figures. */
export class LeakError extends Error {
  override readonly name = 'LeakError'
  /** The full report of the check that found the leak. */
  readonly report: LeakReport

  constructor(message: string, report: LeakReport) {
    super(message)
    this.report = report
  }
}
