// undici (the npm package) request() through its global keep-alive dispatcher, against a loopback
// HTTP server in this process.
const { request } = require('undici')
const { retain, startLocalServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(() => server.close())

async function call() {
  const { statusCode, body } = await request(server.url)
  await body.json()
  return statusCode
}

test('undici-request: clean', async () => {
  await expect(call).not.toLeak()
})

test('undici-request: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
