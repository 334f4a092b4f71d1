/**
 * A Vitest reporter that prints one plain closing line, `N passed, N failed, N skipped`, after the
 * default reporter's summary, so CI logs and tools that read closing lines get the totals.
 * Used by `npm test` (`--reporter=default --reporter=./test/reporters/summary.ts`).
 */
import type { Reporter, TestModule } from 'vitest/node'

/** Counts test cases by state and prints the closing line when the run ends. */
export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++
    }
    failed += unhandledErrors.length
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
  }
}

export { SummaryReporter as default }
