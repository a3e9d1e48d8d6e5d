/**
 * The fixed log-scale histogram of qbo_health_hourly (latencies, waits and webhook delays, in milliseconds). Bucket i
 * counts the values v with HISTOGRAM_BOUNDS_MS[i - 1] <= v < HISTOGRAM_BOUNDS_MS[i] (the first from 0, the last to
 * infinity), so one array shape serves a 3 ms API call and a 40-minute webhook delay:
 *
 *   0–1 ms, 1–2, 2–5, 5–10, 10–25, 25–50, 50–100, 100–250, 250–500, 500 ms–1 s, 1–2.5 s, 2.5–5 s, 5–10 s, 10–30 s,
 *   30–60 s, 1–5 min, 5–15 min, 15–60 min, 1–6 h, 6 h and more: 20 buckets.
 *
 * The bounds never change once rows are stored (a changed bound would misread every stored row); summing two
 * histograms element by element gives the histogram of both sets of values, so any range's percentiles come from
 * the sum of its hours. Pure functions, no I/O.
 */

/** Upper bounds (exclusive) of every bucket but the last, in milliseconds. */
export const HISTOGRAM_BOUNDS_MS = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000,
] as const;
export const HISTOGRAM_BUCKETS = HISTOGRAM_BOUNDS_MS.length + 1;

export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(HISTOGRAM_BUCKETS).fill(0);
}

/** The bucket of a value; negative and non-finite values (a clock skew, a bad input) count in the first. */
export function bucketIndexOf(valueMs: number): number {
  if (!Number.isFinite(valueMs) || valueMs < 0) return 0;
  let low = 0;
  let high: number = HISTOGRAM_BOUNDS_MS.length;
  // The first bound greater than the value.
  while (low < high) {
    const mid = (low + high) >> 1;
    if (valueMs < HISTOGRAM_BOUNDS_MS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** The histogram of a set of values. */
export function histogramOf(valuesMs: readonly number[]): Histogram {
  const histogram = emptyHistogram();
  for (const value of valuesMs) histogram[bucketIndexOf(value)]! += 1;
  return histogram;
}

/** Element-by-element sum; a shorter or missing array counts as zeros. */
export function addHistograms(a: readonly number[] | null | undefined, b: readonly number[] | null | undefined): Histogram {
  const sum = emptyHistogram();
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) sum[i] = Number(a?.[i] ?? 0) + Number(b?.[i] ?? 0);
  return sum;
}

/** The value range a bucket covers: [lower, upper); the last bucket's upper is Infinity. */
export function bucketRange(index: number): { lower: number; upper: number } {
  return { lower: index === 0 ? 0 : HISTOGRAM_BOUNDS_MS[index - 1]!, upper: HISTOGRAM_BOUNDS_MS[index] ?? Number.POSITIVE_INFINITY };
}

/**
 * The q-quantile (0 < q <= 1) estimated from a histogram, or null when it is empty: the bucket holding the value of
 * rank ceil(q · n) is found, and the value is interpolated linearly inside it (values assumed evenly spread). In the
 * open last bucket the estimate is its lower bound (6 h), the most that can be said. The error is at most the width of
 * one bucket, which is why the buckets grow with the values.
 */
export function percentileFromHistogram(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((n, c) => n + c, 0);
  if (total <= 0) return null;
  const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (count <= 0) continue;
    if (seen + count >= rank) {
      const { lower, upper } = bucketRange(i);
      if (!Number.isFinite(upper)) return lower;
      // The rank-th value of `count` values spread evenly over [lower, upper).
      return lower + ((rank - seen) / count) * (upper - lower);
    }
    seen += count;
  }
  return bucketRange(histogram.length - 1).lower;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function percentilesOf(histogram: readonly number[]): Percentiles {
  const round = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    p50: round(percentileFromHistogram(histogram, 0.5)),
    p95: round(percentileFromHistogram(histogram, 0.95)),
    p99: round(percentileFromHistogram(histogram, 0.99)),
  };
}
