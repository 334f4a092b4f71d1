// pg: a new Client per call (connect, query, end) against a real PostgreSQL server, started by
// bench/real/run.mjs (bench/real/postgres.mjs).
const { Client } = require('pg')
const { postgresConfig, retain } = require('./_shared.cjs')

const config = postgresConfig()
const maybe = config ? test : test.skip

let n = 0

async function call() {
  const client = new Client(config)
  await client.connect()
  try {
    const result = await client.query('SELECT $1::int AS n', [n++])
    return result.rowCount
  } finally {
    await client.end()
  }
}

maybe('pg-client: clean', async () => {
  await expect(call).not.toLeak()
})

maybe('pg-client: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
