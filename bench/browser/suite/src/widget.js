// A component that follows the window's width. The leaky version subscribes in an effect and
// never unsubscribes: every mount adds a `resize` listener to window that holds the component.
import { createElement, useEffect, useState } from 'react'

export function LeakyWidth({ label }) {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
  }, [])
  return createElement('p', null, `${label}: ${width}px`)
}

export function Width({ label }) {
  const [width, setWidth] = useState(window.innerWidth)
  useEffect(() => {
    const onResize = () => setWidth(window.innerWidth)
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return createElement('p', null, `${label}: ${width}px`)
}
