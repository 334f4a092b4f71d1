import { defineConfig } from 'vitest/config'

export default defineConfig({ test: { include: ['suite.vitest.mjs'], execArgv: ['--expose-gc'], pool: 'forks' } })
