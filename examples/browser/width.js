// A React component that shows the window's width. <LeakyWidth> subscribes in an effect and never
// unsubscribes: every mount leaves a `resize` listener on window that keeps the unmounted component.
import { createElement as h, useEffect, useState } from 'react'

export function LeakyWidth() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
  }, [])
  return h('p', null, `${width}px`)
}

export function Width() {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return h('p', null, `${width}px`)
}
