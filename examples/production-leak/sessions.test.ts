import { expect, test } from 'vitest'
import { login, logout, Session } from './sessions.mjs'

// The regression test for the production leak: what one request does to sessions, repeated by
// toLeak in doubling rounds. instancesOf counts live Session objects exactly after every round.
test('a login and a logout leave no Session behind', async () => {
  await expect(() => logout(login('ada'))).not.toLeak({ instancesOf: [Session], timeBudget: 20_000 })
}, 60_000) // instancesOf walks the heap after every round, and a failure adds the diagnosis
