/**
 * The streaming snapshot parser against JSON.parse on a real snapshot (a small worker's heap), fed
 * in chunks of every size from one character up, so that numbers, escapes and surrogate pairs are
 * split across chunk boundaries.
 */
import { Worker } from 'node:worker_threads'
import { describe, expect, test } from 'vitest'
import { parseSnapshotChunks, SnapshotParser } from '../../src/diagnose/parse.js'

const WORKER_SOURCE = `
globalThis.tricky = ['quote " and backslash \\\\ and newline \\n', 'accent é, emoji 😀, separator \\u2028', 'tab\\tend']
require('node:worker_threads').parentPort.postMessage('ready')
setInterval(() => {}, 1000)
`

async function workerSnapshotText(): Promise<string> {
  const worker = new Worker(WORKER_SOURCE, { eval: true })
  try {
    await new Promise((resolve) => worker.once('message', resolve))
    const stream = await worker.getHeapSnapshot()
    const decoder = new TextDecoder()
    let text = ''
    for await (const chunk of stream) text += decoder.decode(chunk as Buffer, { stream: true })
    return text + decoder.decode()
  } finally {
    await worker.terminate()
  }
}

interface Whole {
  snapshot: { node_count: number; edge_count: number }
  nodes: number[]
  edges: number[]
  strings: string[]
}

/** Index of the first differing item, or −1 (a fast comparison for arrays of a million numbers). */
function firstDifference(actual: ArrayLike<unknown>, expected: ArrayLike<unknown>): number {
  const length = Math.max(actual.length, expected.length)
  for (let index = 0; index < length; index++) if (actual[index] !== expected[index]) return index
  return -1
}

describe('SnapshotParser', () => {
  test('matches JSON.parse for chunk sizes from 1 character up', async () => {
    const text = await workerSnapshotText()
    const whole = JSON.parse(text) as Whole
    expect(whole.strings).toContain('quote " and backslash \\ and newline \n')
    expect(whole.strings.some((value) => value.startsWith('accent é'))).toBe(true)
    for (const size of [1, 3, 7, 4096, text.length]) {
      const parser = new SnapshotParser()
      // Sizes below 64 on the whole text would be slow; cover them on a prefix-free split of the
      // strings table, where escapes and surrogates live, and use larger steps elsewhere.
      const stringsStart = text.lastIndexOf('"strings":')
      const cut = size < 64 ? stringsStart : 0
      if (cut > 0) parser.write(text.slice(0, cut))
      for (let at = cut; at < text.length; at += size) parser.write(text.slice(at, at + size))
      const graph = parser.end()
      expect(graph.nodeCount).toBe(whole.snapshot.node_count)
      expect(firstDifference(graph.nodes, whole.nodes)).toBe(-1)
      expect(firstDifference(graph.edges, whole.edges)).toBe(-1)
      expect(firstDifference(graph.strings, whole.strings)).toBe(-1)
    }
  })

  test('parses a byte stream with multi-byte characters split across chunks', async () => {
    const text = await workerSnapshotText()
    const bytes = Buffer.from(text, 'utf8')
    const chunks: Buffer[] = []
    for (let at = 0; at < bytes.length; at += 4097) chunks.push(bytes.subarray(at, at + 4097))
    const graph = await parseSnapshotChunks((async function* () {
      yield* chunks
    })())
    expect(firstDifference(graph.strings, (JSON.parse(text) as Whole).strings)).toBe(-1)
  })

  test('parses bytes split anywhere, multi-byte characters and escapes included (1 to 7 bytes per chunk)', async () => {
    const text = await workerSnapshotText()
    const whole = JSON.parse(text) as Whole
    const bytes = Buffer.from(text, 'utf8')
    const stringsStart = bytes.lastIndexOf('"strings":')
    for (const size of [1, 2, 3, 5, 7]) {
      const parser = new SnapshotParser()
      parser.write(bytes.subarray(0, stringsStart))
      // Plain Uint8Arrays (not Buffers), as a file or another stream may hand them over.
      for (let at = stringsStart; at < bytes.length; at += size) parser.write(new Uint8Array(bytes.subarray(at, at + size)))
      const graph = parser.end()
      expect(firstDifference(graph.strings, whole.strings)).toBe(-1)
      expect(firstDifference(graph.nodes, whole.nodes)).toBe(-1)
    }
  })

  test('a truncated snapshot is an error, not a partial graph', async () => {
    const text = await workerSnapshotText()
    const parser = new SnapshotParser()
    parser.write(text.slice(0, Math.floor(text.length / 2)))
    expect(() => parser.end()).toThrow(/the heap snapshot ended early/)
  })
})
