// Type tests for the Vitest matcher types, checked by tsc against Vitest 4.1 and Vitest 5.
// Every `@ts-expect-error` is an assertion too: tsc fails when the line has no error.
import { expectTypeOf } from 'expect-type'
import { expect, test, type TaskMeta } from 'vitest'
import type { LeakOptions } from 'leakspec'
import type { LeakCheckRecord, LeakspecTaskMeta } from 'leakspec/vitest'

const fn = (): number => 1
const asyncFn = async (): Promise<void> => {}

test('toLeak and not.toLeak return Promise<void>', async () => {
  expectTypeOf(expect(fn).toLeak()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect(fn).not.toLeak()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(expect(asyncFn).not.toLeak({ rounds: 8 })).toEqualTypeOf<Promise<void>>()
  await expect(fn).not.toLeak()
})

test('toLeak takes LeakOptions', () => {
  expectTypeOf(expect(fn).toLeak).parameters.toEqualTypeOf<[options?: LeakOptions]>()
  void expect(fn).not.toLeak({
    rounds: 8,
    confirmRounds: 3,
    extraRounds: 2,
    floor: 16,
    warmup: 4,
    callsPerRound: 'auto',
    timeBudget: 10_000,
    callTimeout: 1000,
    handles: false,
    maxHeapGrowth: 512 * 1024 * 1024,
  })
  void expect(fn).not.toLeak({ callsPerRound: 64 })
  // @ts-expect-error unknown option (a typo of rounds)
  void expect(fn).not.toLeak({ roundz: 8 })
  // @ts-expect-error rounds is a number
  void expect(fn).not.toLeak({ rounds: '8' })
  // @ts-expect-error callsPerRound is a number or 'auto'
  void expect(fn).toLeak({ callsPerRound: 'fast' })
  // @ts-expect-error handles is a boolean
  void expect(fn).not.toLeak({ handles: 1 })
  // @ts-expect-error options are one object
  void expect(fn).not.toLeak(8)
})

test('the assertion is not any', () => {
  expectTypeOf(expect(fn)).not.toBeAny()
  expectTypeOf(expect(fn).not).not.toBeAny()
  // @ts-expect-error no such matcher
  void expect(fn).toLeakk()
  // @ts-expect-error no such matcher under .not either
  void expect(fn).not.toBeLeaking()
})

test('the test context expect has toLeak too', async ({ expect: localExpect }) => {
  expectTypeOf(localExpect(fn).not.toLeak()).toEqualTypeOf<Promise<void>>()
  await localExpect(fn).not.toLeak({ rounds: 8 })
})

test('TaskMeta.leakspec is typed', ({ task }) => {
  expectTypeOf<TaskMeta['leakspec']>().toEqualTypeOf<LeakspecTaskMeta | undefined>()
  expectTypeOf(task.meta.leakspec).toEqualTypeOf<LeakspecTaskMeta | undefined>()
  const check = task.meta.leakspec?.checks[0]
  expectTypeOf(check).toEqualTypeOf<LeakCheckRecord | undefined>()
  expectTypeOf<LeakCheckRecord['verdict']>().toEqualTypeOf<'clean' | 'leak' | 'inconclusive'>()
  expectTypeOf<LeakCheckRecord['leaks'][number]['perCall']>().toEqualTypeOf<number>()
  // @ts-expect-error the records are not strings
  const wrong: string | undefined = check
  void wrong
})
