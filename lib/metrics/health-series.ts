import { addHistograms, emptyHistogram, percentilesOf, type Histogram, type Percentiles } from "./histogram";

/**
 * The health dashboard's arithmetic, as pure functions: the time window and buckets of a range, and the series and
 * totals built from stored hourly rows (qbo_health_hourly). No I/O: lib/metrics/read-health.ts loads the rows.
 */

export const HEALTH_RANGES = ["24h", "7d", "30d"] as const;
export type HealthRange = (typeof HEALTH_RANGES)[number];

const HOUR_MS = 60 * 60 * 1000;

/** Each range as a number of buckets of a fixed width, aligned to UTC: 24 hours, 28 six-hour blocks, 30 days. */
export const RANGE_SHAPE: Record<HealthRange, { bucketMs: number; buckets: number; label: string }> = {
  "24h": { bucketMs: HOUR_MS, buckets: 24, label: "the last 24 hours" },
  "7d": { bucketMs: 6 * HOUR_MS, buckets: 28, label: "the last 7 days" },
  "30d": { bucketMs: 24 * HOUR_MS, buckets: 30, label: "the last 30 days" },
};

export function isHealthRange(value: unknown): value is HealthRange {
  return typeof value === "string" && (HEALTH_RANGES as readonly string[]).includes(value);
}

export interface HealthWindow {
  range: HealthRange;
  /** Start of the first bucket (inclusive). */
  start: Date;
  /** End of the last bucket (exclusive); the last bucket holds `now`. */
  end: Date;
  bucketMs: number;
  /** Each bucket's start. */
  bucketStarts: Date[];
}

/**
 * The window of a range at `now`: whole UTC buckets, the last one being the bucket `now` is in. "24h" is the current
 * hour and the 23 before it, so its totals cover between 23 and 24 hours, exactly the hourly rows stored for them.
 */
export function healthWindow(range: HealthRange, now: Date): HealthWindow {
  const { bucketMs, buckets } = RANGE_SHAPE[range];
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  const start = current - (buckets - 1) * bucketMs;
  return {
    range,
    start: new Date(start),
    end: new Date(current + bucketMs),
    bucketMs,
    bucketStarts: Array.from({ length: buckets }, (_, i) => new Date(start + i * bucketMs)),
  };
}

/** The bucket an instant falls in, or -1 outside the window. */
export function bucketIndexAt(window: HealthWindow, at: Date): number {
  const t = at.getTime();
  if (t < window.start.getTime() || t >= window.end.getTime()) return -1;
  return Math.floor((t - window.start.getTime()) / window.bucketMs);
}

/** A stored hourly row, as read. */
export interface HourlyRow {
  hour: Date;
  metric: string;
  outcome: string;
  count: number;
  sum: number;
  histogram: readonly number[];
}

export interface HealthBucket {
  /** ISO start of the bucket. */
  start: string;
  apiCalls: number;
  apiErrors: number;
  throttleIntuit: number;
  throttleLocal: number;
  webhookEvents: number;
  webhookDelayP50Ms: number | null;
  webhookDelayP95Ms: number | null;
  webhookDelayP99Ms: number | null;
  renewalsSuccess: number;
  renewalsFailure: number;
  processingErrors: number;
  syncErrors: number;
}

export interface HealthTotals {
  apiCalls: number;
  apiErrors: number;
  /** Errors / calls, 0 without calls. */
  errorRate: number;
  /** API calls by outcome ("success", "validation", "server", …). */
  apiOutcomes: Record<string, number>;
  apiLatency: Percentiles;
  throttleHits: number;
  throttleIntuit: number;
  throttleLocal: number;
  tokenRenewals: number;
  renewalsSuccess: number;
  renewalsFailure: number;
  webhookEvents: number;
  webhookDelay: Percentiles;
  processingErrors: number;
  /** Processing errors by kind. */
  processingErrorKinds: Record<string, number>;
  syncErrors: number;
}

export interface HealthSeries {
  buckets: HealthBucket[];
  totals: HealthTotals;
}

function emptyBucket(start: Date): HealthBucket {
  return {
    start: start.toISOString(),
    apiCalls: 0,
    apiErrors: 0,
    throttleIntuit: 0,
    throttleLocal: 0,
    webhookEvents: 0,
    webhookDelayP50Ms: null,
    webhookDelayP95Ms: null,
    webhookDelayP99Ms: null,
    renewalsSuccess: 0,
    renewalsFailure: 0,
    processingErrors: 0,
    syncErrors: 0,
  };
}

function add(record: Record<string, number>, key: string, n: number): void {
  record[key] = (record[key] ?? 0) + n;
}

