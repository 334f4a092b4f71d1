// No leakspec types in this program: every toLeak must be a type error.
import { expect, test } from 'vitest'

test('toLeak is unknown without leakspec/vitest', async () => {
  // @ts-expect-error toLeak comes only from leakspec/vitest
  await expect(() => {}).not.toLeak()
  // @ts-expect-error toLeak comes only from leakspec/vitest
  await expect(() => {}).toLeak()
})
