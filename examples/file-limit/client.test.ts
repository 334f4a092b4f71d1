// Run under a low file limit (run.mjs: `ulimit -n 256`, the macOS default): the buggy client would
// run out of file descriptors after about 100 calls (each leaks its socket and the server's end of
// it). leakspec decides the leak as a count at call 32, long before that, and closes what the
// measured calls left open, so the next tests in this file can still connect.
import { once } from 'node:events'
import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ping, pingLeaky } from './client.js'

const host = '127.0.0.1'
let server: Server
let port = 0

beforeAll(async () => {
  server = createServer((socket) => {
    socket.on('error', () => {})
    socket.on('data', () => socket.write('PONG\n'))
  })
  server.listen(0, host)
  await once(server, 'listening')
  port = (server.address() as { port: number }).port
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

describe('a client under ulimit -n 256', () => {
  test('the buggy client keeps a socket per call (fails on purpose)', async () => {
    await expect(() => pingLeaky(host, port)).not.toLeak()
  })

  test('the next test can still connect: the leaked sockets were released', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => ping(host, port)))
    expect(new Set(replies)).toEqual(new Set(['PONG']))
  })

  test('the fixed client closes its socket', async () => {
    await expect(() => ping(host, port)).not.toLeak()
  })
})
