// Leaky cases: every check here must come out as a leak of the named signal.
import { cleanup, render } from '@testing-library/react'
import { createElement } from 'react'
import { expect, test } from 'vitest'
import { LeakyWidth } from './src/widget.js'

const kept = []

test('leaky: resize listener added to window per call', async () => {
  await expect(() => {
    window.addEventListener('resize', () => kept.length)
  }).not.toLeak()
})

test('leaky: detached node kept per call', async () => {
  await expect(() => {
    const node = document.createElement('div')
    document.body.appendChild(node)
    node.remove()
    kept.push(node)
  }).not.toLeak()
})

test('leaky: React effect adds a window listener without cleanup', async () => {
  await expect(() => {
    render(createElement(LeakyWidth, { label: 'width' }))
    cleanup()
  }).not.toLeak()
})
