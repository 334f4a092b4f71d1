/**
 * A small glob matcher for selecting test files (`**`, `*`, `?`, `{a,b}`, `[abc]`), so that the
 * file selection works the same in Vitest and Jest without a dependency.
 */
import { describeValue } from '../core/options.js'

/**
 * Compiles one glob to a regular expression matched against a `/`-separated relative path.
 * `**` matches any number of folders (also none), `*` and `?` never cross a `/`. A pattern without
 * a `/` matches the file name in any folder (as `**\/pattern`).
 */
export function globToRegExp(glob: string): RegExp {
  let pattern = glob.replace(/\\/g, '/').replace(/^\.\//, '')
  if (!pattern.includes('/')) pattern = `**/${pattern}`
  let source = ''
  let braces = 0
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '*') {
      if (pattern[i + 1] === '*') {
        const slashAfter = pattern[i + 2] === '/'
        source += slashAfter ? '(?:.*/)?' : '.*'
        i += slashAfter ? 2 : 1
      } else {
        source += '[^/]*'
      }
    } else if (char === '?') source += '[^/]'
    else if (char === '{') {
      braces++
      source += '(?:'
    } else if (char === '}' && braces > 0) {
      braces--
      source += ')'
    } else if (char === ',' && braces > 0) source += '|'
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1)
      if (end === -1) source += '\\['
      else {
        source += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else source += char.replace(/[.+^$()|\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/**
 * Validates a list of globs (an option) and returns a predicate over relative paths.
 * @param globs the option value
 * @param where how the option is named in error messages, for example `leakspec({ files })`
 * @throws {TypeError} when the value is not an array of non-empty strings
 */
export function compileFileGlobs(globs: unknown, where: string): (relativePath: string) => boolean {
  if (globs === undefined) return () => false
  if (!Array.isArray(globs) || globs.some((glob) => typeof glob !== 'string' || glob.trim() === '')) {
    throw new TypeError(
      `leakspec: ${where} must be an array of glob strings; received ${describeValue(globs)}. ` +
        "Fix: pass for example ['**/*.leak.test.ts'].",
    )
  }
  const patterns = (globs as string[]).map(globToRegExp)
  return (relativePath) => {
    const path = relativePath.replace(/\\/g, '/')
    return patterns.some((pattern) => pattern.test(path))
  }
}
