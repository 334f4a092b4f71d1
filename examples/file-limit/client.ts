// A tiny line-protocol client, as an application would have one: `ping()` opens a connection to the
// server, sends PING and resolves with the reply. The buggy version keeps every connection in a
// module-level Set "for reuse" and never closes it: one socket (one file descriptor) per call.
import { createConnection, type Socket } from 'node:net'

const open = new Set<Socket>()

function request(host: string, port: number): Promise<{ socket: Socket; reply: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port })
    socket.once('error', reject)
    socket.once('data', (data) => resolve({ socket, reply: String(data).trim() }))
    socket.write('PING\n')
  })
}

/** Buggy: the connection stays open (and referenced) after the reply. */
export async function pingLeaky(host: string, port: number): Promise<string> {
  const { socket, reply } = await request(host, port)
  open.add(socket)
  return reply
}

/** Fixed: the connection is closed before the promise resolves. */
export async function ping(host: string, port: number): Promise<string> {
  const { socket, reply } = await request(host, port)
  socket.destroy()
  return reply
}
