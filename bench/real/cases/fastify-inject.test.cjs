// fastify: a route with a JSON schema for its reply, exercised with app.inject() (no socket).
const Fastify = require('fastify')
const { retain } = require('./_shared.cjs')

const app = Fastify({ logger: false })
app.get(
  '/items/:id',
  { schema: { response: { 200: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } } } } },
  async (request) => ({ id: Number(request.params.id), name: `item ${request.params.id}` }),
)
beforeAll(() => app.ready())
afterAll(() => app.close())

let n = 0

async function call() {
  const response = await app.inject({ method: 'GET', url: `/items/${n++ % 1000}` })
  return response.statusCode
}

test('fastify-inject: clean', async () => {
  await expect(call).not.toLeak()
})

test('fastify-inject: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
