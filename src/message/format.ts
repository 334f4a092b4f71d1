/**
 * Turns a report into the text a person reads in a failed test: the verdict, the evidence round by
 * round, and what to try. Plain text (no colours), so it reads the same in every runner and log.
 */
import type { LeakReport, SignalSummary } from '../core/report.js'
import { formatDiagnosis } from '../diagnose/format.js'
import { formatResourceStacks } from '../diagnose/stacks.js'
import { knownLeakLabel } from '../core/known.js'

/** Formats bytes with one decimal: `41.9 B`, `12.0 kB`, `3.2 MB` (1 kB = 1000 B). */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : ''
  const size = Math.abs(bytes)
  if (size < 1000) return `${sign}${size.toFixed(1)} B`
  if (size < 1e6) return `${sign}${(size / 1e3).toFixed(1)} kB`
  if (size < 1e9) return `${sign}${(size / 1e6).toFixed(1)} MB`
  return `${sign}${(size / 1e9).toFixed(2)} GB`
}

/** Formats an item count per call: `1 per call`, `0.5 per call`. */
function formatCount(perCall: number): string {
  const rounded = Math.abs(perCall - Math.round(perCall)) < 0.05 ? String(Math.round(perCall)) : perCall.toFixed(2)
  return `${rounded} per call`
}

/** Human name of a signal key: `heap`, `Timeout handles`, … */
export function signalName(key: string): string {
  if (key === 'heap') return 'heap'
  const [family, kind] = splitKey(key)
  if (family === 'handles') return `${kind} handles`
  if (family === 'fds') return `${kind} fds`
  if (family === 'listeners') {
    const on = kind.lastIndexOf(' on ')
    return on === -1 ? `'${kind}' listeners` : `'${kind.slice(0, on)}' listeners on ${kind.slice(on + 4)}`
  }
  if (family === 'dom') return DOM_NAMES[kind] ?? `${kind} (dom)`
  return `${kind} (${family})`
}

/** Names of the DOM signals (`dom:<kind>`), plural. */
const DOM_NAMES: Readonly<Record<string, string>> = {
  'detached nodes': 'detached DOM nodes',
  MutationObserver: 'MutationObservers still observing',
  ResizeObserver: 'ResizeObservers still observing',
  IntersectionObserver: 'IntersectionObservers still observing',
  'animation frames': 'animation frame callbacks pending',
}

/** The singular of a signal's human name, for a count of 1. */
function singular(name: string): string {
  return name
    .replace(/ (handle|fd|listener)s( on .*)?$/, ' $1$2')
    .replace(/^detached DOM nodes$/, 'detached DOM node')
    .replace(/^(\w+Observer)s still observing$/, '$1 still observing')
    .replace(/^animation frame callbacks pending$/, 'animation frame callback pending')
}

/** `file.ts:10:5` of the first user frame where the items of a signal were created or added, if known. */
function siteOf(report: LeakReport & { verdict: 'leak' }, key: string): string | undefined {
  const signal = report.stacks?.signals.find((entry) => entry.key === key)
  const frame = signal?.groups[0]?.frames[0]
  if (frame === undefined) return undefined
  const match = /\(([^()]+)\)$/.exec(frame) ?? /^at (.+)$/.exec(frame)
  return match?.[1]
}

function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':')
  return colon === -1 ? [key, ''] : [key.slice(0, colon), key.slice(colon + 1)]
}

function describeSignal(signal: SignalSummary): string {
  if (signal.unit === 'bytes') return `${formatBytes(signal.perCall)} per call`
  return formatCount(signal.perCall)
}

function padStart(text: string, width: number): string {
  return text.length >= width ? text : ' '.repeat(width - text.length) + text
}

function padEnd(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length)
}

/**
 * The headline names what to fix first: a resource left open per call (count signals) before the
 * heap bytes it holds.
 */
