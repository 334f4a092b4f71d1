/**
 * The report of a check: from the verdict's decisions (or the count schedule's) to a `LeakReport`,
 * with its reason in words. Pure: no `node:` modules, so the Node sampler (`core/sampler.ts`) and the
 * page-side sampler of Vitest Browser Mode (`browser/sampler.ts`) build their reports with the same
 * code, and a message reads the same wherever the check ran.
 */
import { type Checkpoint, LINGER_MS, type CountLeak } from './count-rule.js'
import type { ResolvedLeakOptions } from './options.js'
import type { CheckFailure, LeakReport, RoundRecord, SignalSummary } from './report.js'
import {
  decideSignal,
  firstCountedRound,
  MIN_ROUND_BYTES,
  NOISE_MULTIPLE,
  roundNoise,
  type RuleParams,
  type SignalDecision,
} from './verdict.js'

/** Count readings by signal key. */
export type Counts = Record<string, number>

/** What the check's run adds to every report. */
export type ReportTotals = Pick<LeakReport, 'calls' | 'gcs' | 'durationMs' | 'callsPerRound' | 'async' | 'gc' | 'options'>

/**
 * The report of a leak decided by the count schedule, or by the counts before a failed call
 * (`failure`: the call that threw, rejected or hung after steady growth).
 * @param checkpoints the baseline first, then the checkpoints in call order
 */
export function countReport(
  leaks: readonly CountLeak[],
  checkpoints: readonly Checkpoint[],
  totals: ReportTotals,
  failure?: CheckFailure,
): LeakReport {
  const base = checkpoints[0]!
  const keys = [...new Set(checkpoints.flatMap((checkpoint) => Object.keys(checkpoint.counts)))].sort()
  const leaking = new Map(leaks.map((leak) => [leak.key, leak]))
  const signals: SignalSummary[] = [
    { key: 'heap', unit: 'bytes', status: 'undecided', perCall: 0, marginal: false },
    ...keys
      .filter((key) => leaking.has(key) || checkpoints.some((checkpoint) => (checkpoint.counts[key] ?? 0) !== (base.counts[key] ?? 0)))
      .map((key): SignalSummary => {
        const leak = leaking.get(key)
        return leak === undefined
          ? { key, unit: 'count', status: 'undecided', perCall: 0, marginal: false }
          : { key, unit: 'count', status: 'leak', perCall: leak.perCall, marginal: false }
      }),
  ]
  const found = signals.filter((signal) => signal.status === 'leak')
  const relative: Record<string, number[]> = {}
  for (const key of keys) relative[key] = checkpoints.map((checkpoint) => (checkpoint.counts[key] ?? 0) - (base.counts[key] ?? 0))
  const last = checkpoints[checkpoints.length - 1]!
  const reason =
    failure === undefined
      ? `rose by at least one item per two calls between each of the last checkpoints (calls ${checkpointSpan(checkpoints)}), ` +
        `and was still there after a full GC and up to ${LINGER_MS} ms of waiting`
      : `calls 1–${last.calls} each left resources open (${leaks.map((leak) => `${leak.key} ${perCallText(leak.perCall)} per call, ${leak.grown} in all`).join('; ')}), ` +
        `then call ${failure.call} ${failureVerb(failure)}`
  return {
    verdict: 'leak',
    reason,
    signals,
    leaks: [found[0]!, ...found.slice(1)],
    stoppedEarly: false,
    decidedBy: failure === undefined ? 'counts' : 'failure',
    ...(failure === undefined ? {} : { failure }),
    checkpoints: { calls: checkpoints.map((checkpoint) => checkpoint.calls), counts: relative },
    rounds: [],
    series: { calls: [], heap: [], counts: {} },
    extraRoundsUsed: 0,
    ...totals,
  }
}

function checkpointSpan(checkpoints: readonly Checkpoint[]): string {
  return checkpoints
    .slice(-4)
    .map((checkpoint) => checkpoint.calls)
    .join(', ')
}

