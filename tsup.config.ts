import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    'index': 'src/index.ts',
    'vitest/index': 'src/vitest/index.ts',
    'vitest/setup': 'src/vitest/setup.ts',
    'vitest/runner': 'src/vitest/runner.ts',
    'vitest/browser': 'src/vitest/browser.ts',
    'jest-environment/index': 'src/jest-environment/index.ts',
    'jest/index': 'src/jest/index.ts',
    'jest-reporter/index': 'src/jest-reporter/index.ts',
    'cli/bin': 'src/cli/bin.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  shims: true,
  splitting: true,
  sourcemap: false,
  target: 'node20',
  platform: 'node',
  // Keep `node:timers` & co.: Vite's module runner resolved a bare `timers` as a file next to the tests
  // when it inlined leakspec (examples/reports/vitest: Cannot find module '<dir>/timers').
  removeNodeProtocol: false,
  external: ['vitest', 'vitest/browser', '@jest/globals', 'jest-environment-node'],
})
