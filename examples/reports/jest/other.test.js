const { lookupFixed } = require('./cache.js')

// A second file, so that a two-shard run has something in each shard.
test('fixed lookup of one hot key', async () => {
  await expect(() => lookupFixed('hot')).not.toLeak({ timeBudget: 20_000 })
})
