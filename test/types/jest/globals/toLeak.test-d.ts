// @types/jest's global expect: toLeak comes from leakspec/jest's global `jest.Matchers` augmentation,
// brought in by "types": ["jest", "leakspec/jest"] in tsconfig.json (no import in this file).

test('toLeak on the global expect', async () => {
  const checked: Promise<void> = expect(() => {}).not.toLeak()
  await checked
  await expect(() => {}).toLeak()
  await expect(async () => {}).not.toLeak({ rounds: 8, timeBudget: 10_000, callTimeout: 100 })
  await expect(() => {}).not.toLeak({ floor: 32, handles: false })
  // @ts-expect-error unknown option
  await expect(() => {}).not.toLeak({ roundz: 8 })
  // @ts-expect-error rounds is a number
  await expect(() => {}).not.toLeak({ rounds: '8' })
  // @ts-expect-error the options are an object
  await expect(() => {}).not.toLeak(8)
  // The other matchers are untouched.
  expect(1).toBe(1)
})
