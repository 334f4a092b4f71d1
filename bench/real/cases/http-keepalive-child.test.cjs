// node:http GET with a keep-alive agent of its own against a loopback HTTP server in a child process.
const http = require('node:http')
const { retain, startChildServer } = require('./_shared.cjs')

const agent = new http.Agent({ keepAlive: true })
let server
beforeAll(async () => {
  server = await startChildServer()
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

test('http-keepalive-child: clean', async () => {
  await expect(call).not.toLeak()
})

test('http-keepalive-child: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
