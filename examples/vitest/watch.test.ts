import { expect, test } from 'vitest'
import { watch } from 'leakspec'

class Session {
  constructor(readonly user: string) {}
}

const openSessions: Session[] = []

function openSession(user: string, keep: boolean): Session {
  const session = new Session(user)
  if (keep) openSessions.push(session) // the bug: never removed
  return session
}

test('a session that is dropped is collected', async () => {
  const handle = watch(openSession('ada', false))
  await expect(handle).toBeCollected()
})

// Fails on purpose: the message shows who still holds the session.
test('a session kept in a module-level array is not collected', async () => {
  const handle = watch(openSession('grace', true))
  await expect(handle).toBeCollected()
}, 30_000)
