/**
 * Pure arithmetic on reading series. No I/O, no clocks, no V8: numbers in, numbers out.
 */

/** Height, in bytes, above the interpolating line at which a single reading counts as a spike. */
export const SPIKE_BYTES = 64 * 1024

/**
 * Repairs isolated up-spikes in a heap series.
 *
 * Reading j is a spike when it stands at least {@link SPIKE_BYTES} above the straight line joining
 * readings j−1 and j+1 (weighted by the calls in between) and the next reading is lower. Such spikes
 * come from buffers held by concurrent compile jobs across one GC; they vanish by the next reading.
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
    if (here - interpolated >= SPIKE_BYTES && after < here) repaired[j] = interpolated
  }
  return repaired
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
