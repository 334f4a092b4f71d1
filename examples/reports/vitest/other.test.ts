import { expect, test } from 'vitest'
import { lookupFixed } from './cache.js'

// A second file, so that a two-shard run has something in each shard.
test('fixed lookup of one hot key', async () => {
  await expect(() => lookupFixed('hot')).not.toLeak()
})
