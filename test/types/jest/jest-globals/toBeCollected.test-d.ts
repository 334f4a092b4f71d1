// `import { expect } from '@jest/globals'`: toBeCollected comes from leakspec/jest's `expect` module
// augmentation, brought in by the import of its types.
import { expect, test } from '@jest/globals'
import { watch } from 'leakspec'
import type { LeakOptions } from 'leakspec/jest'

test('toBeCollected on the expect of @jest/globals', async () => {
  const handle = watch({ big: new Array(1000) })
  const checked: Promise<void> = expect(handle).toBeCollected()
  await checked
  await expect(handle).not.toBeCollected()
  // @ts-expect-error toBeCollected takes no arguments
  await expect(handle).toBeCollected(1)
  const options: LeakOptions = { floor: 32 }
  void options
})
