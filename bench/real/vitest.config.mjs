// The real-code corpus under Vitest: the one-line plugin (its reporter writes leakspec-report.json to
// LEAKSPEC_REPORT_DIR when set), globals so the CommonJS case files run unchanged in Jest too, and a
// test timeout big enough for the slow cases (defaults otherwise: the corpus measures the defaults).
import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec({ report: { html: false, table: false } })],
  test: {
    globals: true,
    include: ['cases/*.test.cjs'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
