// Run with `node examples/dom/run.mjs` (jsdom and happy-dom). The first test fails on purpose.
import { act, createElement as h } from 'react'
import { createRoot } from 'react-dom/client'
import { expect, test } from 'vitest'
import { BuggyWidth, Width } from './width.mjs'

globalThis.IS_REACT_ACT_ENVIRONMENT = true
const page = document.body.appendChild(document.createElement('main'))

/** One mount and unmount of a component, into a fresh element that is removed afterwards. */
function mountAndUnmount(component) {
  const host = page.appendChild(document.createElement('div'))
  const root = createRoot(host)
  act(() => root.render(h(component)))
  act(() => root.unmount())
  host.remove()
}

test('mounting and unmounting <BuggyWidth> does not leak (it does: fails on purpose)', async () => {
  await expect(() => mountAndUnmount(BuggyWidth)).not.toLeak()
}, 60_000)

test('mounting and unmounting <Width> does not leak', async () => {
  await expect(() => mountAndUnmount(Width)).not.toLeak()
}, 60_000)