/** The series (one entry per bucket, empty buckets included) and the range's totals, from the range's hourly rows. */
export function buildHealthSeries(window: HealthWindow, rows: readonly HourlyRow[]): HealthSeries {
  const buckets = window.bucketStarts.map(emptyBucket);
  const delayHistograms: Histogram[] = window.bucketStarts.map(() => emptyHistogram());
  let totalDelay = emptyHistogram();
  let totalLatency = emptyHistogram();
  const apiOutcomes: Record<string, number> = {};
  const processingErrorKinds: Record<string, number> = {};
  const totals = { throttleIntuit: 0, throttleLocal: 0, renewalsSuccess: 0, renewalsFailure: 0, syncErrors: 0 };

  for (const row of rows) {
    const index = bucketIndexAt(window, row.hour);
    if (index < 0) continue;
    const bucket = buckets[index]!;
    const n = Number(row.count);
    switch (row.metric) {
      case "api_call":
        bucket.apiCalls += n;
        if (row.outcome !== "success") bucket.apiErrors += n;
        add(apiOutcomes, row.outcome, n);
        totalLatency = addHistograms(totalLatency, row.histogram);
        break;
      case "throttle_hit":
        if (row.outcome === "intuit") {
          bucket.throttleIntuit += n;
          totals.throttleIntuit += n;
        } else {
          bucket.throttleLocal += n;
          totals.throttleLocal += n;
        }
        break;
      case "token_renewal":
        if (row.outcome === "success") {
          bucket.renewalsSuccess += n;
          totals.renewalsSuccess += n;
        } else {
          bucket.renewalsFailure += n;
          totals.renewalsFailure += n;
        }
        break;
      case "webhook_delay":
        bucket.webhookEvents += n;
        delayHistograms[index] = addHistograms(delayHistograms[index], row.histogram);
        totalDelay = addHistograms(totalDelay, row.histogram);
        break;
      case "processing_error":
        bucket.processingErrors += n;
        add(processingErrorKinds, row.outcome, n);
        break;
      case "sync_error":
        bucket.syncErrors += n;
        totals.syncErrors += n;
        break;
    }
  }

  buckets.forEach((bucket, i) => {
    const p = percentilesOf(delayHistograms[i]!);
    bucket.webhookDelayP50Ms = p.p50;
    bucket.webhookDelayP95Ms = p.p95;
    bucket.webhookDelayP99Ms = p.p99;
  });

  const sum = (pick: (b: HealthBucket) => number) => buckets.reduce((s, b) => s + pick(b), 0);
  const apiCalls = sum((b) => b.apiCalls);
  const apiErrors = sum((b) => b.apiErrors);
  return {
    buckets,
    totals: {
      apiCalls,
      apiErrors,
      errorRate: apiCalls === 0 ? 0 : apiErrors / apiCalls,
      apiOutcomes,
      apiLatency: percentilesOf(totalLatency),
      throttleHits: totals.throttleIntuit + totals.throttleLocal,
      throttleIntuit: totals.throttleIntuit,
      throttleLocal: totals.throttleLocal,
      tokenRenewals: totals.renewalsSuccess + totals.renewalsFailure,
      renewalsSuccess: totals.renewalsSuccess,
      renewalsFailure: totals.renewalsFailure,
      webhookEvents: sum((b) => b.webhookEvents),
      webhookDelay: percentilesOf(totalDelay),
      processingErrors: sum((b) => b.processingErrors),
      processingErrorKinds,
      syncErrors: totals.syncErrors,
    },
  };
}

/** A tenant's standing for the admins' table. */
export interface TenantStanding {
  tenantName: string;
  indicator: "green" | "red";
  apiCalls: number;
  apiErrors: number;
  throttleHits: number;
}

export function errorRateOf(row: { apiCalls: number; apiErrors: number }): number {
  return row.apiCalls === 0 ? 0 : row.apiErrors / row.apiCalls;
}

/** Worst first: a red indicator, then the higher error rate, then more throttle hits, then more errors; then by name. */
export function compareTenantHealth(a: TenantStanding, b: TenantStanding): number {
  if (a.indicator !== b.indicator) return a.indicator === "red" ? -1 : 1;
  const rate = errorRateOf(b) - errorRateOf(a);
  if (rate !== 0) return rate;
  if (a.throttleHits !== b.throttleHits) return b.throttleHits - a.throttleHits;
  if (a.apiErrors !== b.apiErrors) return b.apiErrors - a.apiErrors;
  return a.tenantName.localeCompare(b.tenantName);
}
