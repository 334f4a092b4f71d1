// leakspec uses real timers of its own, so checks work while the test has fake timers installed.
import { createClient } from './client'

beforeEach(() => {
  jest.useFakeTimers()
})

afterEach(() => {
  jest.useRealTimers()
})

test('the fixed client is clean under fake timers too', async () => {
  const client = createClient({ fixed: true })
  await expect(() => client.request('/ping')).not.toLeak()
})
