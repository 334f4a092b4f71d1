import { describe, expect, test } from 'vitest'
import type { LeakReport } from '../../src/core/report.js'
import { isSiteExplained, pageSited, sitesExplainLeak } from '../../src/diagnose/site-explained.js'

type Leak = LeakReport & { verdict: 'leak' }

/** The parts of a leak report the rule reads: the leaked keys and, per key, the site groups' user frames. */
function report(keys: string[], sites: Record<string, string[][]>): Leak {
  return {
    verdict: 'leak',
    leaks: keys.map((key) => ({ key, unit: key === 'heap' ? 'bytes' : 'count', perCall: 1 })),
    stacks: {
      calls: 8,
      signals: Object.entries(sites).map(([key, groups]) => ({
        key,
        items: groups.length,
        groups: groups.map((frames) => ({ count: 1, frames, folded: { node: 0, node_modules: 0, leakspec: 0 } })),
        ignored: {},
        allIgnored: false,
      })),
    },
  } as unknown as Leak
}

const SITE = ['at (anonymous) (src/widget.js:9:12)']

describe('sitesExplainLeak', () => {
  test('a listener on a DOM target whose site has a user frame is explained by it', () => {
    expect(sitesExplainLeak(report(['listeners:resize on window'], { 'listeners:resize on window': [SITE] }))).toBe(true)
    expect(sitesExplainLeak(report(['listeners:resize on window'], { 'listeners:resize on window': [SITE] }), pageSited)).toBe(true)
  })

  test('a heap leak beside it, a site with no user frame, or no site at all needs the snapshot', () => {
    expect(sitesExplainLeak(report(['listeners:resize on window', 'heap'], { 'listeners:resize on window': [SITE] }))).toBe(false)
    expect(sitesExplainLeak(report(['listeners:resize on window'], { 'listeners:resize on window': [[]] }))).toBe(false)
    expect(sitesExplainLeak(report(['listeners:resize on window'], {}))).toBe(false)
  })

  test('EventEmitter listeners are not DOM items; DOM nodes are, but the page does not record their sites', () => {
    expect(isSiteExplained('listeners:data')).toBe(false)
    expect(isSiteExplained('dom:detached nodes')).toBe(true)
    expect(sitesExplainLeak(report(['dom:detached nodes'], { 'dom:detached nodes': [SITE] }))).toBe(true)
    expect(sitesExplainLeak(report(['dom:detached nodes'], { 'dom:detached nodes': [SITE] }), pageSited)).toBe(false)
  })
})
