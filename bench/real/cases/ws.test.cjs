// ws: a WebSocket server and one client connection in this process, one message each way per call.
const { WebSocket, WebSocketServer } = require('ws')
const { loopbackAddress, retain } = require('./_shared.cjs')

let wss
let socket
beforeAll(async () => {
  wss = new WebSocketServer({ host: loopbackAddress(), port: 0 })
  wss.on('connection', (peer) => peer.on('message', (data) => peer.send(`echo ${data}`)))
  await new Promise((resolve) => wss.once('listening', resolve))
  const { address, port } = wss.address()
  socket = new WebSocket(`ws://${address}:${port}/`)
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
})
afterAll(async () => {
  socket.close()
  await new Promise((resolve) => wss.close(resolve))
})

let sent = 0

/** Sends one message and resolves when the server's echo arrives; resolves to the echo's length. */
function call() {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(data.length))
    socket.send(`message ${sent++}`)
  })
}

test('ws: clean', async () => {
  await expect(call).not.toLeak()
})

test('ws: leaky', async () => {
  await expect(async () => retain(await call())).not.toLeak()
})
