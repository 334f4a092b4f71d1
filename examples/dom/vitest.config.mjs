import { defineConfig } from 'vitest/config'
import { leakspec } from 'leakspec/vitest'

export default defineConfig({
  plugins: [leakspec()],
  test: { environment: 'jsdom', include: ['width.test.mjs'] },
})
