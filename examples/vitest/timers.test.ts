import { expect, test } from 'vitest'

function poll(onTick: () => void): () => void {
  const timer = setInterval(onTick, 60_000)
  return () => clearInterval(timer)
}

// Fails on purpose: every call starts an interval that nobody stops (a handle leak).
test('starting a poller and forgetting to stop it leaks a Timeout', async () => {
  await expect(() => {
    poll(() => {})
  }).not.toLeak()
})

test('starting and stopping a poller is clean', async () => {
  await expect(() => {
    const stop = poll(() => {})
    stop()
  }).not.toLeak()
})
