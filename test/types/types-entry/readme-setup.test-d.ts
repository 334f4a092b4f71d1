// With "types": ["leakspec/vitest"] in tsconfig, test files see toLeak without importing leakspec.
import { expectTypeOf } from 'expect-type'
import { expect, test } from 'vitest'

test('toLeak through the types entry', async () => {
  expectTypeOf(expect(() => {}).not.toLeak()).toEqualTypeOf<Promise<void>>()
  await expect(() => {}).not.toLeak({ rounds: 8 })
  // @ts-expect-error unknown option
  await expect(() => {}).not.toLeak({ roundz: 8 })
})
