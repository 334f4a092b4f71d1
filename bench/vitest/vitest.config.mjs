// The Vitest speed suite of the benchmark (run by bench/run.mjs through the root vitest):
// checks run inside a Vitest forks worker, the way users run them, with the leakspec() plugin.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { leakspec } from '../../dist/vitest/index.js'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [leakspec()],
  test: {
    include: ['speed.test.mjs'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
  },
})
