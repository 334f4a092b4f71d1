/**
 * Worker-side guard of the leak-check hook: when the leakspec runner is not active (the project has
 * another custom runner), a test selected for a leak check must not silently run once and pass.
 */
import { beforeEach, inject } from 'vitest'
import { LEAK_TAG, WHOLE_SUITE_ENV, WHOLE_SUITE_VALUE, wholeSuiteSelected } from '../hook/selection.js'
import { HOOK_CONFIG_KEY, leakspecRunnerActive, type HookProvided } from './hook-shared.js'

const FIX =
  "Fix: use the leakspec() plugin without a custom `runner`, or make your runner extend LeakspecRunner from 'leakspec/vitest/runner' " +
  '(export default class extends LeakspecRunner {}).'

/**
 * Registers the guard in a worker (called by the setup entry). Does nothing when the leakspec runner
 * is active. Otherwise: `LEAKSPEC=all` or the plugin's `files` option throws here (failing each test
 * file with the fix), and a test tagged `leak` fails in `beforeEach`.
 * @throws {Error} when the whole suite or files were selected but the runner is not active
 */
export function registerHookGuard(): void {
  if (leakspecRunnerActive()) return
  const provided = (inject as (key: string) => unknown)(HOOK_CONFIG_KEY) as HookProvided | undefined
  if (wholeSuiteSelected() || provided?.files !== undefined) {
    throw new Error(
      `leakspec: ${provided?.files !== undefined ? 'the plugin option `files`' : `${WHOLE_SUITE_ENV}=${WHOLE_SUITE_VALUE}`} ` +
        `asks for leak checks of whole test files, but this project runs with a custom runner that is not the leakspec runner. ${FIX}`,
    )
  }
  beforeEach(({ task }) => {
    const tags = (task as { tags?: readonly string[] }).tags
    if (tags?.includes(LEAK_TAG)) {
      throw new Error(
        `leakspec: test "${task.name}" is tagged "${LEAK_TAG}" but the leakspec runner is not active, so it would run once ` +
          `without a leak check. ${FIX}`,
      )
    }
  })
}
