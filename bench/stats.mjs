/**
 * Small, pure statistics for the benchmark report: quantiles and exact (Clopper–Pearson) binomial
 * confidence bounds. No I/O.
 */

/** Median of a list (mean of the middle two for an even length); NaN for an empty list. */
export function median(values) {
  return quantile(values, 0.5)
}

/**
 * Quantile with linear interpolation between order statistics (type 7).
 * @param {number[]} values
 * @param {number} q in [0, 1]
 */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN
  const sorted = values.slice().sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

function logChoose(n, k) {
  let s = 0
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i)
  return s
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k, n, p) {
  if (k < 0) return 0
  if (k >= n) return 1
  if (p <= 0) return 1
  if (p >= 1) return 0
  let total = 0
  for (let i = 0; i <= k; i++) total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p))
  return Math.min(1, total)
}

/**
 * One-sided exact (Clopper–Pearson) upper confidence bound of a binomial proportion.
 * For k = 0 it is 1 − α^(1/n) (≈ 3/n at 95 %, the rule of three).
 * @param {number} k successes
 * @param {number} n trials
 * @param {number} [confidence=0.95]
 */
export function upperBound(k, n, confidence = 0.95) {
  if (n === 0) return 1
  if (k >= n) return 1
  const alpha = 1 - confidence
  let lo = k / n
  let hi = 1
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (binomialCdf(k, n, mid) > alpha) lo = mid
    else hi = mid
  }
  return hi
}

/**
 * One-sided exact (Clopper–Pearson) lower confidence bound of a binomial proportion.
 * @param {number} k successes
 * @param {number} n trials
 * @param {number} [confidence=0.95]
 */
export function lowerBound(k, n, confidence = 0.95) {
  if (n === 0 || k === 0) return 0
  return 1 - upperBound(n - k, n, confidence)
}
