// Run with `node examples/dom/run.mjs` (jsdom and happy-dom). The first test fails on purpose.
import { cleanup, render } from '@testing-library/react'
import { createElement as h } from 'react'
import { expect, test } from 'vitest'
import { BuggyWidth, Width } from './width.mjs'

test('mounting and unmounting <BuggyWidth> does not leak (it does: fails on purpose)', async () => {
  await expect(() => {
    render(h(BuggyWidth))
    cleanup()
  }).not.toLeak()
}, 60_000)

test('mounting and unmounting <Width> does not leak', async () => {
  await expect(() => {
    render(h(Width))
    cleanup()
  }).not.toLeak()
}, 60_000)
