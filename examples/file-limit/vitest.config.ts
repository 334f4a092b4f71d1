import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec()],
  test: {
    include: ['*.test.ts'],
    // The failing check also explains the leak (heap snapshots): seconds, more on a busy machine.
    testTimeout: 60_000,
  },
})
