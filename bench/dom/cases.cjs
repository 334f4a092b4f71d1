// The DOM benchmark's cases (CommonJS, so that Jest and Vitest load the same file through Node's own
// require). Each is a function of one call; `leaky` ones leave a DOM item behind per call, their clean
// twins do not. They run inside a DOM environment (jsdom, happy-dom): `document` and `window` are the
// environment's globals when a case is set up.
const { act, createElement: h, useEffect, useState } = require('react')
const { createRoot } = require('react-dom/client')

globalThis.IS_REACT_ACT_ENVIRONMENT = true

/** One mount and unmount into a fresh element of `page` (React 19, react-dom). */
function mountAndUnmount(page, component) {
  const host = page.appendChild(document.createElement('div'))
  const root = createRoot(host)
  act(() => root.render(h(component)))
  act(() => root.unmount())
  host.remove()
}

function LeakyWidth() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    window.addEventListener('resize', () => setWidth(window.innerWidth))
  }, [])
  return h('p', null, `width ${width}`)
}

function FixedWidth() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return h('p', null, `width ${width}`)
}

/** name → { leaky, signal (a leaky case's expected leak key prefix), setup() → fn }. */
const CASES = {
  'listener-window': {
    leaky: true,
    signal: 'listeners:resize on window',
    setup: () => () => window.addEventListener('resize', () => {}),
  },
  'listener-window-clean': {
    leaky: false,
    setup: () => () => {
      const onResize = () => {}
      window.addEventListener('resize', onResize)
      window.removeEventListener('resize', onResize)
    },
  },
  'detached-nodes': {
    leaky: true,
    signal: 'dom:detached nodes',
    setup: () => {
      const kept = []
      return () => kept.push(document.createElement('li'))
    },
  },
  'append-remove-clean': {
    leaky: false,
    setup: () => {
      const container = document.createElement('section')
      document.body.append(container)
      return () => {
        const div = document.createElement('div')
        container.appendChild(div)
        div.remove()
      }
    },
  },
  'observer': {
    leaky: true,
    signal: 'dom:MutationObserver',
    setup: () => () => new MutationObserver(() => {}).observe(document.documentElement, { childList: true }),
  },
  'observer-clean': {
    leaky: false,
    setup: () => () => {
      const observer = new MutationObserver(() => {})
      observer.observe(document.documentElement, { childList: true })
      observer.disconnect()
    },
  },
  'react-effect': {
    leaky: true,
    signal: 'listeners:resize on window',
    setup: () => {
      const page = document.body.appendChild(document.createElement('main'))
      return () => mountAndUnmount(page, LeakyWidth)
    },
  },
  'react-effect-clean': {
    leaky: false,
    setup: () => {
      const page = document.body.appendChild(document.createElement('main'))
      return () => mountAndUnmount(page, FixedWidth)
    },
  },
  // The same fixed component through @testing-library/react's render() and cleanup(), as most suites
  // write it (cleanup() reads document.body after each unmount).
  'react-rtl-clean': {
    leaky: false,
    setup: () => {
      const { cleanup, render } = require('@testing-library/react')
      return () => {
        render(h(FixedWidth))
        cleanup()
      }
    },
  },
}

module.exports = { CASES }
