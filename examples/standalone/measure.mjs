// Using leakspec without a test runner: measureLeaks returns a report, assertNoLeaks throws.
// Run: node --expose-gc examples/standalone/measure.mjs
import { assertNoLeaks, LeakError, measureLeaks } from 'leakspec'

const cache = []
const leaky = () => cache.push({ at: Date.now() })
const clean = () => JSON.parse(JSON.stringify({ items: [1, 2, 3] }))

const report = await measureLeaks(leaky)
console.log(`leaky: ${report.verdict} (${report.reason})`)
for (const round of report.rounds) {
  console.log(`  round ${round.round}${round.counted ? '*' : ' '} ${String(round.calls).padStart(5)} calls  ${round.heapPerCall.toFixed(1)} B/call`)
}

await assertNoLeaks(clean)
console.log('clean: assertNoLeaks passed')

try {
  await assertNoLeaks(leaky)
  console.log('leaky: assertNoLeaks passed — unexpected')
  process.exitCode = 1
} catch (error) {
  if (!(error instanceof LeakError)) throw error
  console.log(`leaky: assertNoLeaks threw LeakError:\n${error.message.split('\n').slice(0, 3).join('\n')}`)
}
