/**
 * The built-in happy-dom entry (`happy-dom-affectsCache`) against hand-made diagnosis data shaped as
 * leakspec's diagnosis printed it in Vitest + happy-dom 21.0.4 (React render() + cleanup() of
 * @testing-library/react): it explains only the cache entries on an element's affectsCache array,
 * only for the happy-dom versions it names, and a leak of the test's own beside it still fails.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import process from 'node:process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { measureLeaks } from '../../src/index.js'
import type { Diagnosis, LeakedKind } from '../../src/core/diagnosis.js'
import type { LeakReport, LeakFoundReport } from '../../src/core/report.js'
import { applyKnownLeaks } from '../../src/known/apply.js'
import { BUILTIN_KNOWN_LEAKS } from '../../src/known/registry.js'

/** The path the diagnosis printed for happy-dom's growth (Vitest 4.1, happy-dom 21.0.4). */
const HEAD_CACHE =
  'global › get resizeBy: get() › … › document: HTMLDocument › <symbol nodeArray>: Array › [0]: HTMLHtmlElement › <symbol nodeArray>: Array › [0]: HTMLHeadElement › <symbol affectsCache>: Array › [728]: Object'
/** A listener kept on window per call (bench/dom's react-effect case), as the diagnosis prints it. */
const WINDOW_LISTENER = 'global › window: Window › EventTargetImpl › _eventListeners › resize: Array › [40]: Function'
/** The cache's array itself, and a user's element kept in a module-level array: not the entry's. */
const HEAD_ARRAY = 'global › … › [0]: HTMLHeadElement › <symbol affectsCache>: Array'
const KEPT_ELEMENT = '(module scope of widget.ts) › kept: Array › [12]: HTMLDivElement › <symbol affectsCache>: Array › [0]: Object › result: Array'

function kind(name: string, perCall: number, bytesPerCall: number, pathText?: string): LeakedKind {
  return { name, internal: false, count: perCall * 32, perCall, bytesPerCall, ...(pathText !== undefined ? { pathText } : {}) } as LeakedKind
}

function withDiagnosis(report: LeakReport, kinds: LeakedKind[], retainedBytesPerCall: number): LeakFoundReport {
  expect(report.verdict).toBe('leak')
  const diagnosis = { calls: 32, kinds, sites: [], exactFrames: false, retainedBytesPerCall, backend: 'node:inspector', durationMs: 1, phasesMs: {}, snapshotNodes: 1, sourceMapped: false } as unknown as Diagnosis
  return { ...(report as LeakFoundReport), diagnosis }
}

let leak: LeakReport
let scratch: string
let cwd: string

beforeAll(async () => {
  // A real heap leak verdict (1 kB kept per call) to carry the hand-made diagnoses below.
  const kept: unknown[] = []
  leak = await measureLeaks(() => kept.push(new Array(128).fill(kept.length)))
  // The installed happy-dom version is read from the working directory's node_modules.
  cwd = process.cwd()
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-happy-dom-'))
  fs.mkdirSync(path.join(scratch, 'node_modules', 'happy-dom'), { recursive: true })
  fs.writeFileSync(path.join(scratch, 'node_modules', 'happy-dom', 'package.json'), JSON.stringify({ name: 'happy-dom', version: '21.0.4' }))
  process.chdir(scratch)
}, 120_000)

afterAll(() => {
  process.chdir(cwd)
  fs.rmSync(scratch, { recursive: true, force: true })
})

describe('happy-dom-affectsCache', () => {
  test('is narrow: a happy-dom version range and a path ending at an entry of an element\'s affectsCache', () => {
    const entry = BUILTIN_KNOWN_LEAKS.find((candidate) => candidate.id === 'happy-dom-affectsCache')!
    expect(entry).toMatchObject({ package: 'happy-dom', versions: '>=20.0.0 <=21.0.4' })
    expect(entry.constructorName).toBeUndefined()
    const pattern = entry.path as RegExp
    expect(pattern.test(HEAD_CACHE)).toBe(true)
    for (const other of [WINDOW_LISTENER, HEAD_ARRAY, KEPT_ELEMENT, 'global › happy-dom › Object']) expect(pattern.test(other), other).toBe(false)
  })

  test('growth it explains entirely is reported as known and the check is clean', () => {
    const report = applyKnownLeaks(withDiagnosis(leak, [kind('Object', 2, 65, HEAD_CACHE)], 70))
    expect(report.verdict).toBe('clean')
    expect(report.known).toEqual([expect.objectContaining({ id: 'happy-dom-affectsCache', package: 'happy-dom', version: '21.0.4', builtin: true, signal: 'heap' })])
    expect(report.known![0]!.kinds).toEqual([{ name: 'Object', perCall: 2, bytesPerCall: 65 }])
    expect(report.reason).toBe('every leaking signal (heap) is a known leak in happy-dom@21.0.4')
  })

  test('a listener the component keeps on window beside it still fails, with the cache reported as known', () => {
    const report = applyKnownLeaks(withDiagnosis(leak, [kind('Object', 2, 65, HEAD_CACHE), kind('Function', 1, 64, WINDOW_LISTENER), kind('Array', 1, 32, WINDOW_LISTENER.replace(/ › \[40\]: Function$/, ''))], 300))
    expect(report.verdict).toBe('leak')
    expect(report.known?.map((match) => match.id)).toEqual(['happy-dom-affectsCache'])
    expect(report.knownRemainder).toEqual([{ signal: 'heap', unexplained: 300 - 65, leaks: true }])
  })

  test('what the diagnosis saw retained beyond the listed cache entries is not explained and still fails', () => {
    const report = applyKnownLeaks(withDiagnosis(leak, [kind('Object', 2, 65, HEAD_CACHE), kind('(string)', 0.5, 44)], 229))
    expect(report.verdict).toBe('leak')
    expect(report.knownRemainder).toEqual([{ signal: 'heap', unexplained: 229 - 65, leaks: true }])
  })

  test('elements a test keeps, and the cache array alone, are not the entry\'s', () => {
    for (const pathText of [KEPT_ELEMENT, HEAD_ARRAY]) {
      const report = applyKnownLeaks(withDiagnosis(leak, [kind('Object', 2, 65, pathText)], 70))
      expect(report.verdict, pathText).toBe('leak')
      expect(report.known, pathText).toBeUndefined()
    }
  })

  test('outside its versions it does not apply (opting out: builtinKnownLeaks: false)', () => {
    const diagnosed = withDiagnosis(leak, [kind('Object', 2, 65, HEAD_CACHE)], 70)
    const off = applyKnownLeaks({ ...diagnosed, options: { ...diagnosed.options, builtinKnownLeaks: false } })
    expect(off.verdict).toBe('leak')
    expect(off.known).toBeUndefined()
    // The same entry, as a user's copy, for versions other than the installed 21.0.4.
    const entry = BUILTIN_KNOWN_LEAKS.find((candidate) => candidate.id === 'happy-dom-affectsCache')!
    const later = applyKnownLeaks({ ...diagnosed, options: { ...diagnosed.options, builtinKnownLeaks: false, knownLeaks: [{ ...entry, id: 'later', versions: '>=21.0.5' }] } })
    expect(later.verdict).toBe('leak')
    expect(later.known).toBeUndefined()
  })
})
