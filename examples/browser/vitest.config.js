// Vitest Browser Mode in Debian's Chromium: Playwright launches /usr/bin/chromium, never a browser
// it downloaded. The leakspec plugin registers toLeak in the page and the commands it needs.
import { playwright } from '@vitest/browser-playwright'
import { leakspec } from 'leakspec/vitest'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  plugins: [leakspec()],
  test: {
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