function headline(report: LeakReport & { verdict: 'leak' }): string {
  const leaks = report.leaks
  const counts = leaks.filter((signal) => signal.unit === 'count')
  const heap = leaks.find((signal) => signal.key === 'heap')
  const heapText = heap ? `${formatBytes(heap.perCall)} of heap per call` : undefined
  if (counts.length === 0) return `it leaks about ${heapText ?? 'memory'}`
  // DOM signals name where the items came from; the others keep the "… open" form.
  const isDom = (signal: SignalSummary): boolean => signal.key.startsWith('dom:') || (signal.key.startsWith('listeners:') && signal.key.includes(' on '))
  const item = (signal: SignalSummary, withSite: boolean): string => {
    const amount = describeSignal(signal).replace(' per call', '')
    const name = signalName(signal.key)
    const site = withSite ? siteOf(report, signal.key) : undefined
    const verb = signal.key.startsWith('listeners:') ? 'added' : 'created'
    return `${amount} ${amount === '1' ? singular(name) : name}${site !== undefined ? `, ${verb} at ${site}` : ''}`
  }
  const open = counts.filter((signal) => !isDom(signal)).map((signal) => item(signal, false))
  const dom = counts.filter(isDom).map((signal) => item(signal, true))
  const parts = [...(open.length > 0 ? [`${open.join(', ')} open`] : []), ...dom]
  return `each call leaves about ${parts.join(', ')}${heapText ? ` (and ${heapText})` : ''}`
}

/** Lines saying how many items ignore rules kept out, and which signals could not be measured. */
function ignoredLines(report: LeakReport): string[] {
  const lines: string[] = []
  for (const [rule, count] of Object.entries(report.ignored ?? {})) lines.push(`Ignored ${count} item${count === 1 ? '' : 's'} by ${rule}`)
  for (const [probe, why] of Object.entries(report.unavailable ?? {})) lines.push(`Not measured: ${probe} (${why})`)
  return lines
}

/**
 * Lines naming the known leaks that explained growth (`known leak in <package>@<version> (<link>)`),
 * what each explained, and what no known leak explains; empty when none matched.
 */
export function knownLines(report: LeakReport): string[] {
  if (report.known === undefined || report.known.length === 0) return []
  const lines = ['Known leaks (reported, not failed):']
  for (const match of report.known) {
    const what = match.kinds
      .map((kind) =>
        match.signal === 'heap'
          ? `${kind.name} ${formatCount(kind.perCall)} · ${formatBytes(kind.bytesPerCall)} per call`
          : `${kind.perCall} ${kind.name} item${kind.perCall === 1 ? '' : 's'} in the diagnosis calls`,
      )
      .join(', ')
    lines.push(`  ${knownLeakLabel(match)}${match.builtin ? '' : ' [knownLeaks]'}: ${signalName(match.signal)} — ${what}`)
    if (match.description !== undefined) lines.push(`    ${match.description}`)
  }
  for (const remainder of report.knownRemainder ?? []) {
    const amount =
      remainder.signal === 'heap'
        ? `${formatBytes(remainder.unexplained)} per call (floor ${report.options.floor} B per call)`
        : `${remainder.unexplained} item${remainder.unexplained === 1 ? '' : 's'} created elsewhere`
    lines.push(`  ${signalName(remainder.signal)} not explained by a known leak: ${amount} — ${remainder.leaks ? 'still a leak' : 'not a leak'}`)
  }
  return lines
}

/** The round-by-round table. */
export function formatRounds(report: LeakReport): string {
  if (report.rounds.length === 0) return '  (no rounds were measured)'
  const rows: string[][] = [['round', 'calls', 'heap/call', 'other signals']]
  for (const round of report.rounds) {
    const others = Object.entries(round.counts)
      .filter(([, delta]) => delta > 0)
      .map(([key, delta]) => `${splitKey(key)[1] || key} ${delta > 0 ? '+' : ''}${delta}`)
      .join(', ')
    rows.push([
      `${round.round}${round.counted ? '*' : ' '}`,
      String(round.calls),
      formatBytes(round.heapPerCall),
      others === '' ? '-' : others,
    ])
  }
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) =>
      `  ${padStart(row[0]!, widths[0]!)}  ${padStart(row[1]!, widths[1]!)}  ${padStart(row[2]!, widths[2]!)}  ${row[3]}`.trimEnd(),
    )
    .join('\n')
}

