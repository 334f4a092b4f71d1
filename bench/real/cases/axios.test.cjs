// axios (its Node http adapter, the default agent) GET against a loopback HTTP server in this process.
const axios = require('axios')
const { retain, startLocalServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(() => server.close())

async function call() {
  const response = await axios.get(server.url)
  return response.status
}

test('axios: clean', async () => {
  await expect(call).not.toLeak()
})

test('axios: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
