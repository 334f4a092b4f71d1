// The published package: what `npm pack` ships and that ESM and CommonJS consumers can load it.
// Runs against the build in dist/ (npm test builds first).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const built = existsSync(join(root, 'dist', 'index.js'))

describe('package', () => {
  test('the build exists (npm test builds first; run `npm run build` when running this file alone)', () => {
    expect(built).toBe(true)
  })

  test('npm pack ships only the build, README, LICENSE and package.json', () => {
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })
    const files = (JSON.parse(output) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path)
    const outside = files.filter((path) => !path.startsWith('dist/') && !['README.md', 'LICENSE', 'package.json'].includes(path))
    expect(outside, 'files outside the build').toEqual([])
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'README.md', 'LICENSE']))
  })

  test('a CommonJS consumer can require every entry', () => {
    const script = `
      const core = require('leakspec');
      const vitest = require('leakspec/vitest');
      console.log(JSON.stringify([typeof core.measureLeaks, typeof core.assertNoLeaks, typeof core.LeakError, typeof vitest.leakspec]));
    `
    const output = execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })
    expect(JSON.parse(output)).toEqual(['function', 'function', 'function', 'function'])
  })

  test('an ESM consumer can import every runner-neutral entry and run a check', () => {
    const script = `
      const core = await import('leakspec');
      const vitest = await import('leakspec/vitest');
      const report = await core.measureLeaks(() => JSON.stringify({ a: 1 }));
      console.log(JSON.stringify([typeof vitest.leakspec, report.verdict]));
    `
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    expect(JSON.parse(output)).toEqual(['function', 'clean'])
  })

  test('ESM and CommonJS consumers load every entry of the exports map, with the same named exports', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    // Entries that do work when loaded (they register matchers in a running test file) are covered below;
    // ./vitest/browser registers toLeak in the page of Vitest Browser Mode and only loads there
    // (test/unit/browser-entry.test.ts, test/integration/browser.test.ts).
    const sideEffects = new Set(['./vitest/setup', './jest', './vitest/browser'])
    const entries = Object.keys(manifest.exports)
      .filter((key) => key !== './package.json' && !sideEffects.has(key))
      .map((key) => (key === '.' ? 'leakspec' : `leakspec/${key.slice(2)}`))
    expect(entries).toEqual(expect.arrayContaining(['leakspec', 'leakspec/vitest', 'leakspec/vitest/runner', 'leakspec/jest-environment']))
    const listExports = `const names = {}; for (const entry of ${JSON.stringify(entries)}) { const m = LOAD(entry); names[entry] = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort() } console.log(JSON.stringify(names))`
    const esm = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', listExports.replace('const names', 'const LOAD = (e) => import(e); const names').replace('LOAD(entry)', 'await LOAD(entry)')], { cwd: root, encoding: 'utf8' }),
    ) as Record<string, string[]>
    // leakspec/vitest/runner imports `vitest`, which cannot be require()d ("Vitest cannot be imported in a
    // CommonJS module using require()"): only Vitest loads that entry, and it always imports it.
    const esmOnly = new Set(['leakspec/vitest/runner'])
    const cjsEntries = entries.filter((entry) => !esmOnly.has(entry))
    const cjs = JSON.parse(
      execFileSync(process.execPath, ['-e', listExports.replace(JSON.stringify(entries), JSON.stringify(cjsEntries)).replace('LOAD(entry)', 'require(entry)')], { cwd: root, encoding: 'utf8' }),
    ) as Record<string, string[]>
    for (const entry of entries) {
      expect(esm[entry]?.length, `${entry} (ESM) has named exports`).toBeGreaterThan(0)
      if (!esmOnly.has(entry)) expect(cjs[entry], `${entry}: CommonJS exports the same names as ESM`).toEqual(esm[entry])
    }
    expect(esm['leakspec']).toEqual(expect.arrayContaining(['measureLeaks', 'assertNoLeaks', 'LeakError', 'LeakCheckError', 'watch']))
  })

  test('the setup entries resolve in both forms, and leakspec/jest outside Jest fails naming the fix', () => {
    const script = (load: string): string => `
      const out = {};
      for (const entry of ['leakspec/vitest/setup', 'leakspec/jest']) out[entry] = ${load === 'esm' ? 'import.meta.resolve(entry)' : 'require.resolve(entry)'};
      try { ${load === 'esm' ? "await import('leakspec/jest')" : "require('leakspec/jest')"}; out.error = null } catch (error) { out.error = error.message }
      console.log(JSON.stringify(out));
    `
    for (const form of ['esm', 'cjs']) {
      const args = form === 'esm' ? ['--input-type=module', '-e', script(form)] : ['-e', script(form)]
      const out = JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' })) as Record<string, string | null>
      expect(out['leakspec/vitest/setup'], form).toMatch(form === 'esm' ? /dist\/vitest\/setup\.js$/ : /dist\/vitest\/setup\.cjs$/)
      expect(out['leakspec/jest'], form).toMatch(form === 'esm' ? /dist\/jest\/index\.js$/ : /dist\/jest\/index\.cjs$/)
      expect(out['error'], form).toMatch(/leakspec\/jest: Jest's `expect` and `afterEach` are not available here\. Fix: list "leakspec\/jest" in `setupFilesAfterEnv`/)
    }
  })

  test('engines and peer ranges match what the integration tests run', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      engines: { node: string }
      peerDependencies: Record<string, string>
      license: string
    }
    const envVersion = (env: string, pkg: string): string =>
      (JSON.parse(readFileSync(join(root, 'test', 'envs', env, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies[pkg]!
    // The ranges are of the forms ">=a" and ">=a <b".
    const parse = (version: string): number[] => version.replace(/^v/, '').split('.').map(Number)
    const compare = (a: string, b: string): number => {
      const [x, y] = [parse(a), parse(b)]
      for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
      return 0
    }
    const satisfies = (version: string, range: string): boolean =>
      range.split(/\s+/).every((part) => {
        const match = /^(>=|<)(\d+(?:\.\d+){0,2})$/.exec(part)
        if (!match) throw new Error(`unexpected range part ${part} in ${range}`)
        return match[1] === '>=' ? compare(version, match[2]!) >= 0 : compare(version, match[2]!) < 0
      })
    expect(manifest.engines.node).toBe('>=20.13.0') // v8.queryObjects (instance counts) needs 20.13
    expect(satisfies(process.version, manifest.engines.node)).toBe(true)
    expect(satisfies('24.0.0', manifest.engines.node)).toBe(true)
    expect(satisfies('20.12.2', manifest.engines.node)).toBe(false)
    for (const env of ['vitest4', 'vitest5']) expect(satisfies(envVersion(env, 'vitest'), manifest.peerDependencies['vitest']!), env).toBe(true)
    expect(satisfies('4.0.18', manifest.peerDependencies['vitest']!)).toBe(false) // TestRunner export and Matchers<R, T>: 4.1+
    expect(satisfies('6.0.0', manifest.peerDependencies['vitest']!)).toBe(false)
    for (const env of ['jest29', 'jest30']) {
      expect(satisfies(envVersion(env, 'jest'), manifest.peerDependencies['jest-environment-node']!), env).toBe(true)
    }
    expect(satisfies('28.1.3', manifest.peerDependencies['jest-environment-node']!)).toBe(false)
    expect(manifest.license).toBe('MIT')
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
  })

  test('the plugin config hook adds the setup file that exists in the package, and --expose-gc for forks only', async () => {
    const { leakspec } = (await import(join(root, 'dist/vitest/index.js'))) as typeof import('../../src/vitest/index.js')
    const forks = { config: { setupFiles: [] as string[], execArgv: [] as string[], pool: 'forks' } }
    const threads = { config: { setupFiles: [] as string[], execArgv: [] as string[], pool: 'threads' } }
    const plugin = leakspec()
    plugin.configureVitest({ project: forks })
    plugin.configureVitest({ project: forks })
    plugin.configureVitest({ project: threads })
    expect(forks.config.setupFiles).toHaveLength(1)
    expect(existsSync(forks.config.setupFiles[0]!)).toBe(true)
    expect(forks.config.setupFiles[0]).toMatch(/dist[\\/]vitest[\\/]setup\.js$/)
    expect(forks.config.execArgv).toEqual(['--expose-gc'])
    expect(threads.config.execArgv).toEqual([])
  })

  test('plugin misuse is a TypeError naming the fix', async () => {
    const { leakspec } = (await import(join(root, 'dist/vitest/index.js'))) as typeof import('../../src/vitest/index.js')
    expect(() => leakspec({ rounds: 8 } as never)).toThrowError(
      /unknown leakspec\(\) plugin option `rounds`.*Fix: put check options under `defaults`/,
    )
    expect(() => leakspec({ defaults: { rounds: 'many' } } as never)).toThrowError(/option `rounds` must be an integer/)
  })
})
