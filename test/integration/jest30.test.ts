// Jest 30 on Node 24: the fixture suites in every worker mode and the type tests.
import { describeJestIntegration } from './harness/jest-suite.js'

describeJestIntegration({ env: 'jest30', jest: /^30\.\d+\.\d+$/, nodeVersion: /^v24\./ })
