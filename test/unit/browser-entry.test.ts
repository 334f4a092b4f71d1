// The page entry of Vitest Browser Mode (leakspec/vitest/browser) is bundled into the browser: nothing
// it imports, in the built package, may import a Node built-in. Reads the build (npm test builds first).
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { builtinModules } from 'node:module'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const ENTRY = join(ROOT, 'dist', 'vitest', 'browser.js')
const BUILTINS = new Set(builtinModules)

/** Every file the entry reaches through relative imports, and every bare specifier they import. */
function importGraph(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>()
  const bare = new Set<string>()
  const walk = (file: string): void => {
    if (files.has(file)) return
    files.add(file)
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']/g)) {
      const spec = match[1]!
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec))
      else bare.add(spec)
    }
    for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) bare.add(match[1]!)
  }
  walk(entry)
  return { files: [...files], bare: [...bare].sort() }
}

describe.skipIf(!existsSync(ENTRY))('leakspec/vitest/browser (built)', () => {
  it('imports no Node built-in, directly or through a chunk', () => {
    const { files, bare } = importGraph(ENTRY)
    expect(files.length).toBeGreaterThan(1)
    expect(bare.filter((spec) => spec.startsWith('node:') || BUILTINS.has(spec))).toEqual([])
    expect(bare).toEqual(['vitest', 'vitest/browser'])
  })
})
