// The published package: what `npm pack` ships and that ESM and CommonJS consumers can load it.
// Runs against the build in dist/ (npm test builds first).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
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
