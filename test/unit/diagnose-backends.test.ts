/**
 * The two diagnosis backends on the same leak, each in a fresh process: node:inspector (always there)
 * and v8-profiler-next (an optional native addon; installed for this test into
 * bench/diagnose/profiler-next, where npm builds it from source). Both must name the same constructor,
 * the same holder and an allocation site in the leaking file. Skipped, saying why, when the addon
 * cannot be built or loaded here.
 */
import type { Diagnosis } from '../../src/core/diagnosis.js'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { beforeAll, describe, expect, test } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const CHILD = path.join(ROOT, 'test/fixtures/diagnose/backend-child.mjs')

interface Installer {
  installProfilerNext(node?: string): { ok: true; dir: string } | { ok: false; dir: string; reason: string }
}

let bundle = ''
/** A bundle where v8-profiler-next does not resolve (outside the repository). */
let isolatedBundle = ''
let unavailable: string | undefined

beforeAll(async () => {
  const installer = (await import(path.join(ROOT, 'bench/diagnose/install.mjs'))) as Installer
  const installed = installer.installProfilerNext()
  // The bundle lives where `import('v8-profiler-next')` resolves to the installed copy.
  const dir = path.join(installed.dir, 'node_modules', '.leakspec-test')
  fs.mkdirSync(dir, { recursive: true })
  bundle = path.join(dir, `leakspec-${process.pid}.mjs`)
  await build({
    entryPoints: [path.join(ROOT, 'src/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'warning',
    external: ['v8-profiler-next'],
  })
  if (!installed.ok) unavailable = installed.reason
  isolatedBundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-backends-')), 'leakspec.mjs')
  fs.copyFileSync(bundle, isolatedBundle)
}, 600_000)

function runChild(leakspec: string, backend: string): Diagnosis {
  const child = spawnSync(process.execPath, ['--expose-gc', CHILD, leakspec, backend], { encoding: 'utf8', timeout: 240_000 })
  expect(child.status, child.stderr).toBe(0)
  const { verdict, diagnosis } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { verdict: string; diagnosis: Diagnosis }
  expect(verdict).toBe('leak')
  return diagnosis
}

function diagnoseIn(backend: string): Diagnosis {
  const diagnosis = runChild(bundle, backend)
  expect(diagnosis.error).toBeUndefined()
  return diagnosis
}

function expectWhatWhoWhere(diagnosis: Diagnosis): void {
  const top = diagnosis.kinds[0]!
  expect(top.name).toBe('AuditEntry')
  expect(top.perCall).toBeGreaterThan(0.8)
  expect(top.perCall).toBeLessThan(1.2)
  expect(top.pathText).toMatch(/module scope \(test\/fixtures\/diagnose\/backend-child\.mjs\) › auditTrail: Array › \[\d+\]: AuditEntry$/)
  const frames = top.stack ?? diagnosis.sites[0]?.stack ?? []
  expect(frames.some((frame) => frame.functionName === 'recordAudit' && frame.file.endsWith('test/fixtures/diagnose/backend-child.mjs'))).toBe(true)
}

describe('diagnosis backends', () => {
  test('node:inspector names what, who and where', () => {
    const diagnosis = diagnoseIn('node:inspector')
    expect(diagnosis.backend).toBe('node:inspector')
    expectWhatWhoWhere(diagnosis)
  }, 300_000)

  test('v8-profiler-next gives the same what, who and where, and is the default when installed', (context) => {
    if (unavailable !== undefined) {
      console.warn(`skipped: v8-profiler-next is unavailable here: ${unavailable}`)
      context.skip()
    }
    const diagnosis = diagnoseIn('auto')
    expect(diagnosis.backend).toBe('v8-profiler-next')
    expectWhatWhoWhere(diagnosis)
  }, 300_000)

  test('asking for v8-profiler-next where it is not installed leaves the verdict and says why', () => {
    const diagnosis = runChild(isolatedBundle, 'v8-profiler-next')
    expect(diagnosis.kinds).toEqual([])
    expect(diagnosis.error).toBe("no heap profiler: Error: leakspec: backend 'v8-profiler-next' asked for, but v8-profiler-next is not installed")
  }, 300_000)
})
