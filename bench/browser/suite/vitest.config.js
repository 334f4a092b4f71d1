// The browser benchmark suite: Vitest Browser Mode in Debian's Chromium with the leakspec plugin.
import { playwright } from '@vitest/browser-playwright'
import { leakspec } from 'leakspec/vitest'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [leakspec({ report: false })],
  test: {
    include: ['*.test.js'],
    testTimeout: 180_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: process.env.LEAKSPEC_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
