import { describe, expect, test } from 'vitest'
import { DEFAULT_OPTIONS, resolveOptions } from '../../src/core/options.js'

describe('resolveOptions', () => {
  test('undefined gives the defaults', () => {
    expect(resolveOptions(undefined)).toBe(DEFAULT_OPTIONS)
  })

  test('fills in defaults around the given keys', () => {
    expect(resolveOptions({ rounds: 9 })).toEqual({ ...DEFAULT_OPTIONS, rounds: 9 })
  })

  test('an unknown key names the key, suggests the closest and lists the known ones', () => {
    expect(() => resolveOptions({ round: 8 }, undefined, 'toLeak')).toThrowError(
      new TypeError(
        'leakspec: unknown toLeak option `round` (received 8 (number)). Did you mean `rounds`? ' +
          'Known options: rounds, confirmRounds, extraRounds, floor, warmup, callsPerRound, timeBudget, callTimeout, handles, asyncHooks, fds, listeners, dom, ignoreTypes, ignoreEvents, ignoreStacks, release, maxHeapGrowth, instancesOf, diagnose, snapshotDir, knownLeaks, builtinKnownLeaks.',
      ),
    )
  })

  test('a wrong type names the key, the value received and the fix', () => {
    expect(() => resolveOptions({ floor: '16' }, undefined, 'toLeak')).toThrowError(
      new TypeError(
        'leakspec: toLeak option `floor` must be a number from 1 to 1073741824; received "16" (string). ' +
          'Fix: pass for example { floor: 16 }, or leave it out for the default (16).',
      ),
    )
  })

  test.each([
    ['rounds', 2.5],
    ['rounds', 2],
    ['confirmRounds', 0],
    ['timeBudget', -1],
    ['timeBudget', Number.NaN],
    ['callsPerRound', 'fast'],
    ['callsPerRound', 0],
    ['handles', 'yes'],
    ['warmup', 1.5],
  ])('rejects %s = %s with a TypeError', (key, value) => {
    expect(() => resolveOptions({ [key]: value })).toThrowError(TypeError)
    expect(() => resolveOptions({ [key]: value })).toThrowError(new RegExp(`option \`${key}\` must be`))
  })

  test("diagnose takes true, false or 'full'; anything else names the three", () => {
    expect(resolveOptions({ diagnose: 'full' }).diagnose).toBe('full')
    expect(resolveOptions({ diagnose: false }).diagnose).toBe(false)
    expect(() => resolveOptions({ diagnose: 'heap' }, undefined, 'toLeak')).toThrowError(
      new TypeError(
        "leakspec: toLeak option `diagnose` must be true, false or 'full'; received \"heap\" (string). " +
          "Fix: pass for example { diagnose: 'full' }, or leave it out for the default (true).",
      ),
    )
  })

  test('accepts callsPerRound "auto" and an integer', () => {
    expect(resolveOptions({ callsPerRound: 'auto' }).callsPerRound).toBe('auto')
    expect(resolveOptions({ callsPerRound: 8 }).callsPerRound).toBe(8)
  })

  test('confirmRounds larger than rounds is refused with the fix', () => {
    expect(() => resolveOptions({ rounds: 3, confirmRounds: 4 })).toThrowError(
      /`confirmRounds` \(4\) must not exceed `rounds` \(3\)\. Fix: raise rounds to at least 4/,
    )
  })

  test.each([null, 5, 'rounds', [1]])('non-object options (%s) are refused', (value) => {
    expect(() => resolveOptions(value)).toThrowError(/options must be an object; received .*Fix: pass an object/)
  })

  test('an explicit undefined value keeps the default', () => {
    expect(resolveOptions({ rounds: undefined }).rounds).toBe(7)
  })

  test('the result is frozen', () => {
    expect(Object.isFrozen(resolveOptions({ rounds: 8 }))).toBe(true)
  })
})
