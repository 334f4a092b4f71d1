// Helper of report-files.test.ts, run by Node 24 (which runs TypeScript sources directly): rewrites
// a file N times with about 2 MB of JSON, through leakspec's writeFileAtomic or, as the control,
// through a plain writeFileSync.   usage: node report-atomic-writer.mjs <file> <times> atomic|plain
import { writeFileSync } from 'node:fs'
import { writeFileAtomic } from '../../src/report/atomic.ts'

const [file, times, mode] = process.argv.slice(2)
for (let i = 0; i < Number(times); i++) {
  const text = JSON.stringify({ round: i, pad: String(i % 10).repeat(2_000_000) })
  if (mode === 'plain') writeFileSync(file, text)
  else writeFileAtomic(file, text)
}
