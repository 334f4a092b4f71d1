// An ordinary suite. `npx vitest run` checks behaviour; `LEAKSPEC=all npx vitest run` also runs every
// test as a leak check (its beforeEach/afterEach hooks and body repeated), and 'closes a session' fails.
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { SessionStore } from './sessions.js'

describe('SessionStore', () => {
  let store: SessionStore

  beforeEach(() => {
    store = new SessionStore()
  })

  afterEach(() => {
    expect(store.size).toBeGreaterThanOrEqual(0)
  })

  test('closes a session', () => {
    const id = store.open('ada')
    store.close(id)
    expect(store.size).toBe(0)
  })

  test('counts open sessions', () => {
    store.open('ada')
    store.open('grace')
    expect(store.size).toBe(2)
  })
})
