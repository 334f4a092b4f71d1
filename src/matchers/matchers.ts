/** The runner-neutral matchers as one object, for any Jest-compatible `expect.extend`. */
import { toBeCollected } from './toBeCollected.js'
import { toLeak } from './toLeak.js'

/** The matchers object to pass to `expect.extend`: `toLeak` and `toBeCollected`. */
export const matchers = { toLeak, toBeCollected }
