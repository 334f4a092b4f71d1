/**
 * The app: every request logs the user in, answers with the session, and logs out.
 * `node server.mjs` serves on port 3000 (PORT to change it). In production you would start it with
 * `node --heapsnapshot-signal=SIGUSR2 server.mjs` and take snapshots with `kill -USR2 <pid>`.
 */
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import { login, logout } from './sessions.mjs'

export function createApp() {
  return createServer((request, response) => {
    const session = login(request.headers['x-user'] ?? 'guest')
    response.setHeader('content-type', 'application/json')
    response.end(JSON.stringify({ user: session.user, session: session.id }))
    logout(session)
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp().listen(port, () => console.log(`listening on http://localhost:${port} (pid ${process.pid})`))
}
