/** Regular expressions: literal and constructed ones, exec, replace, matchAll. */
export const truth = 'clean'
export const bytesPerCall = 0
export const about = 'regexes: a literal exec, a global replace, matchAll and a RegExp built from a string per call'

/** @returns {() => unknown} a fresh function under test */
export function create() {
  const text = 'order-123 shipped to user-456 on 2024-05-06; order-789 pending'
  let n = 0
  return () => {
    const m = /(\w+)-(\d+)/.exec(text)
    const replaced = text.replace(/\d/g, '#')
    const all = [...text.matchAll(/order-(\d+)/g)].map((x) => x[1])
    const dynamic = new RegExp(`user-${n++ % 10}\\d+`)
    return (m?.[2] ?? '') + replaced.length + all.length + dynamic.test(text)
  }
}
