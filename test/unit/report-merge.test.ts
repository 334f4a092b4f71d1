/**
 * Merging shard reports and Jest sidecar files: the library and the `leakspec merge` command.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { command } from '../../src/cli/merge.js'
import { buildReport, toReportTest } from '../../src/report/build.js'
import { mergeInputs, parseMergeInput } from '../../src/report/merge.js'
import type { LeakspecReport } from '../../src/report/schema.js'
import { reportJson } from '../../src/report/write.js'
import { CLEAN, HEAP_LEAK, HOOK_CLEAN } from '../fixtures/reports/records.js'

function shard(index: number, tests: Parameters<typeof toReportTest>[0][]): LeakspecReport {
  const shardName = `${index}/2`
  return buildReport(
    tests.map((test) => toReportTest({ ...test, shard: shardName })!),
    [{ runner: 'jest', runnerVersion: '30.5.2', shard: shardName, createdAt: '2026-01-01T00:00:00.000Z' }],
  )
}

const SHARD_1 = shard(1, [{ file: 'a.test.js', titlePath: ['clean a'], status: 'passed', checks: [CLEAN] }])
const SHARD_2 = shard(2, [{ file: 'b.test.js', titlePath: ['d', 'leaky b'], status: 'failed', checks: [HEAP_LEAK] }])

describe('mergeInputs', () => {
  it('combines the tests and sources of shard reports, failing tests first, totals recomputed', () => {
    const merged = mergeInputs([parseMergeInput(reportJson(SHARD_1), '1'), parseMergeInput(reportJson(SHARD_2), '2')])
    expect(merged.tests.map((test) => [test.name, test.shard])).toEqual([
      ['d > leaky b', '2/2'],
      ['clean a', '1/2'],
    ])
    expect(merged.sources.map((source) => source.shard)).toEqual(['1/2', '2/2'])
    expect(merged.summary).toMatchObject({ tests: 2, checks: 2, leak: 1, clean: 1 })
  })

  it('keeps a file given twice once', () => {
    const input = parseMergeInput(reportJson(SHARD_1), '1')
    expect(mergeInputs([input, input]).tests).toHaveLength(1)
  })

  it('reads Jest sidecar files: the environment one and the matcher one', () => {
    const environment = parseMergeInput(
      JSON.stringify({
        version: 1,
        testPath: '/repo/test/hook.test.js',
        tests: [{ fullName: 'outer hook', ancestorTitles: ['outer'], title: 'hook', status: 'passed', leakspec: HOOK_CLEAN }],
        skipped: [],
      }),
      'env.json',
      '/repo',
    )
    expect(environment.tests).toEqual([
      expect.objectContaining({ file: 'test/hook.test.js', titlePath: ['outer', 'hook'], status: 'passed', hook: { status: 'clean', repetitions: 1200 } }),
    ])
    const matchers = parseMergeInput(
      JSON.stringify({ kind: 'leakspec-jest-matchers', version: 1, testPath: '/repo/a.test.js', tests: [{ fullName: 'a', checks: [CLEAN, HEAP_LEAK] }] }),
      'matchers.json',
      '/repo',
    )
    expect(matchers.tests[0]!.checks.map((check) => check.verdict)).toEqual(['clean', 'leak'])
  })

  it.each([
    ['{', /^x\.json is not JSON/],
    ['[]', /^x\.json is not a leakspec report or sidecar file \(not a JSON object\)\.$/],
    ['{"schemaVersion":2,"tests":[]}', /^x\.json has report schema version 2; this leakspec reads version 1\. Fix: merge with the leakspec version that wrote the files\.$/],
    ['{"hello":1}', /^x\.json is not a leakspec report \(no schemaVersion\) nor a Jest sidecar file\./],
  ])('rejects %s, naming the file', (text, message) => {
    expect(() => parseMergeInput(text, 'x.json')).toThrow(message)
  })
})

describe('leakspec merge', () => {
  let out = ''
  let err = ''
  afterEach(() => {
    vi.restoreAllMocks()
    out = ''
    err = ''
  })
  function capture(): void {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true))
  }

  it('writes one JSON and one HTML from shard files (a directory stands for its shard files) and prints the table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leakspec-merge-'))
    writeFileSync(join(dir, 'leakspec-report-shard-1-of-2.json'), reportJson(SHARD_1))
    writeFileSync(join(dir, 'leakspec-report-shard-2-of-2.json'), reportJson(SHARD_2))
    capture()
    const code = await command.run([dir, '--out', dir])
    expect(code, err).toBe(0)
    expect(out).toMatch(/^leakspec: 2 leak checks in 2 tests: 1 leak, 1 clean$/m)
    expect(out).toMatch(/^ b\.test\.js > d > leaky b +LEAK /m)
    expect(out).toMatch(/leakspec: merged 2 file\(s\) into .*leakspec-report\.json, .*leakspec-report\.html\n$/)
    const merged = JSON.parse(readFileSync(join(dir, 'leakspec-report.json'), 'utf8')) as LeakspecReport
    expect(merged.tests).toHaveLength(2)
    expect(readFileSync(join(dir, 'leakspec-report.html'), 'utf8')).toContain('<svg class="plot heap-plot"')
    // Run again over the same directory: the merged report itself is not an input.
    out = ''
    expect(await command.run([dir, '--out', dir, '--no-html', '--quiet'])).toBe(0)
    expect(out).toMatch(/^leakspec: merged 2 file\(s\) into \S*leakspec-report\.json\n$/)
  })

  it.each([
    [[], /leakspec merge: no files to merge\./],
    [['--out'], /leakspec merge: --out needs a directory/],
    [['a.json', '--bogus'], /leakspec merge: unknown option --bogus\./],
    [['/nonexistent/leakspec-report-shard-1-of-2.json'], /leakspec merge: \/nonexistent\/leakspec-report-shard-1-of-2\.json does not exist/],
  ])('exits 2 for %j with the reason', async (argv, message) => {
    capture()
    expect(await command.run(argv)).toBe(2)
    expect(err).toMatch(message)
  })

  it('prints its help', async () => {
    capture()
    expect(await command.run(['--help'])).toBe(0)
    expect(out).toMatch(/^Usage: leakspec merge <file\|dir>\.\.\. \[--out <dir>\]/)
  })
})
