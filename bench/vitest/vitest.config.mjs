// The Vitest speed suite of the benchmark (run by bench/run.mjs through the root vitest):
// checks run inside a Vitest forks worker, the way users run them, with the leakspec() plugin.
import { fileURLToPath, pathToFileURL } from 'node:url'
import { defineConfig } from 'vitest/config'

// run.mjs passes a snapshot of dist/ so that a rebuild during a long run cannot change the engine under test.
const dist = process.env.LEAKSPEC_BENCH_DIST ? pathToFileURL(`${process.env.LEAKSPEC_BENCH_DIST}/`) : new URL('../../dist/', import.meta.url)
const { leakspec } = await import(new URL('vitest/index.js', dist).href)

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
