// The one config line: the leakspec test environment (Node's, plus the leak-check hook). Nothing
// runs as a leak check until you ask:
//   LEAKSPEC=all npx jest                                              every test (a CI leak-check job)
//   testEnvironmentOptions: { leakspec: { files: ['**/*.leak.test.js'] } }   every test in matching files
//   leakTest(name, fn) from 'leakspec/jest-environment'                 single tests
// Run with node --expose-gc (without it leakspec forces GC through its runtime fallback).
module.exports = {
  testEnvironment: 'leakspec/jest-environment',
  testMatch: ['<rootDir>/*.test.js'],
}
