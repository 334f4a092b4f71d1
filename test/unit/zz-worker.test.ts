import { test } from 'vitest'
import { assertNoLeaks } from '../../src/index.js'
import { cases, cleanup } from '../fixtures/resources/cases.js'
test('worker msg', async () => {
  const pair = cases.find((c) => c.name === 'worker_threads Worker')!
  const e = await assertNoLeaks(pair.leaky, pair.options as any).then(() => undefined, (x: unknown) => x as Error)
  console.log('MSG>>>' + e?.message + '<<<MSG')
  await cleanup()
}, 120_000)