/** The count schedule's table: each count relative to the baseline, after each checkpoint's calls. */
export function formatCheckpoints(report: LeakReport & { verdict: 'leak' }): string {
  const checkpoints = report.checkpoints
  if (checkpoints === undefined) return ''
  const leaking = new Set(report.leaks.map((signal) => signal.key))
  const keys = Object.keys(checkpoints.counts).filter((key) => leaking.has(key))
  const header = ['after call', ...checkpoints.calls.map(String)]
  const rows = [header, ...keys.map((key) => [signalName(key), ...checkpoints.counts[key]!.map((value) => (value > 0 ? `+${value}` : String(value)))])]
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) => `  ${row.map((cell, column) => (column === 0 ? padEnd(cell, widths[0]!) : padStart(cell, widths[column]!))).join('  ')}`.trimEnd())
    .join('\n')
}

function footer(report: LeakReport): string {
  return (
    `${report.calls} calls · ${report.gcs} GCs · ${Math.round(report.durationMs)} ms · ` +
    `${report.callsPerRound} ${report.callsPerRound === 1 ? 'call' : 'calls'} in round 1 · gc ${report.gc}` +
    (report.async ? ' · async' : '')
  )
}

/** What closes a handle of each resource type (async_hooks type names), for the advice line. */
const HANDLE_FIXES: Readonly<Record<string, string>> = {
  Timeout: 'clear the timer (clearTimeout / clearInterval) or let it fire',
  Immediate: 'clear it (clearImmediate) or let it run',
  TCPServerWrap: 'close the server (server.close()) and wait for its close callback',
  PipeServerWrap: 'close the server (server.close()) and wait for its close callback',
  TCPSocketWrap: 'destroy the socket (socket.destroy() or socket.end()) and wait for its close event; on a server, close the accepted ends too',
  TCPWRAP: 'destroy the socket (socket.destroy()) and wait for its close event',
  PipeWrap: 'destroy the pipe or socket (socket.destroy())',
  FileHandle: 'close it (await filehandle.close())',
  FSReqCallback: 'wait for the fs call to finish before the call returns',
  ProcessWrap: "kill the child process (child.kill()) and wait for its 'close' event",
  Worker: 'terminate the worker (await worker.terminate())',
  MessagePort: 'close the port (port.close())',
  UDPWRAP: 'close the socket (socket.close())',
  TTYWrap: 'destroy the stream',
  Timer: 'clear the timer',
}

/** Handles that own other resources, most encompassing first, with what they own. */
const OWNER_ORDER = ['Worker', 'ProcessWrap', 'TCPServerWrap', 'PipeServerWrap', 'TCPSocketWrap', 'PipeWrap'] as const
const OWNED: Readonly<Record<string, string>> = {
  Worker: "a worker's message ports, pipes and stdio stream listeners",
  ProcessWrap: "a child process's stdio pipes and their listeners",
  TCPServerWrap: "a server's sockets, fds and listeners",
  PipeServerWrap: "a server's sockets, fds and listeners",
  TCPSocketWrap: "a socket's fd and listeners",
  PipeWrap: "a pipe's fd and listeners",
}

/** Handles that an owner above may hold (a timer, for one, is never a socket's own). */
const OWNABLE_HANDLES = new Set(['MessagePort', 'PipeWrap', 'TCPSocketWrap', 'TCPWRAP', 'TTYWrap'])

/** `a`, `a and b`, `a, b and c`. */
function listFormat(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/** `A` or `An`, by the first letter of the next word (the words here are English or code names). */
function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'An' : 'A'
}

/** What a failed call says about the leak that caused it. */
function failureTip(report: LeakReport & { verdict: 'leak' }): string | undefined {
  const failure = report.failure
  if (failure === undefined) return undefined
  if (/EMFILE|ENFILE|too many open files/i.test(failure.message)) {
    return `Call ${failure.call} failed because the process ran out of file descriptors (EMFILE): the calls before it used them up with this leak.`
  }
  if (/too many clients|connection limit|max_connections|remaining connection slots/i.test(failure.message)) {
    return `Call ${failure.call} failed because the server's connection limit was reached: the calls before it each kept a connection open.`
  }
  if (failure.code === 'CALL_TIMEOUT') {
    return `Call ${failure.call} waited forever after the calls before it each left a resource open: a pool whose connections are never released (client.release(), pool.end())?`
  }
  return `Call ${failure.call} failed after the calls before it each left a resource open: the leak probably caused the failure.`
}

