/**
 * `leakspec/jest-reporter`: the Jest reporter of leak checks.
 *
 * ```js
 * // jest.config.js
 * module.exports = {
 *   setupFilesAfterEnv: ['leakspec/jest'],
 *   reporters: ['default', 'leakspec/jest-reporter'],
 * }
 * ```
 *
 * Jest loads a reporter through its module's default export, so this entry has one; the class is
 * also exported by name.
 */
import { LeakspecJestReporter } from './reporter.js'

export { LeakspecJestReporter, type JestGlobalConfigLike, type JestTestLike, type JestTestResultLike } from './reporter.js'
export { RESULTS_DIR_ENV, matcherFilePath, type MatcherFile, type MatcherFileTest } from './matcher-file.js'
export type { LeakspecReportOptions } from '../report/options.js'
export type {
  LeakspecReport,
  ReportCheck,
  ReportHook,
  ReportRound,
  ReportSignal,
  ReportSource,
  ReportSummary,
  ReportTest,
  ReportVerdict,
} from '../report/schema.js'

export default LeakspecJestReporter
