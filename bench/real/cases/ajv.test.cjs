// ajv: a new Ajv instance per call compiles a schema and validates one good and one bad input.
const Ajv = require('ajv')
const { retain } = require('./_shared.cjs')

const schema = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', maxLength: 40 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 5 },
  },
  required: ['id', 'name'],
  additionalProperties: false,
}

let n = 0

function call() {
  const validate = new Ajv({ allErrors: true }).compile(schema)
  const good = validate({ id: ++n, name: 'item', tags: ['a'] })
  const bad = validate({ id: 0, name: 7, extra: true })
  return (good ? 1 : 0) + (bad ? 0 : 2)
}

test('ajv: clean', async () => {
  await expect(call).not.toLeak()
})

test('ajv: leaky', async () => {
  await expect(() => retain(call())).not.toLeak()
})
