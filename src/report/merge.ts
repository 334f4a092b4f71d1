/**
 * Merging: several `leakspec-report*.json` files (shard runs) and Jest sidecar files into one report.
 */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { HookRecord } from '../hook/check.js'
import type { LeakCheckRecord } from '../matchers/toLeak.js'
import { buildReport, toReportTest, type TestInput } from './build.js'
import { REPORT_SCHEMA_VERSION, type LeakspecReport, type ReportSource, type ReportTest } from './schema.js'

/** The kind of a matcher sidecar file (see `leakspec/jest-reporter`). */
const MATCHER_FILE_KIND = 'leakspec-jest-matchers'

/** What one input file held. */
export interface MergeInput {
  readonly tests: readonly ReportTest[]
  readonly sources: readonly ReportSource[]
}

interface SidecarLike {
  version: number
  testPath: string
  tests: Array<{ fullName: string; ancestorTitles?: string[]; title?: string; status?: string; leakspec?: HookRecord }>
}

interface MatcherFileLike {
  kind: string
  version: number
  testPath: string
  tests: Array<{ fullName: string; checks: LeakCheckRecord[] }>
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Reads a merge input: a leakspec report (`schemaVersion` 1), a Jest environment sidecar file or a
 * Jest matcher sidecar file. File paths in sidecars are made relative to `root`.
 * @throws {Error} naming the file when it is not one of those, or was written by a newer schema
 */
export function parseMergeInput(text: string, name: string, root = process.cwd()): MergeInput {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`${name} is not JSON (${(error as Error).message}).`)
  }
  if (!isObject(data)) throw new Error(`${name} is not a leakspec report or sidecar file (not a JSON object).`)
  if ('schemaVersion' in data) {
    if (data['schemaVersion'] !== REPORT_SCHEMA_VERSION) {
      throw new Error(
        `${name} has report schema version ${String(data['schemaVersion'])}; this leakspec reads version ${REPORT_SCHEMA_VERSION}. ` +
          'Fix: merge with the leakspec version that wrote the files.',
      )
    }
    const report = data as unknown as LeakspecReport
    if (!Array.isArray(report.tests)) throw new Error(`${name} is a leakspec report without a \`tests\` list.`)
    return { tests: report.tests, sources: Array.isArray(report.sources) ? report.sources : [] }
  }
  if (data['kind'] === MATCHER_FILE_KIND && Array.isArray(data['tests'])) {
    const file = data as unknown as MatcherFileLike
    const path = relative(root, file.testPath)
    const tests = file.tests
      .map((test) => toReportTest({ file: path, titlePath: [test.fullName], status: 'unknown', checks: test.checks }))
      .filter((test): test is ReportTest => test !== undefined)
    return { tests, sources: [] }
  }
  if (data['version'] === 1 && typeof data['testPath'] === 'string' && Array.isArray(data['tests'])) {
    const file = data as unknown as SidecarLike
    const path = relative(root, file.testPath)
    const tests = file.tests
      .map((test) => {
        const input: TestInput = {
          file: path,
          titlePath: test.title !== undefined ? [...(test.ancestorTitles ?? []), test.title] : [test.fullName],
          status: test.status === 'passed' || test.status === 'failed' ? test.status : 'unknown',
          ...(test.leakspec ? { hook: test.leakspec } : {}),
        }
        return toReportTest(input)
      })
      .filter((test): test is ReportTest => test !== undefined)
    return { tests, sources: [] }
  }
  throw new Error(
    `${name} is not a leakspec report (no schemaVersion) nor a Jest sidecar file. ` +
      'Fix: pass the leakspec-report*.json files the reporters wrote.',
  )
}

/** Reads and parses a merge input file (see {@link parseMergeInput}). */
export function readMergeInput(path: string, root = process.cwd()): MergeInput {
  return parseMergeInput(readFileSync(path, 'utf8'), path, root)
}

function testKey(test: ReportTest): string {
  return JSON.stringify([test.file, test.project ?? '', test.name, test.shard ?? '', test.checks.map((check) => check.durationMs)])
}

/**
 * Merges inputs into one report: all tests (an identical test from the same shard given twice is
 * kept once), all sources, totals recomputed, failing tests first.
 */
export function mergeInputs(inputs: readonly MergeInput[], now = new Date()): LeakspecReport {
  const seen = new Set<string>()
  const tests: ReportTest[] = []
  for (const input of inputs) {
    for (const test of input.tests) {
      const key = testKey(test)
      if (seen.has(key)) continue
      seen.add(key)
      tests.push(test)
    }
  }
  const sources: ReportSource[] = []
  const seenSources = new Set<string>()
  for (const source of inputs.flatMap((input) => input.sources)) {
    const key = JSON.stringify(source)
    if (seenSources.has(key)) continue
    seenSources.add(key)
    sources.push(source)
  }
  return buildReport(tests, sources, now)
}
