// eventemitter3: per call, adds an `on` and a `once` listener to a long-lived emitter, emits, removes.
const EventEmitter = require('eventemitter3')
const { retain } = require('./_shared.cjs')

const bus = new EventEmitter()
let seen = 0

function call() {
  const onData = (value) => {
    seen += value
  }
  bus.on('data', onData)
  bus.once('done', () => {
    seen += 1
  })
  bus.emit('data', 2)
  bus.emit('done')
  bus.off('data', onData)
  return seen & 0xffff
}

test('eventemitter3: clean', async () => {
  await expect(call).not.toLeak()
})

test('eventemitter3: leaky', async () => {
  await expect(() => retain(call())).not.toLeak()
})
