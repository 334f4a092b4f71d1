/**
 * `leakspec/vitest`: the Vitest plugin and the matcher types.
 */
import './types.js'

export { leakspec, type LeakspecPluginOptions, type LeakspecVitestPlugin, type ConfigureVitestContextLike } from './plugin.js'
export type { LeakspecTaskMeta, LeakCheckRecord } from '../matchers/toLeak.js'
export { leakTest, type LeakTestFunction } from './hook.js'
export { LeakspecReporter } from './reporter.js'
export type { LeakspecReportOptions } from '../report/options.js'
export type { LeakspecHookMeta } from './hook-shared.js'
export type { HookRecord, HookCounts } from '../hook/check.js'
