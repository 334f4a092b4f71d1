// pino: a child logger per call (a request id), one info line to a stream that discards it.
const { Writable } = require('node:stream')
const pino = require('pino')
const { retain } = require('./_shared.cjs')

let written = 0
const sink = new Writable({
  write(chunk, _encoding, callback) {
    written += chunk.length
    callback()
  },
})
const logger = pino({ level: 'info' }, sink)

let n = 0

function call() {
  const log = logger.child({ requestId: `req-${n++}` })
  log.info({ route: '/items', status: 200, ms: 3 }, 'request handled')
  return written & 0xffff
}

test('pino: clean', async () => {
  await expect(call).not.toLeak()
})

test('pino: leaky', async () => {
  await expect(() => retain(call())).not.toLeak()
})
