// superagent GET (JSON body parsed) against a loopback HTTP server in this process.
const superagent = require('superagent')
const { retain, startLocalServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(() => server.close())

async function call() {
  const response = await superagent.get(server.url)
  return response.status
}

test('superagent: clean', async () => {
  await expect(call).not.toLeak()
})

test('superagent: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
