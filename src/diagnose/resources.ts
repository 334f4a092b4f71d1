/**
 * The resource part of the diagnosis: after a `leak` verdict on a handle, fd or listener signal,
 * capture the creation (add-site) stacks of the leaked items and apply the `ignoreStacks` rule.
 */
import type { LeakReport, SignalSummary } from '../core/report.js'
import { diagnoseResourceStacks, isResourceSignal, type ResourceStacksOptions } from './stacks.js'

/**
 * Explains the resource signals of a leak report: returns the report with `stacks` set (the grouped
 * creation stacks), and with the signals whose every diagnosed item matched `ignoreStacks` removed
 * from the leaks — a report whose leaks were all ignored that way becomes `clean`. Other reports are
 * returned unchanged.
 *
 * @param fn the checked function (called a few more times with stack capture on)
 * @param report the check's report
 * @param options see {@link ResourceStacksOptions}
 */
export async function explainResourceLeaks(
  fn: () => unknown,
  report: LeakReport,
  options: ResourceStacksOptions = {},
): Promise<LeakReport> {
  if (report.verdict !== 'leak' || !report.leaks.some((signal) => isResourceSignal(signal.key))) return report
  const stacks = await diagnoseResourceStacks(fn, report, options)
  if (stacks === undefined) return report
  const dropped = new Set(stacks.signals.filter((signal) => signal.allIgnored).map((signal) => signal.key))
  const ignored: Record<string, number> = { ...report.ignored }
  for (const signal of stacks.signals) {
    for (const [pattern, count] of Object.entries(signal.ignored)) {
      const key = `ignoreStacks: ${pattern} (${signal.key}, of ${stacks.calls} diagnosis calls)`
      ignored[key] = (ignored[key] ?? 0) + count
    }
  }
  const withIgnored = Object.keys(ignored).length > 0 ? { ignored } : {}
  if (dropped.size === 0) return { ...report, ...withIgnored, stacks }
  const signals: SignalSummary[] = report.signals.map((signal) =>
    dropped.has(signal.key) ? { ...signal, status: 'clean', perCall: 0 } : signal,
  )
  const leaks = report.leaks.filter((signal) => !dropped.has(signal.key))
  const [first, ...rest] = leaks
  if (first === undefined) {
    const { leaks: _leaks, stoppedEarly: _stopped, stacks: _stacks, ...base } = report
    return {
      ...base,
      ...withIgnored,
      verdict: 'clean',
      signals,
      reason: `the only leaking signals (${[...dropped].join(', ')}) came from stacks that match ignoreStacks`,
    }
  }
  return { ...report, ...withIgnored, signals, leaks: [first, ...rest], stacks }
}
