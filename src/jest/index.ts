/**
 * `leakspec/jest`: list it in `setupFilesAfterEnv` of your Jest config (29 or 30). It registers
 * `toLeak` and `toBeCollected` on Jest's `expect` (the global one and the one of `@jest/globals`) and
 * fails tests that do not await `toLeak`. Its types add both to `@types/jest`'s global `expect` and to
 * `@jest/globals`.
 *
 * ```js
 * // jest.config.js
 * module.exports = { setupFilesAfterEnv: ['leakspec/jest'] }
 * ```
 */
import './types.js'
import { registerJest } from './register.js'

registerJest()

export type { LeakOptions } from '../core/options.js'
