/**
 * Jest's `--detectLeaks` on the same cases: every case becomes its own Jest test file (one test that
 * calls the case's function N times, N as for the other fixed-count checks) and one Jest process runs
 * them all (`--runInBand --detectLeaks --forceExit`). Each test file gets its own environment, which
 * is what `--detectLeaks` watches: it reports a file whose environment (its global object) is still
 * alive after the file finished. A case counts as flagged when Jest fails its file with the
 * "leaking memory" error; the time is the file's own run time (Jest's startTime → endTime: environment
 * set-up, the N calls and the leak detection); the peak RSS is the whole Jest process's (all files of the repetition).
 *
 * The cases are bundled to CommonJS with esbuild (Jest runs CommonJS without flags). The resource
 * pairs' bundle gets one extra export that closes only the fixtures' loopback server after the file
 * (what the leaky functions left behind stays, as in a real test suite that leaks).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Case file name → a valid, unique test file name. */
const fileNameOf = (c) => `${c.name}.test.cjs`

/**
 * Writes the test files of `cases` into `dir` (created) and returns the Jest config path.
 * @param {Array<{ name: string, file: string, resource?: boolean, pair?: string, variant?: string }>} cases
 * @param {(c: object) => number} callsOf  calls per test (same N as the fixed-count checks)
 */
export async function writeJestSuite(dir, cases, callsOf, resourceSource) {
  mkdirSync(dir, { recursive: true })
  const { build } = await import('esbuild')
  const bundles = new Map()
  const bundleOf = async (c) => {
    const source = c.resource ? resourceSource : c.file
    if (bundles.has(source)) return bundles.get(source)
    const out = join(dir, `bundle-${bundles.size}.cjs`)
    await build({
      entryPoints: [source],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: out,
      logLevel: 'error',
      footer: c.resource
        ? { js: 'module.exports.closeEchoOnly = () => new Promise((resolve) => (echo ? echo.close(() => resolve()) : resolve()));' }
        : undefined,
    })
    bundles.set(source, out)
    return out
  }
  for (const c of cases) {
    const bundle = await bundleOf(c)
    const calls = callsOf(c)
    const body = c.resource
      ? [
          `const mod = require(${JSON.stringify(bundle)})`,
          `const fn = mod.cases.find((p) => p.name === ${JSON.stringify(c.pair)})[${JSON.stringify(c.variant)}]`,
          // Only the socket pair needs the loopback server: Jest 30 reports a file that listened on
          // any net.Server as leaking even after server.close() (seen with a plain server too).
          ...(c.key === 'handles:TCPSocketWrap' ? ['beforeAll(() => mod.startEcho())', 'afterAll(() => mod.closeEchoOnly())'] : []),
        ]
      : [`const mod = require(${JSON.stringify(bundle)})`, 'const fn = mod.create()']
    writeFileSync(
      join(dir, fileNameOf(c)),
      [
        `// ${c.name}: ${calls} calls of the case's function; --detectLeaks judges the file.`,
        ...body,
        `test(${JSON.stringify(c.name)}, async () => {`,
        `  for (let i = 0; i < ${calls}; i++) {`,
        '    const r = fn()',
        "    if (r && typeof r.then === 'function') await r",
        '  }',
        '}, 120000)',
        '',
      ].join('\n'),
    )
  }
  const config = join(dir, 'jest.config.cjs')
  writeFileSync(
    config,
    `module.exports = ${JSON.stringify({ rootDir: dir, testEnvironment: 'node', testMatch: ['<rootDir>/*.test.cjs'], transform: {}, cache: false }, null, 1)}\n`,
  )
  // Runs Jest's CLI in this process and records its peak RSS on exit (--forceExit exits explicitly).
  writeFileSync(
    join(dir, 'jest-wrap.cjs'),
    [
      "const { writeFileSync } = require('node:fs')",
      "process.on('exit', () => writeFileSync(process.env.LEAKSPEC_JEST_RSS, String(process.resourceUsage().maxRSS / 1024)))",
      'require(process.env.LEAKSPEC_JEST_BIN)',
      '',
    ].join('\n'),
  )
  return config
}

/**
 * One Jest process over the suite in `dir`; resolves to one record per case
 * `{ case, verdict: 'leak' | 'clean' | 'error', ms, rssMiB, message? }`.
 */
export function runJestOnce(dir, cases, { node, jestBin, rep }) {
  const json = join(dir, `result-${rep}.json`)
  const rssFile = join(dir, `rss-${rep}.txt`)
  const args = [join(dir, 'jest-wrap.cjs'), '--config', join(dir, 'jest.config.cjs'), '--detectLeaks', '--runInBand', '--forceExit', '--json', '--outputFile', json, '--ci', '--silent']
  return new Promise((resolvePromise) => {
    const child = spawn(node, args, {
      cwd: dir,
      env: { ...process.env, LEAKSPEC_JEST_RSS: rssFile, LEAKSPEC_JEST_BIN: jestBin },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30 * 60_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      const rssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null
      if (!existsSync(json)) {
        resolvePromise(cases.map((c) => ({ case: c.name, error: { code: `EXIT_${code}`, message: output.slice(-500) } })))
        return
      }
      const result = JSON.parse(readFileSync(json, 'utf8'))
      resolvePromise(
        cases.map((c) => {
          const file = result.testResults.find((t) => t.name.endsWith(`/${fileNameOf(c)}`))
          if (!file) return { case: c.name, error: { code: 'MISSING', message: 'no result for the file' } }
          const message = file.message ?? ''
          const leaking = /leaking memory|EnvironmentLeak/i.test(message)
          const testsPassed = file.assertionResults.every((a) => a.status === 'passed')
          const verdict = leaking ? 'leak' : file.status === 'passed' ? 'clean' : testsPassed ? 'error' : 'error'
          return {
            case: c.name,
            verdict,
            ms: file.endTime - file.startTime,
            rssMiB,
            ...(verdict === 'error' ? { error: { code: 'JEST_FAILED', message: message.slice(0, 500) } } : {}),
          }
        }),
      )
    })
  })
}
