/**
 * Plays production: starts the app, sends it real HTTP traffic, and writes a heap snapshot before
 * and after a few thousand requests with v8.writeHeapSnapshot() — the same file format as
 * `node --heapsnapshot-signal` and Chrome DevTools write.
 *
 * Usage: node examples/production-leak/take-snapshots.mjs [directory]   (default: snapshots/ next to this file)
 * Snapshots hold every string in the heap: keep real ones private, never commit them.
 */
import { mkdirSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeHeapSnapshot } from 'node:v8'
import { createApp } from './server.mjs'

const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), 'snapshots'))
mkdirSync(dir, { recursive: true })

const app = createApp()
await new Promise((ready) => app.listen(0, '127.0.0.1', ready))
const { port } = app.address()
const agent = new Agent({ keepAlive: true, maxSockets: 8 })

/** Sends `count` requests, 8 at a time, as users would. */
async function traffic(count) {
  let sent = 0
  const worker = async () => {
    while (sent < count) {
      const user = `user-${sent++}`
      await new Promise((done, fail) => {
        get({ host: '127.0.0.1', port, path: '/', agent, headers: { 'x-user': user } }, (response) => {
          response.resume()
          response.on('end', done)
        }).on('error', fail)
      })
    }
  }
  await Promise.all(Array.from({ length: 8 }, worker))
}

await traffic(500) // a process that has been serving for a while
const before = writeHeapSnapshot(join(dir, 'before.heapsnapshot'))
console.log(`wrote ${relative(process.cwd(), before)} after 500 requests`)
await traffic(5000) // the growth happens here
const after = writeHeapSnapshot(join(dir, 'after.heapsnapshot'))
console.log(`wrote ${relative(process.cwd(), after)} after 5,500 requests`)

agent.destroy()
app.close()
