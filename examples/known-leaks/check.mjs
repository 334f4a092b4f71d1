// Known leaks, reported instead of failed (README: "Known leaks"). Run from examples/known-leaks/tool,
// where the packages are installed (run.mjs does it): node --expose-gc ../check.mjs
//   1. lodash.get 4.4.2 caches every property path it parses: a leak in the package, which leakspec's
//      built-in registry knows — the check passes and names it; without the registry it fails.
//   2. lodash's own get (4.17.21) caps that cache: clean, no known leak involved.
//   3. A leak you know of (here: performance.mark() without clearMarks) declared with `knownLeaks`.
//   4. A leak of your own next to a known one still fails, and the message says which part is known.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { assertNoLeaks, LeakError } from 'leakspec'

const require = createRequire(join(process.cwd(), 'package.json'))
const doc = { user: { sessions: [] } }
let request = 0
const nextPath = () => `user.sessions[${request++}].id`

async function show(title, fn, options) {
  try {
    const report = await assertNoLeaks(fn, options)
    console.log(`${title}: passes (${report.reason})`)
    for (const match of report.known ?? []) console.log(`  known leak in ${match.package}@${match.version} (${match.link})`)
  } catch (error) {
    if (!(error instanceof LeakError)) throw error
    console.log(`${title}: fails`)
    const lines = error.message.split('\n')
    const start = lines.indexOf('Known leaks (reported, not failed):')
    if (start >= 0) console.log(lines.slice(start, lines.indexOf('', start)).map((line) => `  ${line}`).join('\n'))
    else console.log(`  ${lines[2]}`)
  }
}

/** A fresh copy of a package: each check starts from an empty cache, as in a test file of its own. */
const fresh = (name) => {
  delete require.cache[require.resolve(name)]
  return require(name)
}

const get = fresh('lodash.get')
await show('lodash.get 4.4.2, built-in registry', () => get(doc, nextPath()))
const unregistered = fresh('lodash.get')
await show('lodash.get 4.4.2, builtinKnownLeaks: false', () => unregistered(doc, nextPath()), { builtinKnownLeaks: false })
const set = require('lodash.set')
await show('lodash.set 4.3.2, built-in registry', () => set({}, nextPath(), 1))
const lodashGet = require('lodash/get')
await show('lodash 4.17.21 get', () => lodashGet(doc, nextPath()))

const marks = {
  id: 'perf-marks',
  package: 'node',
  link: 'https://nodejs.org/api/perf_hooks.html#performanceclearmarksname',
  description: 'performance.mark() keeps every mark until performance.clearMarks()',
  constructorName: 'PerformanceMark',
}
await show('performance.mark, declared in knownLeaks', () => performance.mark('request'), { knownLeaks: [marks] })
performance.clearMarks()
const mine = []
await show('performance.mark and a leak of my own', () => {
  performance.mark('request')
  mine.push({ request: request++ })
}, { knownLeaks: [marks] })
performance.clearMarks()