function advice(report: LeakReport & { verdict: 'leak' }, leaks: readonly SignalSummary[]): string[] {
  const tips: string[] = []
  const failed = failureTip(report)
  if (failed !== undefined) tips.push(failed)
  // Resource advice first: when a handle, fd or listener leaks, the heap grows with it, and the
  // resource is what to fix.
  const heapTips: string[] = []
  if (leaks.some((signal) => signal.key === 'heap')) {
    heapTips.push(
      'Look for what keeps a reference after each call: a module-level array or Map, a cache without a bound, ' +
        'a closure stored on a long-lived object, a listener or timer that is never removed.',
    )
    heapTips.push(
      `If this is a bounded cache that is still filling, warm it up before the check or raise \`rounds\` ` +
        `(now ${report.options.rounds}; each extra round doubles the calls).`,
    )
  }
  const kinds = (family: string): string[] => leaks.filter((signal) => signal.key.startsWith(`${family}:`)).map((signal) => splitKey(signal.key)[1])
  const handles = kinds('handles')
  const fds = kinds('fds')
  const listeners = kinds('listeners')
  // Handles first, owners before what they own: a leaked worker, child process, socket or server
  // leaks its ports, pipes, fds and stream listeners with it.
  const owner = OWNER_ORDER.find((kind) => handles.includes(kind))
  const ordered = owner === undefined ? handles : [owner, ...handles.filter((kind) => kind !== owner)]
  const owned = handles.filter((kind) => kind !== owner && OWNABLE_HANDLES.has(kind)).length + fds.length + listeners.length
  for (const kind of ordered) {
    const fix = HANDLE_FIXES[kind] ?? 'clear the timer, close the server, socket or file, or kill the child process'
    let tip = `${article(kind)} ${kind} handle stays open per call: ${fix} before the call returns (or resolves).`
    if (kind === owner && owned > 0) {
      tip += ` The other resources that leak with it are probably its own (${OWNED[kind]}): check again once it is fixed.`
    }
    tips.push(tip)
  }
  // One line for every leaked fd kind, and one for every leaked listener event.
  if (fds.length > 0) {
    const [subject, it] = fds.length === 1 ? ['A file descriptor', 'it'] : ['File descriptors', 'them']
    tips.push(
      `${subject} (${fds.join(', ')}) ${fds.length === 1 ? 'stays' : 'stay'} open per call: close what opens ${it} (fs.close, ` +
        'filehandle.close(), stream.destroy(), socket.destroy(), server.close()) before the call returns (or resolves).',
    )
  }
  if (listeners.length > 0) {
    const quoted = (kind: string): string => {
      const on = kind.lastIndexOf(' on ')
      return on === -1 ? `'${kind}'` : `'${kind.slice(0, on)}' on ${kind.slice(on + 4)}`
    }
    const events = listFormat(listeners.map(quoted))
    const [subject, it] =
      listeners.length === 1
        ? [`${article(listeners[0]!)} ${events.replace(/ on (.*)$/, ' listener on $1').replace(/'$/, "' listener")} is`, 'it']
        : [`${events} listeners are`, 'them']
    const dom = listeners.some((kind) => kind.includes(' on '))
    tips.push(
      `${subject} added per call and never removed: remove ${it} (off, removeListener, removeEventListener), add ${it} ` +
        `once outside the call, or tie ${it} to an AbortSignal that is aborted.` +
        (dom ? ` In a component, remove ${it} where it unmounts (the function an effect returns, onUnmounted, disconnectedCallback).` : ''),
    )
  }
  const domKinds = kinds('dom')
  if (domKinds.includes('detached nodes')) {
    tips.push(
      'DOM nodes created per call stay reachable while out of the document: drop every reference to a node when it is removed ' +
        '(arrays, Maps, closures, listeners on long-lived targets such as window), or unmount what rendered it (unmount(), cleanup()).',
    )
  }
  const observers = domKinds.filter((kind) => kind.endsWith('Observer'))
  if (observers.length > 0) {
    tips.push(
      `${listFormat(observers)} ${observers.length === 1 ? 'observer keeps' : 'observers keep'} observing per call: call disconnect() ` +
        'when done (in the function an effect returns, or where the component unmounts).',
    )
  }
  if (domKinds.includes('animation frames')) {
    tips.push('Animation frame callbacks stay pending per call: cancel them (cancelAnimationFrame) or stop requesting new frames when done.')
  }
  return [...tips, ...heapTips]
}

/**
 * The failure text for a leak: used by `.not.toLeak()` and by `assertNoLeaks`.
 * @param hint the first line, for example the matcher hint `expect(fn).not.toLeak()`
 */
