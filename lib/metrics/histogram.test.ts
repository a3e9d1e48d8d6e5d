import { describe, expect, it } from "vitest";
import {
  HISTOGRAM_BOUNDS_MS,
  HISTOGRAM_BUCKETS,
  addHistograms,
  bucketIndexOf,
  bucketRange,
  emptyHistogram,
  histogramOf,
  percentileFromHistogram,
  percentilesOf,
} from "./histogram";

/** The exact q-quantile of a list, by the same rank rule (the value of rank ceil(q · n)). */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

describe("the histogram's buckets", () => {
  it("has 20 buckets with strictly growing bounds", () => {
    expect(HISTOGRAM_BUCKETS).toBe(20);
    for (let i = 1; i < HISTOGRAM_BOUNDS_MS.length; i++) expect(HISTOGRAM_BOUNDS_MS[i]!).toBeGreaterThan(HISTOGRAM_BOUNDS_MS[i - 1]!);
  });

  it("puts a bound in the bucket it opens", () => {
    expect(bucketIndexOf(0)).toBe(0);
    expect(bucketIndexOf(0.99)).toBe(0);
    expect(bucketIndexOf(1)).toBe(1);
    expect(bucketIndexOf(4.9)).toBe(2);
    expect(bucketIndexOf(5)).toBe(3);
    expect(bucketIndexOf(999)).toBe(9);
    expect(bucketIndexOf(1_000)).toBe(10);
    expect(bucketIndexOf(21_599_999)).toBe(18);
    expect(bucketIndexOf(21_600_000)).toBe(19);
    expect(bucketIndexOf(1e12)).toBe(19);
  });

  it("counts negative and non-finite values in the first bucket", () => {
    expect(bucketIndexOf(-5)).toBe(0);
    expect(bucketIndexOf(Number.NaN)).toBe(0);
    expect(bucketIndexOf(Number.POSITIVE_INFINITY)).toBe(0);
  });

  it("agrees with bucketRange for every bucket", () => {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      const { lower, upper } = bucketRange(i);
      expect(bucketIndexOf(lower)).toBe(i);
      if (Number.isFinite(upper)) expect(bucketIndexOf(upper)).toBe(i + 1);
    }
  });
});

describe("summing histograms", () => {
  it("is the histogram of both sets of values", () => {
    const a = [1, 3, 70, 70, 4_000];
    const b = [0, 900_000, 12];
    expect(addHistograms(histogramOf(a), histogramOf(b))).toEqual(histogramOf([...a, ...b]));
  });

  it("treats missing and short arrays as zeros", () => {
    expect(addHistograms(null, [1, 2])).toEqual([1, 2, ...new Array<number>(HISTOGRAM_BUCKETS - 2).fill(0)]);
    expect(addHistograms(undefined, undefined)).toEqual(emptyHistogram());
  });
});

describe("percentiles from a histogram", () => {
  it("is null for an empty histogram", () => {
    expect(percentileFromHistogram(emptyHistogram(), 0.5)).toBeNull();
    expect(percentilesOf(emptyHistogram())).toEqual({ p50: null, p95: null, p99: null });
  });

  it("falls in the bucket of the exact percentile, for many shapes of data", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const shapes = [
      Array.from({ length: 1_000 }, () => 20 + random() * 200),
      Array.from({ length: 500 }, () => Math.exp(random() * 14)),
      [...Array.from({ length: 95 }, () => 100), ...Array.from({ length: 5 }, () => 60_000)],
      [7],
    ];
    for (const values of shapes) {
      const histogram = histogramOf(values);
      for (const q of [0.5, 0.95, 0.99]) {
        const estimate = percentileFromHistogram(histogram, q)!;
        const exact = exactQuantile(values, q);
        const { lower, upper } = bucketRange(bucketIndexOf(exact));
        expect(estimate).toBeGreaterThanOrEqual(lower);
        expect(estimate).toBeLessThanOrEqual(upper);
      }
    }
  });

  it("interpolates inside a bucket", () => {
    // Ten values in 100–250 ms: the median is half way.
    const histogram = histogramOf(new Array<number>(10).fill(150));
    expect(percentileFromHistogram(histogram, 0.5)).toBe(175);
    expect(percentileFromHistogram(histogram, 1)).toBe(250);
  });

  it("answers the lower bound of the open last bucket", () => {
    expect(percentileFromHistogram(histogramOf([30 * 60 * 60 * 1000]), 0.99)).toBe(21_600_000);
  });

  it("rounds p50, p95 and p99", () => {
    const values = [...new Array<number>(50).fill(3), ...new Array<number>(45).fill(300), ...new Array<number>(5).fill(3_000)];
    const p = percentilesOf(histogramOf(values));
    expect(p.p50).toBeGreaterThanOrEqual(2);
    expect(p.p50).toBeLessThanOrEqual(5);
    expect(p.p95).toBeGreaterThanOrEqual(250);
    expect(p.p95).toBeLessThanOrEqual(500);
    expect(p.p99).toBeGreaterThanOrEqual(2_500);
    expect(p.p99).toBeLessThanOrEqual(5_000);
    for (const v of Object.values(p)) expect(Number.isInteger(v)).toBe(true);
  });
});
