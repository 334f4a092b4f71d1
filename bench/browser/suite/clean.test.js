// Clean cases: every check here must come out clean (a leak verdict is a false positive).
import { cleanup, render } from '@testing-library/react'
import { createElement } from 'react'
import { expect, test } from 'vitest'
import { Width } from './src/widget.js'

test('clean: listener added and removed on window', async () => {
  await expect(() => {
    const onResize = () => undefined
    window.addEventListener('resize', onResize)
    window.removeEventListener('resize', onResize)
  }).not.toLeak()
})

test('clean: node appended and removed', async () => {
  await expect(() => {
    const node = document.createElement('div')
    node.textContent = 'hello'
    document.body.appendChild(node)
    node.remove()
  }).not.toLeak()
})

test('clean: React component with effect cleanup, rendered and cleaned up', async () => {
  await expect(() => {
    render(createElement(Width, { label: 'width' }))
    cleanup()
  }).not.toLeak()
})
