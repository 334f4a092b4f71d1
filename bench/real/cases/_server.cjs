// The child-process server of the *-child cases: the corpus's HTTP server in a process of its own.
// Usage: node _server.cjs <host>; prints "listening <port>" once it listens, exits on SIGTERM or
// when its parent goes away.
const http = require('node:http')
const { handle } = require('./_shared.cjs')

const server = http.createServer(handle)
server.listen(0, process.argv[2] ?? '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => process.exit(0))
// Stop with the parent even when it dies without killing us.
const parent = process.ppid
setInterval(() => {
  try {
    process.kill(parent, 0)
  } catch {
    process.exit(0)
  }
}, 1000).unref()
