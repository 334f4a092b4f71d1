// Vitest 4.1 on the system Node (20): the fixture suite and the type tests.
import { describeVitestIntegration } from './harness/vitest-suite.js'

describeVitestIntegration({ env: 'vitest4', node: 'system', vitest: /^4\.1\.\d+$/, nodeVersion: /^v20\./ })
