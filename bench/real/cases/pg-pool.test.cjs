// pg: Pool.query (a pool of at most 10 connections) against a real PostgreSQL server, started by
// bench/real/run.mjs (bench/real/postgres.mjs).
const { Pool } = require('pg')
const { postgresConfig, retain } = require('./_shared.cjs')

const config = postgresConfig()
const maybe = config ? test : test.skip

let pool
beforeAll(() => {
  if (config) pool = new Pool({ ...config, max: 10 })
})
afterAll(() => pool?.end())

let n = 0

async function call() {
  const result = await pool.query('SELECT $1::int AS n, now() AS at', [n++])
  return result.rowCount
}

maybe('pg-pool: clean', async () => {
  await expect(call).not.toLeak()
})

maybe('pg-pool: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
