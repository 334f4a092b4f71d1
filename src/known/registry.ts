/**
 * The known leaks leakspec ships: leaks in Node itself or in a package that a test cannot fix, each
 * reproduced on this project's machines (the entry's comment says how). The shape of an entry, its
 * validation and how a match is named are in `core/known.ts`; matching is in `apply.ts`.
 */
import type { KnownLeak } from '../core/known.js'

/**
 * The entries leakspec ships. Each was reproduced with leakspec itself (a leak verdict whose diagnosis the
 * entry matches, and a clean verdict where it should not apply): `test/unit/known-leaks.test.ts` checks the
 * Node entries on every run, `examples/known-leaks/` the package entries.
 */
export const BUILTIN_KNOWN_LEAKS: readonly KnownLeak[] = Object.freeze([
  {
    id: 'node-abortsignal-any',
    package: 'node',
    // Reproduced on 20.20.2 (WeakRef 1 per call) and clean on 24.21.0; Node 22 before its fix leaks too
    // (the issue was reported on 22.9.0) but is not listed, as it was not reproduced here.
    versions: '>=20.3.0 <21',
    link: 'https://github.com/nodejs/node/issues/55351',
    description:
      'AbortSignal.any() with a long-lived signal keeps a WeakRef per combined signal in that signal; fixed in later Node versions',
    path: /<symbol kDependantSignals>: Set › entry › WeakRef$/,
  },
  {
    id: 'lodash.get-stringToPath',
    package: 'lodash.get',
    versions: '<=4.4.2',
    link: 'https://github.com/lodash/lodash/issues/3622',
    description:
      'the per-method package memoizes every property path it parses, without a bound; `lodash/get` of the lodash package caps that cache (clean with lodash 4.17.21)',
    path: /lodash\.get[\\/]index\.js\) › stringToPath: memoized\(\) › cache: MapCache/,
  },
  {
    id: 'lodash.set-stringToPath',
    package: 'lodash.set',
    versions: '<=4.3.2',
    link: 'https://github.com/lodash/lodash/issues/3793',
    description:
      'the per-method package memoizes every property path it parses, without a bound; `lodash/set` of the lodash package caps that cache (clean with lodash 4.17.21)',
    path: /lodash\.set[\\/]index\.js\) › stringToPath: memoized\(\) › cache: MapCache/,
  },
  {
    id: 'happy-dom-affectsCache',
    package: 'happy-dom',
    // Reproduced on 20.0.0 and 21.0.4 without leakspec (a Window as the globals, 10,000 React
    // render() + cleanup() of @testing-library/react: `<head>`'s array grows by 2 entries per call,
    // 2,101 → 20,101, heap about 410 B per call at 10,000 calls, no plateau), and with leakspec's
    // diagnosis in Vitest 4.1 + happy-dom 21.0.4 (the path below, 2 Objects per call). No upstream
    // issue was found; the link is the code that clears an element's array only when it changes.
    versions: '>=20.0.0 <=21.0.4',
    link: 'https://github.com/capricorn86/happy-dom/blob/v21.0.4/packages/happy-dom/src/nodes/node/Node.ts',
    description:
      "a query (getElementsByTagName, querySelector, …) pushes a cache entry onto the affectsCache array of every element it visits, and an element's array is only emptied when that element changes: an unchanging element such as <head> keeps one or more entries per query (RTL's cleanup() reads document.body after every unmount)",
    path: /: HTML\w*Element › <symbol affectsCache>: Array › \[\d+\]: Object$/,
  },
] satisfies KnownLeak[])
