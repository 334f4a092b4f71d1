/**
 * watch(obj) + toBeCollected: passes once the object can be collected; otherwise fails naming who
 * holds it.
 */
import { describe, expect, test } from 'vitest'
import { matchers, watch } from '../../src/index.js'
import { keptForever, UserSession } from '../fixtures/diagnose/leaks.js'

expect.extend(matchers)

describe('toBeCollected', () => {
  test('passes when the last reference is dropped', async () => {
    let session: UserSession | undefined = new UserSession(1)
    const handle = watch(session)
    session = undefined
    await expect(handle).toBeCollected()
  })

  test('fails with the retainer path when something still holds the object', async () => {
    const session = new UserSession(2)
    keptForever.push(session)
    const handle = watch(session, 'the session')
    try {
      await expect(expect(handle).toBeCollected()).rejects.toThrow(
        /Expected the session to be garbage-collected, but it is still reachable after \d+ full GCs[\s\S]*Held by \(shortest path from a GC root\): … › module scope \(test\/fixtures\/diagnose\/leaks\.ts\) › keptForever: Array › \[\d+\]: UserSession \(watched: the session\)/,
      )
      await expect(handle).not.toBeCollected()
    } finally {
      keptForever.length = 0
    }
  })

  test('skips the holder search, and says which timeout fits it, when the test has too little time left', { timeout: 1500 }, async () => {
    // The snapshot of this worker's heap (tens of MB) is estimated at seconds: more than the 1.5 s test has.
    const session = new UserSession(3)
    keptForever.push(session)
    const handle = watch(session, 'the session')
    try {
      const error = await expect(handle)
        .toBeCollected()
        .then(
          () => undefined,
          (caught: unknown) => caught as Error,
        )
      expect(error?.message).toMatch(/Expected the session to be garbage-collected, but it is still reachable/)
      expect(error?.message).toMatch(
        /Who holds it was not looked up: the heap snapshot needs about \d+\.\d s at this heap size \(\d+ MB\) and the test has \d+\.\d s left\. Raise the test timeout \(for example to \d+ ms\)/,
      )
      expect(error?.message).not.toContain('Held by')
    } finally {
      keptForever.length = 0
    }
  })

  test('names the async function that holds the object while it waits at an await', async function holdsSession() {
    const session = new UserSession(4)
    const handle = watch(session, 'the session')
    const error = await expect(handle)
      .toBeCollected()
      .then(
        () => undefined,
        (caught: unknown) => caught as Error,
      )
    expect(error?.message).toMatch(/Held by \(shortest path from a GC root\): … › holdsSession\(\) \(suspended at an await\) › (session: )?UserSession \(watched: the session\)$/m)
    expect(session.id).toBeDefined()
  })

  test('the handle itself keeps nothing alive', async () => {
    const handles = Array.from({ length: 3 }, (_, index) => watch(new UserSession(index)))
    for (const handle of handles) await expect(handle).toBeCollected()
  })

  test('misuse is a TypeError naming the fix', () => {
    expect(() => watch(42 as unknown as object)).toThrow(TypeError)
    expect(() => expect({}).toBeCollected()).toThrow(/needs a handle from watch\(obj\)/)
  })
})
