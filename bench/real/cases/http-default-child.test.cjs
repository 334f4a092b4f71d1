// node:http GET with the default agent (http.globalAgent) against a loopback HTTP server in a child process.
const http = require('node:http')
const { retain, startChildServer } = require('./_shared.cjs')

let server
beforeAll(async () => {
  server = await startChildServer()
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

test('http-default-child: clean', async () => {
  await expect(call).not.toLeak()
})

test('http-default-child: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
