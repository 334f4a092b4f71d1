// Control: no leakspec types in this program, so toLeak must be an error on both kinds of expect
// (the other folders pass because of leakspec's augmentation, not because the types are loose).
import { expect as importedExpect } from '@jest/globals'

test('toLeak is unknown without leakspec/jest', async () => {
  // @ts-expect-error toLeak comes only from leakspec/jest
  await expect(() => {}).not.toLeak()
  // @ts-expect-error toLeak comes only from leakspec/jest
  await importedExpect(() => {}).not.toLeak()
  // @ts-expect-error toBeCollected comes only from leakspec/jest
  await expect({}).toBeCollected()
  // @ts-expect-error toBeCollected comes only from leakspec/jest
  await importedExpect({}).toBeCollected()
})
