// Jest 29 or 30 with leakspec: one line in setupFilesAfterEnv. TypeScript test files go through ts-jest.
// Run with: node --expose-gc node_modules/jest/bin/jest.js -c examples/jest/jest.config.cjs
// (without --expose-gc leakspec forces GC through its runtime fallback; see the README).
module.exports = {
  testEnvironment: 'node',
  setupFilesAfterEnv: ['leakspec/jest'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  testMatch: ['<rootDir>/*.test.ts'],
}
