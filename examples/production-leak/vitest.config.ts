import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec()],
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)), // so `--config` from anywhere runs these tests only
    include: ['**/*.test.ts'],
  },
})
