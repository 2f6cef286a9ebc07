/**
 * The p-quantile (0 ≤ p ≤ 1) of sorted values with linear interpolation between order
 * statistics (Hyndman & Fan type 7, numpy's and R's default). NaN for no values.
 */
export function quantile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
