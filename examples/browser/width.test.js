// Runs in real Chromium (Vitest Browser Mode). render + cleanup per call: cleanup() unmounts and
// removes the container, so a clean component leaves nothing behind.
import { cleanup, render } from '@testing-library/react'
import { createElement as h } from 'react'
import { expect, test } from 'vitest'
import { LeakyWidth, Width } from './width.js'

test('mounting <LeakyWidth> leaks a resize listener per mount', async () => {
  await expect(() => {
    render(h(LeakyWidth))
    cleanup()
  }).not.toLeak()
})

// The add site above is the whole diagnosis (no heap snapshot); 'full' also takes the snapshot: who holds it.
test('with diagnose: full, <LeakyWidth> also gets the heap diagnosis', async () => {
  await expect(() => {
    render(h(LeakyWidth))
    cleanup()
  }).not.toLeak({ diagnose: 'full' })
})

test('mounting <Width> does not leak', async () => {
  await expect(() => {
    render(h(Width))
    cleanup()
  }).not.toLeak()
})
