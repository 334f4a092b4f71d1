/**
 * Jest's `--detectLeaks` on the same cases: every case becomes its own Jest test file (one test that
 * calls the case's function N times, N as for the other fixed-count checks), each run in its own
 * Jest process (`--detectLeaks --runInBand --forceExit --runTestsByPath <file>`, killed after 3
 * minutes: with all files in one process, Jest 30 stalled for minutes after the leaky resource
 * files). `--detectLeaks` watches the test file's environment: it reports a file whose environment
 * (its global object) is still alive after the file finished. A case counts as flagged when Jest
 * fails its file with the "leaking memory" error; the time is the file's own run time (Jest's startTime → endTime: environment
 * set-up, the N calls and the leak detection); the peak RSS is the Jest process's.
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
 * One Jest process for one case file (`--runTestsByPath`), killed after `timeoutMs`; resolves to
 * `{ case, verdict: 'leak' | 'clean', ms, rssMiB }` or `{ case, error }`.
 */
export function runJestCase(dir, c, { node, jestBin, rep, timeoutMs = 180_000 }) {
  const tag = `${c.name}-${rep}`
  const json = join(dir, `result-${tag}.json`)
  const rssFile = join(dir, `rss-${tag}.txt`)
  const args = [
    join(dir, 'jest-wrap.cjs'),
    '--config',
    join(dir, 'jest.config.cjs'),
    '--detectLeaks',
    '--runInBand',
    '--forceExit',
    '--json',
    '--outputFile',
    json,
    '--ci',
    '--silent',
    '--runTestsByPath',
    join(dir, fileNameOf(c)),
  ]
  return new Promise((resolvePromise) => {
    const child = spawn(node, args, {
      cwd: dir,
      env: { ...process.env, LEAKSPEC_JEST_RSS: rssFile, LEAKSPEC_JEST_BIN: jestBin },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const rssMiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : null
      if (!existsSync(json)) {
        resolvePromise({ case: c.name, rssMiB, error: { code: timedOut ? 'TIMEOUT' : `EXIT_${code}`, message: output.slice(-500) } })
        return
      }
      const result = JSON.parse(readFileSync(json, 'utf8'))
      const file = result.testResults[0]
      if (!file) return resolvePromise({ case: c.name, rssMiB, error: { code: 'MISSING', message: 'no result for the file' } })
      const message = file.message ?? ''
      const leaking = /leaking memory|EnvironmentLeak/i.test(message)
      const verdict = leaking ? 'leak' : file.status === 'passed' ? 'clean' : null
      resolvePromise({
        case: c.name,
        ms: file.endTime - file.startTime,
        rssMiB,
        ...(verdict ? { verdict } : { error: { code: 'JEST_FAILED', message: message.slice(0, 500) } }),
      })
    })
  })
}
