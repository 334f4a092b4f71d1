/**
 * Sessions of a small web app: `login` opens one, `logout` closes it. The example's leak lives here
 * (sessions-fixed.mjs is the same module after the fix; docs/production-leak.md walks from one to
 * the other).
 */
import { randomBytes } from 'node:crypto'

export class Session {
  constructor(user) {
    this.id = randomBytes(12).toString('base64url')
    this.user = user
    this.createdAt = Date.now()
  }
}

const sessions = new Map()

export function login(user) {
  const session = new Session(user)
  sessions.set(session.id, session)
  return session
}

export function logout(session) {
  sessions.delete(session)
}

export function activeSessions() {
  return sessions.size
}
