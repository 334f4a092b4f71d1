// Runs the cases named in LEAKSPEC_DOM_CASES in the current test file and appends one JSON line per
// check to LEAKSPEC_DOM_OUT: verdict, leak keys, calls, GCs, verdict time and (leaky cases, through
// assertNoLeaks) the time with the diagnosis.
const { appendFileSync } = require('node:fs')
const { assertNoLeaks, LeakError, measureLeaks } = require('leakspec')
const { CASES } = require('./cases.cjs')

function register(test, label) {
  const names = (process.env.LEAKSPEC_DOM_CASES ?? '').split(',').filter(Boolean)
  for (const name of names) {
    const spec = CASES[name]
    if (spec === undefined) throw new TypeError(`unknown DOM bench case ${name}`)
    test(name, async () => {
      const fn = spec.setup()
      const started = performance.now()
      let report
      let error
      if (spec.leaky) {
        try {
          report = await assertNoLeaks(fn)
        } catch (caught) {
          if (caught instanceof LeakError || caught?.name === 'LeakError') report = caught.report
          else error = String(caught?.message ?? caught).split('\n')[0]
        }
      } else {
        try {
          report = await measureLeaks(fn)
        } catch (caught) {
          error = String(caught?.message ?? caught).split('\n')[0]
        }
      }
      const totalMs = performance.now() - started
      const line = {
        env: label,
        case: name,
        leaky: spec.leaky,
        expected: spec.signal ?? null,
        verdict: report?.verdict ?? 'error',
        leaks: report?.verdict === 'leak' ? report.leaks.map((leak) => leak.key) : [],
        heapPerCall: report?.signals?.find((signal) => signal.key === 'heap')?.perCall ?? null,
        calls: report?.calls ?? 0,
        gcs: report?.gcs ?? 0,
        verdictMs: Math.round(report?.durationMs ?? 0),
        diagnosisMs: Math.round(report?.diagnosis?.durationMs ?? 0),
        totalMs: Math.round(totalMs),
        ...(error ? { error } : {}),
      }
      appendFileSync(process.env.LEAKSPEC_DOM_OUT, JSON.stringify(line) + '\n')
    }, 300_000)
  }
}

module.exports = { register }
