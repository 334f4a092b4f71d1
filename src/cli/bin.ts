#!/usr/bin/env node
/** Executable entry of the `leakspec` command (package.json `bin`). */
import process from 'node:process'
import { main } from './index.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`leakspec: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
