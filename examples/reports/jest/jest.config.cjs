// Reports in Jest: the reporter next to Jest's own. It prints a table of the tests that ran leak
// checks and writes leakspec-report/leakspec-report.json + .html (nothing when no test ran a check).
// `jest --shard=i/n` runs write leakspec-report-shard-<i>-of-<n>.json; merge them with
//   npx leakspec merge leakspec-report --out leakspec-report
module.exports = {
  setupFilesAfterEnv: ['leakspec/jest'],
  testEnvironment: 'leakspec/jest-environment',
  reporters: ['default', 'leakspec/jest-reporter'],
  // Room for the checks and the diagnosis of a leak on a loaded CI machine.
  testTimeout: 60_000,
}
