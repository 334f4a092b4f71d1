// node:http GET with 10 concurrent requests per call through a keep-alive agent against a loopback HTTP server in a child process.
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

/** Ten requests at once; resolves to the sum of their status codes. */
async function call() {
  const statuses = await Promise.all(Array.from({ length: 10 }, get))
  return statuses.reduce((sum, status) => sum + status, 0)
}

test('http-concurrent-child: clean', async () => {
  await expect(call).not.toLeak()
})

test('http-concurrent-child: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
