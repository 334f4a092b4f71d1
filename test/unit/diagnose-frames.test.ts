/**
 * Who allocated an object, from its recorded stack (innermost first): leakspec's own work is left out
 * of the diagnosis, the user's code (and the packages it calls) is not.
 */
import type { StackFrame } from '../../src/core/diagnosis.js'
import * as path from 'node:path'
import { describe, expect, test } from 'vitest'
import { allocatedByLeakspec, frameOrigin, OWN_DIRS } from '../../src/diagnose/frames.js'

const root = path.resolve(OWN_DIRS[0]!, '..')
const frame = (functionName: string, file: string): StackFrame => ({ functionName, file, line: 1, column: 1, sourceMapped: false })
const own = frame('mapFrame', path.join(root, 'src', 'diagnose', 'frames.ts'))
const user = frame('leakTimer', path.join(root, 'test', 'fixtures', 'diagnose', 'leaks.ts'))
const pkg = frame('wrapCallSite', path.join(root, 'node_modules', 'vite', 'dist', 'node', 'module-runner.js'))
const internal = frame('setInterval', 'node:timers')

describe('allocatedByLeakspec', () => {
  test('the frames name the origins the rule reads', () => {
    expect([own, user, pkg, internal].map((f) => frameOrigin(f.file))).toEqual(['leakspec', 'user', 'node_modules', 'node'])
  })

  test("leakspec's own code, directly or through node internals", () => {
    expect(allocatedByLeakspec([own, user])).toBe(true)
    expect(allocatedByLeakspec([internal, own, user])).toBe(true)
  })

  test('a package that leakspec calls (the runner mapping the diagnosis frames) is leakspec', () => {
    expect(allocatedByLeakspec([pkg, pkg, own, user])).toBe(true)
    expect(allocatedByLeakspec([internal, pkg, own])).toBe(true)
  })

  test("the user's code, and a package the user's code calls, are the user's", () => {
    expect(allocatedByLeakspec([internal, user, own])).toBe(false)
    expect(allocatedByLeakspec([pkg, user, own])).toBe(false)
    expect(allocatedByLeakspec([pkg])).toBe(false)
    expect(allocatedByLeakspec([])).toBe(false)
  })
})
