// Vitest 5 on Node 24 (Vitest 5 needs Node >= 22.12): the fixture suite and the type tests.
import { describeVitestIntegration } from './harness/vitest-suite.js'

describeVitestIntegration({ env: 'vitest5', node: 'node24', vitest: /^5\.1\.\d+$/, nodeVersion: /^v24\./ })
