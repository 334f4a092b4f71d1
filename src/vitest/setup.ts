/**
 * `leakspec/vitest/setup`: add it to `setupFiles` when you configure Vitest by hand instead of using
 * the `leakspec()` plugin. Registers `toLeak` and fails tests that do not await it.
 */
import './types.js'
import { registerVitest } from './register.js'

registerVitest()
