// Reports come with the plugin: after the run, a table of the tests that ran leak checks, and
// leakspec-report/leakspec-report.json + .html (nothing at all when no test ran a check).
//   leakspec({ report: { outputDir: 'reports/leaks' } })   another directory
//   leakspec({ report: false })                            no table, no files
import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec()],
  test: {
    include: ['**/*.test.ts'],
    // Room for the diagnosis of a leak (a second or two) on a loaded CI machine.
    testTimeout: 30_000,
  },
})
