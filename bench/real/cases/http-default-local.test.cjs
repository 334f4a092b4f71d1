// node:http GET with the default agent (http.globalAgent) against a loopback HTTP server in this process.
const http = require('node:http')
const { retain, startLocalServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startLocalServer()
})
afterAll(async () => {
  await server.close()
})

function get() {
  return new Promise((resolve, reject) => {
    http
      .get(server.url, { agent: http.globalAgent }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode))
        response.on('error', reject)
      })
      .on('error', reject)
  })
}

const call = get

test('http-default-local: clean', async () => {
  await expect(call).not.toLeak()
})

test('http-default-local: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
