// The one config line: the leakspec plugin. It adds toLeak and the leak-check runner; nothing runs
// as a leak check until you ask:
//   LEAKSPEC=all npx vitest run                     every test (a CI leak-check job)
//   leakspec({ files: ['**/*.leak.test.ts'] })       every test in matching files
//   test('x', { tags: ['leak'] }, fn) / leakTest()  single tests
import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec()],
  test: { include: ['**/*.test.ts'] },
})
