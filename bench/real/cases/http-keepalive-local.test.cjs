// node:http GET with a keep-alive agent of its own against a loopback HTTP server in this process.
const http = require('node:http')
const { retain, startLocalServer } = require('./_shared.cjs')

const agent = new http.Agent({ keepAlive: true })
let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(async () => {
  agent.destroy()
  await server.close()
})

function get() {
  return new Promise((resolve, reject) => {
    http
      .get(server.url, { agent }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode))
        response.on('error', reject)
      })
      .on('error', reject)
  })
}

const call = get

test('http-keepalive-local: clean', async () => {
  await expect(call).not.toLeak()
})

test('http-keepalive-local: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
