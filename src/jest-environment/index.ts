/**
 * `leakspec/jest-environment`: the Jest test environment that runs selected tests as leak checks.
 *
 * ```js
 * // jest.config.js
 * module.exports = { testEnvironment: 'leakspec/jest-environment' }
 * ```
 *
 * Jest loads a test environment through its module's default export, so this entry has one (the
 * only default export in leakspec); the class is also exported by name for extending.
 */
import { LeakspecEnvironment } from './environment.js'

export { LeakspecEnvironment, type LeakspecEnvironmentOptions } from './environment.js'
export { leakTest, ENVIRONMENT_MARK, type JestLeakTestFunction, type LeakTestMark } from './leak-test.js'
export { sidecarPath, SIDECAR_DIR_ENV, type SidecarFile, type SidecarTest, type SidecarSkipped } from './sidecar.js'
export type { HookRecord, HookCounts } from '../hook/check.js'

export default LeakspecEnvironment
