// Jest 29 on the system Node (20): the fixture suites in every worker mode and the type tests.
import { describeJestIntegration } from './harness/jest-suite.js'

describeJestIntegration({ env: 'jest29', jest: /^29\.7\.\d+$/, nodeVersion: /^v20\./ })
