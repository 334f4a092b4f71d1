// The real-code corpus under Jest: the one-line set-up, the leakspec reporter (it writes
// leakspec-report.json to LEAKSPEC_REPORT_DIR when set), run with node --expose-gc as the README
// says, and a test timeout big enough for the slow cases (defaults otherwise).
module.exports = {
  setupFilesAfterEnv: ['leakspec/jest'],
  reporters: ['default', ['leakspec/jest-reporter', { html: false, table: false }]],
  transform: {},
  testEnvironment: 'node',
  testMatch: ['<rootDir>/cases/*.test.cjs'],
  testTimeout: 60_000,
}
