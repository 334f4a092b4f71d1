// Type test: the plugin fits Vitest's config in both majors, and its options are type-checked.
import { defineConfig } from 'vitest/config'
import { leakspec, type LeakspecPluginOptions } from 'leakspec/vitest'

export const plain = defineConfig({ plugins: [leakspec()] })

export const withDefaults = defineConfig({
  plugins: [leakspec({ defaults: { rounds: 9, callTimeout: 1000 } })],
  test: { pool: 'threads' },
})

export const options: LeakspecPluginOptions = { defaults: { handles: false } }

// @ts-expect-error check options go under `defaults`
leakspec({ rounds: 9 })

// @ts-expect-error defaults are type-checked too
leakspec({ defaults: { rounds: 'nine' } })
