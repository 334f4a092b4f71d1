// Two versions of a component that shows the window's width. The buggy one adds a `resize` listener
// when it mounts and never removes it: every mount leaves a listener (and the component's state) on
// `window` for good.
import { createElement as h, useEffect, useState } from 'react'

export function BuggyWidth() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    window.addEventListener('resize', () => setWidth(window.innerWidth))
  }, [])
  return h('p', null, `${width} px wide`)
}

export function Width() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return h('p', null, `${width} px wide`)
}