function failureVerb(failure: CheckFailure): string {
  if (failure.code === 'CALL_TIMEOUT') {
    const within = /did not settle within (\d+) ms/.exec(failure.message)
    return within ? `never settled (waited ${within[1]} ms)` : 'never settled'
  }
  if (failure.code === 'FN_THREW') return `threw: ${failure.message}`
  return `rejected: ${failure.message}`
}

function perCallText(perCall: number): string {
  return Math.abs(perCall - Math.round(perCall)) < 0.05 ? String(Math.round(perCall)) : perCall.toFixed(2)
}

/** Every count key in the readings, sorted. */
export function countKeys(readings: readonly Counts[]): string[] {
  const keys = new Set<string>()
  for (const reading of readings) for (const key of Object.keys(reading)) keys.add(key)
  return [...keys].sort()
}

/** The verdict for the heap (first) and every count key, from the round readings. */
export function decideAll(
  heapReadings: readonly number[],
  countReadings: readonly Counts[],
  calls: readonly number[],
  params: RuleParams,
  confirmed: boolean,
): SignalDecision[] {
  const decisions = [decideSignal('heap', 'bytes', heapReadings, calls, params, confirmed)]
  for (const key of countKeys(countReadings)) {
    const values = countReadings.map((reading) => reading[key] ?? 0)
    decisions.push(decideSignal(key, 'count', values, calls, params))
  }
  return decisions
}

/** Inputs of {@link buildReport}. */
export interface ReportInput {
  /** Whether the last round was the confirmation round. */
  confirmed: boolean
  /** Heap growth since calibration, bytes, and consecutive growing readings (memory guard). */
  grownBytes: number
  guardReadings: number
  decisions: readonly SignalDecision[]
  heapReadings: readonly number[]
  countReadings: readonly Counts[]
  roundCalls: readonly number[]
  roundTimes: readonly number[]
  params: RuleParams
  stoppedEarly: boolean
  /** Set when the check stopped because the next round would not end before the test's timeout. */
  testTimeout: { leftMs: number; gcMs: number; gcSpentMs: number } | undefined
  calls: number
  gcs: number
  durationMs: number
  callsPerRound: number
  async: boolean
  gc: LeakReport['gc']
  /** What the memory guard protects (`process`, `page`), and what one full GC's cost includes (`at this heap size`, `server round trip included`). */
  where: 'process' | 'page'
  options: ResolvedLeakOptions
}

