import { expect, test } from 'vitest'
import { createClient } from './client.js'

// This test fails on purpose: it shows what a caught leak looks like.
test('request() does not leak (buggy client)', async () => {
  const client = createClient()
  await expect(() => client.request('/ping')).not.toLeak()
})

test('request() does not leak (fixed client)', async () => {
  const client = createClient({ fixed: true })
  await expect(() => client.request('/ping')).not.toLeak()
})
