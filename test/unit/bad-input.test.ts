// Bad input that needs its own process: GC unavailable. Where the other bad-input rows of the README
// ("Errors and troubleshooting") are tested:
//   not a function, throws at call k, rejects, never settles, a thenable that never calls back,
//   two checks at once (OVERLAP)             test/unit/engine.test.ts (measureLeaks), and through the
//                                            matchers in real runners: test/fixtures/vitest/forks/errors.test.ts,
//                                            test/fixtures/jest/cjs/errors.test.cjs
//   options of the wrong type, out of range,
//   unknown, not an object                   test/unit/options.test.ts, and through the matchers:
//                                            test/fixtures/matrix/bad-input-*/ (matrix-bad-input.test.ts)
//   a thenable, two toLeak at once in one test, toLeak in test.concurrent / describe.concurrent,
//   toLeak in beforeAll / afterAll           test/integration/matrix-bad-input.test.ts (Vitest 4.1, 5;
//                                            Jest 29, 30)
// Runs against the build in dist/ (npm test builds first).
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const preload = join(root, 'test', 'fixtures', 'matrix', 'no-gc-fallback.cjs')

/** Runs a script in a fresh node (no NODE_OPTIONS from this runner) and parses its JSON output. */
function runNode(args: string[], script: string): Record<string, unknown> {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  const output = execFileSync(process.execPath, [...args, '-e', script], { cwd: root, encoding: 'utf8', env })
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, unknown>
}

const ESM_CHECK = `
  const { assertNoLeaks, measureLeaks } = await import(${JSON.stringify(join(root, 'dist', 'index.js'))});
  const report = await measureLeaks(() => JSON.stringify({ a: 1 }));
  let error;
  try { await assertNoLeaks(() => JSON.stringify({ a: 1 })) } catch (caught) { error = caught }
  console.log(JSON.stringify({ verdict: report.verdict, cause: report.cause ?? null, gc: report.gc, name: error?.name ?? null, code: error?.code ?? null, message: error?.message ?? null }));
`
const CJS_CHECK = `
  const { assertNoLeaks } = require(${JSON.stringify(join(root, 'dist', 'index.cjs'))});
  assertNoLeaks(() => JSON.stringify({ a: 1 })).then(
    (report) => console.log(JSON.stringify({ verdict: report.verdict, code: null })),
    (error) => console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })),
  );
`

describe('GC unavailable', () => {
  test('without --expose-gc and without the runtime fallback, a check fails with GC_UNAVAILABLE naming the fix (ESM)', () => {
    const result = runNode(['--require', preload, '--input-type=module'], ESM_CHECK)
    expect(result['verdict']).toBe('inconclusive')
    expect(result['cause']).toBe('gc-unavailable')
    expect(result['gc']).toBe('unavailable')
    expect(result['name']).toBe('LeakCheckError')
    expect(result['code']).toBe('GC_UNAVAILABLE')
    const message = String(result['message'])
    expect(message).toMatch(/^assertNoLeaks\(fn\)\n\nleakspec could not reach a verdict: no way to force a garbage collection was found \(the runtime fallback failed: .+\)\. This is neither a pass nor a leak\.\n/)
    expect(message).toContain('Fix: run node with --expose-gc (for example NODE_OPTIONS=--expose-gc); in Vitest use the leakspec() plugin')
    expect(message).toContain('in Jest run node --expose-gc node_modules/jest/bin/jest.js')
    expect(message).not.toMatch(/Expected the function/)
  })

  test('the same from CommonJS', () => {
    const result = runNode(['--require', preload], CJS_CHECK)
    expect(result['code']).toBe('GC_UNAVAILABLE')
    expect(String(result['message'])).toContain('Fix: run node with --expose-gc')
  })

  test('control: with --expose-gc the same runtime reaches a verdict (the fix works)', () => {
    const result = runNode(['--require', preload, '--expose-gc', '--input-type=module'], ESM_CHECK)
    expect(result).toMatchObject({ verdict: 'clean', gc: 'exposed', code: null })
  })

  test('control: without the preload the runtime fallback works (so the preload is what removes it)', () => {
    const result = runNode(['--input-type=module'], ESM_CHECK)
    expect(result).toMatchObject({ verdict: 'clean', gc: 'fallback', code: null })
  })
})
