// zod: builds an object schema and validates one good and one bad input per call.
const { z } = require('zod')
const { retain } = require('./_shared.cjs')

let n = 0

function call() {
  const User = z.object({
    id: z.number().int().positive(),
    email: z.string().email(),
    tags: z.array(z.string()).max(5),
    role: z.enum(['admin', 'user']),
  })
  const good = User.safeParse({ id: ++n, email: `user${n}@example.com`, tags: ['a', 'b'], role: 'user' })
  const bad = User.safeParse({ id: -1, email: 'nope', tags: [], role: 'root' })
  return (good.success ? 1 : 0) + (bad.success ? 0 : 2)
}

test('zod: clean', async () => {
  await expect(call).not.toLeak()
})

test('zod: leaky', async () => {
  await expect(() => retain(call())).not.toLeak()
})
