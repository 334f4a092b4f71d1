// `import { expect } from '@jest/globals'`: toLeak comes from leakspec/jest's `expect` module
// augmentation, brought in by the import of its types (tsconfig.json names no leakspec types).
import { expect, test } from '@jest/globals'
import type { LeakOptions } from 'leakspec/jest'

test('toLeak on the expect of @jest/globals', async () => {
  const checked: Promise<void> = expect(() => {}).not.toLeak()
  await checked
  await expect(() => {}).toLeak()
  await expect(async () => {}).not.toLeak({ rounds: 8, timeBudget: 10_000, callTimeout: 100 })
  const options: LeakOptions = { floor: 32 }
  await expect(() => {}).not.toLeak(options)
  // @ts-expect-error unknown option
  await expect(() => {}).not.toLeak({ roundz: 8 })
  // @ts-expect-error rounds is a number
  await expect(() => {}).not.toLeak({ rounds: '8' })
  expect(1).toBe(1)
})
