// fetch (Node's built-in undici, its global keep-alive dispatcher) against a loopback HTTP server in a child process.
const { retain, startChildServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startChildServer()
})
afterAll(() => server.close())

async function call() {
  const response = await fetch(server.url)
  await response.json()
  return response.status
}

test('fetch-child: clean', async () => {
  await expect(call).not.toLeak()
})

test('fetch-child: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
