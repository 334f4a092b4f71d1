import { createClient, startPolling } from './client'

const pollers: Array<{ stop(): void }> = []

afterAll(() => {
  // Stop what the leaky test left running, so Jest can exit.
  for (const poller of pollers) poller.stop()
})

describe('client', () => {
  test('a buggy client leaks one request record per call', async () => {
    const client = createClient()
    // Fails: each call leaves its request in the in-flight map.
    await expect(() => client.request('/ping')).not.toLeak()
  })

  test('the fixed client leaves nothing behind', async () => {
    const client = createClient({ fixed: true })
    await expect(() => client.request('/ping')).not.toLeak()
  })

  test('forgetting to stop a poller leaves a timer per call', async () => {
    const client = createClient({ fixed: true })
    // Fails: each call starts an interval that is never cleared.
    await expect(() => pollers.push(startPolling(client, '/health', 60_000))).not.toLeak()
  })

  test('stopping the poller leaves nothing behind', async () => {
    const client = createClient({ fixed: true })
    await expect(() => startPolling(client, '/health', 60_000).stop()).not.toLeak()
  })
})
