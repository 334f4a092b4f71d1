import { expect, test } from 'vitest'
import { createClient } from './client.js'

// This test fails on purpose: it shows what a caught leak looks like. The longer timeout leaves
// room for the diagnosis (what leaked, who holds it, where it was allocated).
test('request() does not leak (buggy client)', async () => {
  const client = createClient()
  await expect(() => client.request('/ping')).not.toLeak()
}, 30_000)

test('request() does not leak (fixed client)', async () => {
  const client = createClient({ fixed: true })
  await expect(() => client.request('/ping')).not.toLeak()
})
