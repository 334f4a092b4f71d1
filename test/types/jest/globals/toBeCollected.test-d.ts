// @types/jest's global expect: toBeCollected comes from leakspec/jest's global `jest.Matchers`
// augmentation; the handle from leakspec's watch().
import { watch } from 'leakspec'

test('toBeCollected on the global expect', async () => {
  const handle = watch({ big: new Array(1000) }, 'payload')
  const checked: Promise<void> = expect(handle).toBeCollected()
  await checked
  await expect(handle).not.toBeCollected()
  // @ts-expect-error toBeCollected takes no arguments
  await expect(handle).toBeCollected({ gcs: 3 })
})
