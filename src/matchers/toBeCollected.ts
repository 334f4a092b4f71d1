/**
 * `toBeCollected`: the runner-neutral matcher for handles from `watch(obj)`. It forces GC with a
 * bounded settle loop; when the object survives, the failure names who holds it (the shortest
 * retainer path from a GC root).
 */
import { epochNow } from '../core/clock.js'
import type { CheckToken } from '../core/sampler.js'
import { estimateSnapshotMs, needsMoreTime } from '../diagnose/diagnose.js'
import { collectWatched, findHolderPath, isWatchHandle } from '../diagnose/watch.js'
import { track } from './guard.js'
import { timeLeftMs } from './time-left.js'
import type { MatcherContextLike } from './context.js'

/** What `toBeCollected` resolves to. */
export interface ToBeCollectedResult {
  readonly pass: boolean
  readonly message: () => string
}

/**
 * `await expect(watch(obj)).toBeCollected()` passes when the watched object is garbage-collected
 * after its references are dropped (several full GCs, with event-loop turns in between, about 0.2 s
 * at most). Must be awaited.
 *
 * @throws {TypeError} synchronously, when the received value is not a handle from `watch()`
 */
export function toBeCollected(this: MatcherContextLike, received: unknown): Promise<ToBeCollectedResult> {
  const hint = `expect(handle).${this.isNot ? 'not.' : ''}toBeCollected()`
  if (!isWatchHandle(received)) {
    throw new TypeError(
      `leakspec: ${hint} needs a handle from watch(obj); received ${received === null ? 'null' : typeof received}. ` +
        'Fix: `const handle = watch(obj)`, drop your references to obj, then `await expect(handle).toBeCollected()`.',
    )
  }
  const context = this
  const token: CheckToken = { aborted: false }
  const started = epochNow()
  const run = async (): Promise<ToBeCollectedResult> => {
    const outcome = await collectWatched(received)
    if (outcome.collected) {
      return {
        pass: true,
        message: () =>
          `${hint}\n\nExpected ${received.label} not to be garbage-collected, but it was collected after ${outcome.gcs} full GC(s).`,
      }
    }
    // Only a failing positive form shows the message, so only it pays for the snapshot, and only when
    // the test has time left for it.
    const tooLong = context.isNot === true ? undefined : needsMoreTime('the heap snapshot', timeLeftMs(context, started), estimateSnapshotMs)
    const skipped = tooLong === undefined ? undefined : `Who holds it was not looked up: ${tooLong} to see the retainer path.`
    const holder = context.isNot === true || skipped !== undefined ? undefined : await findHolderPath(received).catch(() => undefined)
    return {
      pass: false,
      message: () => {
        const lines = [
          hint,
          '',
          `Expected ${received.label} to be garbage-collected, but it is still reachable after ${outcome.gcs} full GCs.`,
        ]
        if (holder) {
          lines.push('', `Held by (shortest path from a GC root): ${holder.text}`)
          if (holder.snapshotFile) lines.push(`Heap snapshot (contains every string in the heap; keep it private): ${holder.snapshotFile}`)
        } else if (skipped !== undefined) {
          lines.push('', skipped)
        } else if (context.isNot !== true) {
          lines.push('', 'No strong path from a GC root was found in a heap snapshot (it may be held by native code).')
        }
        lines.push('', 'What to try: drop every reference to it (variables, arrays, Maps, listeners, timers, closures).')
        return lines.join('\n')
      },
    }
  }
  return track(run(), token, hint)
}
