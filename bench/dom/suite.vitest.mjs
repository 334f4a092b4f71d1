import { createRequire } from 'node:module'
import { test } from 'vitest'

createRequire(import.meta.url)('./driver.cjs').register(test, `vitest-${process.env.LEAKSPEC_DOM_ENV}`)
