// fetch (Node's built-in undici, its global keep-alive dispatcher) against a loopback HTTP server in this process.
const { retain, startLocalServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(() => server.close())

async function call() {
  const response = await fetch(server.url)
  await response.json()
  return response.status
}

test('fetch-local: clean', async () => {
  await expect(call).not.toLeak()
})

test('fetch-local: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
