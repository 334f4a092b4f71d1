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

  test('the handle itself keeps nothing alive', async () => {
    const handles = Array.from({ length: 3 }, (_, index) => watch(new UserSession(index)))
    for (const handle of handles) await expect(handle).toBeCollected()
  })

  test('misuse is a TypeError naming the fix', () => {
    expect(() => watch(42 as unknown as object)).toThrow(TypeError)
    expect(() => expect({}).toBeCollected()).toThrow(/needs a handle from watch\(obj\)/)
  })
})