/** The report of a check that ran its rounds (or stopped early, or ran out of time). */
export function buildReport(input: ReportInput): LeakReport {
  const { decisions, params } = input
  const first = firstCountedRound(params)
  const heapDecision = decisions[0]!
  const rounds: RoundRecord[] = input.roundCalls.map((calls, index) => {
    const changed: Record<string, number> = {}
    for (const decision of decisions.slice(1)) {
      const delta = decision.perRound[index] ?? 0
      if (delta !== 0) changed[decision.key] = delta
    }
    return {
      round: index + 1,
      calls,
      counted: index + 1 >= first,
      heapPerCall: heapDecision.perCall[index] ?? 0,
      counts: changed,
      atMs: input.roundTimes[index] ?? 0,
    }
  })
  const baseHeap = input.heapReadings[0] ?? 0
  const countSeries: Record<string, number[]> = {}
  for (const key of countKeys(input.countReadings)) {
    const base = input.countReadings[0]?.[key] ?? 0
    countSeries[key] = input.countReadings.map((reading) => (reading[key] ?? 0) - base)
  }
  const series = {
    calls: input.roundCalls.slice(),
    heap: input.heapReadings.map((value) => value - baseHeap),
    counts: countSeries,
  }
  const toSummary = (decision: SignalDecision, forceLeak = false): SignalSummary => {
    const state = decision.state
    let status: SignalSummary['status'] = 'undecided'
    if (state.status === 'clean') status = 'clean'
    else if (state.status === 'leak' || forceLeak) status = 'leak'
    const marginal = state.status === 'leak' ? state.marginal : state.status === 'pending' && state.wantsExtraRound
    const perCall =
      status === 'leak' && decision.estimatePerCall === 0 ? lastPositive(decision.perCall) : decision.estimatePerCall
    return { key: decision.key, unit: decision.unit, status, perCall, marginal }
  }
  const extraRoundsUsed = Math.max(0, input.roundCalls.length - params.rounds - (input.confirmed ? 1 : 0))
  const base = {
    rounds,
    series,
    calls: input.calls,
    gcs: input.gcs,
    durationMs: input.durationMs,
    callsPerRound: input.callsPerRound,
    extraRoundsUsed,
    async: input.async,
    gc: input.gc,
    options: input.options,
  }

  if (input.stoppedEarly) {
    const signals = decisions.map((decision) => toSummary(decision, decision.key === 'heap'))
    const heap = signals[0]!
    return {
      ...base,
      verdict: 'leak',
      signals,
      leaks: [heap, ...signals.slice(1).filter((signal) => signal.status === 'leak')],
      stoppedEarly: true,
      reason: `memory grew by at least 1 MiB in each of the last ${input.guardReadings} readings, ${formatMiB(input.grownBytes)} in all; stopped early to protect the ${input.where}`,
    }
  }

  // Only decided signals leak. A signal still waiting for an extra or a confirmation round when the
  // time budget ran out is not a leak: growth that is marginal, falling or unconfirmed is exactly
  // what bounded structures settling look like, so the check says it cannot tell.
  const ruleMet = (decision: SignalDecision): boolean =>
    decision.state.status === 'pending' && (decision.state.wantsExtraRound || decision.state.wantsConfirmRound === true)
  const unsettled = decisions.filter((decision) => decision.state.status === 'pending')
  const signals = decisions.map((decision) => toSummary(decision))
  const leaks = signals.filter((signal) => signal.status === 'leak')

  if (leaks.length === 0 && unsettled.length > 0) {
    const marginal = unsettled.filter(ruleMet)
    const evidence =
      marginal.length > 0
        ? `; ${marginal.map((decision) => `${decision.key} grew about ${decision.estimatePerCall.toFixed(1)} per call in the counted rounds, but`).join(', ')} ` +
          `the evidence was ${marginal.some((decision) => decision.state.status === 'pending' && decision.state.wantsExtraRound) ? 'marginal' : 'not yet confirmed by the confirmation round'} when it stopped`
        : ''
    const timeout = input.testTimeout
    if (timeout) {
      return {
        ...base,
        verdict: 'inconclusive',
        signals,
        cause: 'test-timeout',
        reason:
          `the test would time out before the next round ended: the test had ${formatMs(timeout.leftMs)} left when the check ` +
          `started, and after ${roundsDone(input.roundCalls.length, params.rounds, input.confirmed)} the check had used ${formatMs(input.durationMs)}, ` +
          `${formatMs(timeout.gcSpentMs)} of it in ${input.gcs} full GCs (about ${formatMs(timeout.gcMs)} each${input.where === 'page' ? ', server round trip included' : ' at this heap size'})${evidence}`,
      }
    }
    return {
      ...base,
      verdict: 'inconclusive',
      signals,
      cause: 'time-budget',
      reason:
        `the time budget of ${input.options.timeBudget} ms (not counting forced GCs) ran out after ${roundsDone(input.roundCalls.length, params.rounds, input.confirmed)} ` +
        `(about ${formatMs(input.durationMs)} at ${input.callsPerRound} calls in the first round)${evidence}`,
    }
  }
  if (leaks.length > 0) {
    const [firstLeak, ...rest] = leaks
    const extended = extraRoundsUsed > 0 ? `, after ${extraRoundsUsed} extra round(s) because the evidence was marginal` : ''
    const confirmed = input.confirmed ? ' and again in a confirmation round' : ''
    const cut = unsettled.length > 0 ? '; other signals were still undecided when the time budget ran out' : ''
    return {
      ...base,
      verdict: 'leak',
      signals,
      leaks: [firstLeak!, ...rest],
      stoppedEarly: false,
      reason: `grew in each of the last ${params.confirmRounds} rounds${confirmed}${extended}${cut}`,
    }
  }
  const decidedAt = heapDecision.state.status === 'clean' ? heapDecision.state.decidedAtRound : input.roundCalls.length
  const extendedNote = extraRoundsUsed > 0 ? ` after ${extraRoundsUsed} extra round(s) to settle marginal growth` : ''
  const decidingCalls = input.roundCalls[decidedAt - 1] ?? 0
  if (heapDecision.state.status === 'clean' && heapDecision.state.settling === true) {
    const window = heapDecision.perRound.slice(Math.max(0, decidedAt - params.confirmRounds - 1), decidedAt)
    const factor = window.length >= 2 ? (window[window.length - 1]! / window[0]!) ** (1 / (window.length - 1)) : 1
    return {
      ...base,
      verdict: 'clean',
      signals,
      reason:
        `no signal leaked${extendedNote}: the heap grew in the counted rounds and in the confirmation round, but by about ` +
        `${factor.toFixed(2)} times as much per round while the calls doubled (a per-call leak doubles): bounded growth still settling`,
    }
  }
  if (heapDecision.state.status === 'clean' && heapDecision.state.belowNoise === true) {
    const noise = roundNoise(heapDecision.perRound, first - 1) ?? 0
    // Every counted round of the window had to stand clear of the noise, so the smallest of them sets
    // the resolution (not the last, which has the most calls).
    const windowCalls = input.roundCalls.slice(Math.max(first, decidedAt - params.confirmRounds + 1) - 1, decidedAt)
    const smallest = windowCalls.length > 0 ? Math.min(...windowCalls) : 0
    const resolution = smallest > 0 ? Math.max(params.floor, (NOISE_MULTIPLE * noise) / smallest) : params.floor
    return {
      ...base,
      verdict: 'clean',
      signals,
      reason:
        `no signal leaked by round ${decidedAt}${extendedNote}: the heap's growth stayed within the noise of the ` +
        `first rounds (about ${formatKb(noise)} per round); a leak of more than about ${Math.ceil(resolution)} B per call would have ` +
        'stood clear of it (raise timeBudget or extraRounds to look closer)',
    }
  }
  const resolutionNote =
    decidingCalls > 0 && decidingCalls * params.floor < MIN_ROUND_BYTES
      ? `; with ${decidingCalls} calls in that round, heap growth below ${Math.ceil(MIN_ROUND_BYTES / decidingCalls)} B per call is below the resolution (raise timeBudget for more calls per round)`
      : ''
  return {
    ...base,
    verdict: 'clean',
    signals,
    reason: `no signal grew in counted round ${decidedAt}${extendedNote}${resolutionNote}`,
  }
}

/** `3 of 7 rounds`, or `7 rounds, 2 extra rounds and the confirmation round` — never `9 of 7`. */
function roundsDone(done: number, planned: number, confirmed: boolean): string {
  const normal = Math.min(done - (confirmed ? 1 : 0), planned)
  const extra = done - normal - (confirmed ? 1 : 0)
  if (extra === 0 && !confirmed) return `${normal} of ${planned} rounds`
  const parts = [`${normal} rounds`]
  if (extra > 0) parts.push(`${extra} extra round${extra === 1 ? '' : 's'} for marginal evidence`)
  if (confirmed) parts.push('the confirmation round')
  return parts.length === 2 ? parts.join(' and ') : `${parts[0]}, ${parts[1]} and ${parts[2]}`
}

function lastPositive(values: readonly number[]): number {
  for (let i = values.length - 1; i >= 0; i--) if (values[i]! > 0) return values[i]!
  return 0
}

function formatMiB(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`
}

function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`
}
