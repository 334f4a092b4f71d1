/**
 * Pure arithmetic on reading series. No I/O, no clocks, no V8: numbers in, numbers out.
 */

/** Height, in bytes, above the interpolating line at which a single reading counts as a spike. */
export const SPIKE_BYTES = 64 * 1024

/**
 * Repairs isolated up-spikes in a heap series.
 *
 * Reading j is a spike when it stands at least {@link SPIKE_BYTES} above the straight line joining
 * readings j−1 and j+1 (weighted by the calls in between) and either
 * - the next reading is lower: buffers held by concurrent compile jobs across one GC, gone by the
 *   next reading; or
 * - the series goes on growing after it: the reading after next grows, per call, by at least half the
 *   line's slope. Memory held across one reading on top of steady growth (measured in a Vitest worker
 *   right after a failing test: 130–250 kB held across one reading of a 150 B/call leak, which made
 *   the round after it look as if it had not grown) has this shape; a step that stays (growth that
 *   stopped) does not, because nothing grows after it.
 * A spike is replaced by the interpolated value. The first and last readings are never changed.
 *
 * @param readings heap readings m₀…mₙ, in bytes
 * @param calls calls between consecutive readings: `calls[i]` separates readings i and i+1
 * @returns a new array; the input is not modified
 */
export function repairSpikes(readings: readonly number[], calls: readonly number[]): number[] {
  const repaired = readings.slice()
  for (let j = 1; j < readings.length - 1; j++) {
    const before = repaired[j - 1]!
    const here = readings[j]!
    const after = readings[j + 1]!
    const left = calls[j - 1]!
    const right = calls[j]!
    const interpolated = before + ((after - before) * left) / (left + right)
    if (here - interpolated < SPIKE_BYTES) continue
    const slope = (after - before) / (left + right)
    const growsOn = j + 2 < readings.length && slope > 0 && (readings[j + 2]! - after) / calls[j + 1]! >= slope / 2
    if (after < here || growsOn) repaired[j] = interpolated
  }
  return repaired
}

/**
 * Whether the reading before the last stands at least {@link SPIKE_BYTES} above the line joining its
 * neighbours while the last reading is not lower: either memory held across that one reading (then
 * the last round looks smaller than it is) or a step that stays. One more reading tells them apart
 * (see {@link repairSpikes}).
 */
export function unresolvedSpike(readings: readonly number[], calls: readonly number[]): boolean {
  const n = readings.length - 1
  if (n < 2) return false
  const before = readings[n - 2]!
  const here = readings[n - 1]!
  const after = readings[n]!
  const left = calls[n - 2]!
  const right = calls[n - 1]!
  return after >= here && here - (before + ((after - before) * left) / (left + right)) >= SPIKE_BYTES
}

/**
 * Growth per call between consecutive readings.
 * @param readings m₀…mₙ
 * @param calls calls[i] between readings i and i+1 (length n)
 * @returns g₁…gₙ with gᵢ = (mᵢ − mᵢ₋₁) / calls[i−1]
 */
export function growthPerCall(readings: readonly number[], calls: readonly number[]): number[] {
  const growth: number[] = []
  for (let i = 1; i < readings.length; i++) growth.push((readings[i]! - readings[i - 1]!) / calls[i - 1]!)
  return growth
}

/** Median of a non-empty list (mean of the middle two for an even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = values.slice().sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Largest power of two that is ≤ `value`, clamped to [min, max]. */
export function powerOfTwoAtMost(value: number, min: number, max: number): number {
  if (!(value >= 1)) return min
  const power = 2 ** Math.floor(Math.log2(value))
  return Math.min(max, Math.max(min, power))
}