export function formatLeak(report: LeakReport & { verdict: 'leak' }, hint: string): string {
  const lines: string[] = [hint, '']
  lines.push(`Expected the function not to leak, but ${headline(report)}.`)
  lines.push('')
  lines.push(
    report.stoppedEarly || report.decidedBy !== undefined
      ? `Leaking (${report.reason}):`
      : `Leaking (${report.reason}; heap floor ${report.options.floor} B per call):`,
  )
  const ordered = [...report.leaks].sort((a, b) => (a.unit === b.unit ? 0 : a.unit === 'count' ? -1 : 1))
  const width = Math.max(...ordered.map((signal) => signalName(signal.key).length))
  for (const signal of ordered) {
    lines.push(
      `  ${padEnd(signalName(signal.key), width)}  ${describeSignal(signal)}${signal.marginal ? '  (marginal)' : ''}`,
    )
  }
  lines.push('')
  if (report.checkpoints !== undefined) {
    lines.push(formatCheckpoints(report))
    lines.push('  (counts since the first call; decided by the count schedule, before the heap rounds)')
  } else {
    lines.push(formatRounds(report))
    lines.push('  (* counted rounds)')
  }
  lines.push('')
  lines.push(footer(report))
  lines.push(...ignoredLines(report))
  const released = Object.entries(report.released ?? {})
  if (released.length > 0) {
    lines.push(
      `Released after the verdict, so that the next test can open and connect again: ${listFormat(
        released.map(([key, count]) => `${count} ${signalName(key)}`),
      )} that the check's calls (the measured ones and the diagnosis's) left open (option \`release: false\` keeps them).`,
    )
  }
  const known = knownLines(report)
  if (known.length > 0) lines.push('', ...known)
  if (report.stacks !== undefined) {
    lines.push('')
    lines.push(formatResourceStacks(report.stacks, signalName))
  }
  if (report.diagnosisSkipped !== undefined) {
    lines.push('')
    lines.push(`Diagnosis skipped: ${report.diagnosisSkipped}.`)
  }
  if (report.diagnosis !== undefined) {
    lines.push('')
    lines.push(formatDiagnosis(report.diagnosis))
  }
  const tips = advice(report, report.leaks)
  if (tips.length > 0) {
    lines.push('')
    lines.push('What to try:')
    for (const tip of tips) lines.push(`  - ${tip}`)
  }
  return lines.join('\n')
}

/** The failure text when `.toLeak()` was expected but the function is clean. */
export function formatClean(report: LeakReport & { verdict: 'clean' }, hint: string): string {
  return [
    hint,
    '',
    `Expected the function to leak, but it is clean: ${report.reason} (heap floor ${report.options.floor} B per call).`,
    '',
    formatRounds(report),
    '  (* counted rounds)',
    '',
    footer(report),
    ...ignoredLines(report),
    ...(report.known === undefined ? [] : ['', ...knownLines(report)]),
  ].join('\n')
}

/** A test timeout that leaves room for the whole check: three times what it used, rounded up to 5 s. */
function suggestedTimeoutMs(report: LeakReport): number {
  return Math.max(10_000, Math.ceil((3 * report.durationMs) / 5000) * 5000)
}

/** The error text when a check is inconclusive. */
export function formatInconclusive(report: LeakReport & { verdict: 'inconclusive' }, hint: string): string {
  const fix =
    report.cause === 'gc-unavailable'
      ? 'Fix: run node with --expose-gc (for example NODE_OPTIONS=--expose-gc); in Vitest use the leakspec() plugin, which sets it up; in Jest run node --expose-gc node_modules/jest/bin/jest.js.'
      : report.cause === 'test-timeout'
        ? `Fix: raise the test's timeout (for example to ${suggestedTimeoutMs(report)} ms: the third argument of test(), or testTimeout in the config); full GCs take longer in a bigger heap, and a verdict needs about 20 to 30 of them.`
        : 'Fix: raise the `timeBudget` option (and the test timeout with it), or make each call cheaper.'
  return [
    hint,
    '',
    `leakspec could not reach a verdict: ${report.reason}. This is neither a pass nor a leak.`,
    fix,
    '',
    formatRounds(report),
    '',
    footer(report),
  ].join('\n')
}
