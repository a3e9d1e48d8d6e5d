import { describe, expect, it } from "vitest";
import {
  bucketIndexAt,
  buildHealthSeries,
  compareTenantHealth,
  healthWindow,
  isHealthRange,
  type HourlyRow,
  type TenantStanding,
} from "./health-series";
import { histogramOf } from "./histogram";

const NOW = new Date("2026-05-04T10:17:00.000Z");
const HOUR = 60 * 60 * 1000;

describe("the window of a range", () => {
  it("24h: the current UTC hour and the 23 before it", () => {
    const w = healthWindow("24h", NOW);
    expect(w.start.toISOString()).toBe("2026-05-03T11:00:00.000Z");
    expect(w.end.toISOString()).toBe("2026-05-04T11:00:00.000Z");
    expect(w.bucketStarts).toHaveLength(24);
    expect(w.bucketStarts.at(-1)!.toISOString()).toBe("2026-05-04T10:00:00.000Z");
  });

  it("7d: 28 six-hour blocks aligned to UTC midnight", () => {
    const w = healthWindow("7d", NOW);
    expect(w.bucketStarts).toHaveLength(28);
    expect(w.bucketStarts.at(-1)!.toISOString()).toBe("2026-05-04T06:00:00.000Z");
    expect(w.start.toISOString()).toBe("2026-04-27T12:00:00.000Z");
  });

  it("30d: 30 UTC days, today last", () => {
    const w = healthWindow("30d", NOW);
    expect(w.bucketStarts).toHaveLength(30);
    expect(w.bucketStarts.at(-1)!.toISOString()).toBe("2026-05-04T00:00:00.000Z");
    expect(w.start.toISOString()).toBe("2026-04-05T00:00:00.000Z");
    expect(w.end.toISOString()).toBe("2026-05-05T00:00:00.000Z");
  });

  it("places instants in their bucket, and nowhere outside the window", () => {
    const w = healthWindow("24h", NOW);
    expect(bucketIndexAt(w, new Date("2026-05-03T11:00:00.000Z"))).toBe(0);
    expect(bucketIndexAt(w, new Date("2026-05-03T10:59:59.999Z"))).toBe(-1);
    expect(bucketIndexAt(w, new Date("2026-05-04T10:59:59.999Z"))).toBe(23);
    expect(bucketIndexAt(w, new Date("2026-05-04T11:00:00.000Z"))).toBe(-1);
  });

  it("knows its ranges", () => {
    expect(isHealthRange("7d")).toBe(true);
    expect(isHealthRange("1y")).toBe(false);
    expect(isHealthRange(undefined)).toBe(false);
  });
});

const row = (hoursAgo: number, metric: string, outcome: string, values: number[], at = NOW): HourlyRow => ({
  hour: new Date(Math.floor(at.getTime() / HOUR) * HOUR - hoursAgo * HOUR),
  metric,
  outcome,
  count: values.length,
  sum: values.reduce((s, v) => s + v, 0),
  histogram: histogramOf(values),
});

describe("building the series", () => {
  it("is all zeros and nulls without data, one bucket per period", () => {
    const series = buildHealthSeries(healthWindow("24h", NOW), []);
    expect(series.buckets).toHaveLength(24);
    expect(series.buckets.every((b) => b.apiCalls === 0 && b.webhookDelayP95Ms === null)).toBe(true);
    expect(series.totals).toMatchObject({ apiCalls: 0, apiErrors: 0, errorRate: 0, throttleHits: 0, tokenRenewals: 0, webhookEvents: 0 });
    expect(series.totals.webhookDelay).toEqual({ p50: null, p95: null, p99: null });
  });

  it("adds up every metric per bucket and over the range", () => {
    const rows = [
      row(0, "api_call", "success", [100, 120, 130]),
      row(0, "api_call", "validation", [40]),
      row(2, "api_call", "success", [90]),
      row(2, "api_call", "server", [2_000, 3_000]),
      row(2, "throttle_hit", "intuit", [1_000]),
      row(5, "throttle_hit", "local", [50, 70]),
      row(1, "token_renewal", "success", [300]),
      row(1, "token_renewal", "failure", [20_000]),
      row(3, "webhook_delay", "received", [1_000, 2_000, 3_000, 120_000]),
      row(0, "webhook_delay", "received", [500]),
      row(4, "processing_error", "webhook_retry", [0, 0]),
      row(4, "processing_error", "catch_up_server", [0]),
      row(6, "sync_error", "validation", [0]),
      // Outside the window: ignored.
      row(30, "api_call", "success", [1, 1, 1]),
    ];
    const series = buildHealthSeries(healthWindow("24h", NOW), rows);
    const t = series.totals;
    expect(t).toMatchObject({
      apiCalls: 7,
      apiErrors: 3,
      throttleHits: 3,
      throttleIntuit: 1,
      throttleLocal: 2,
      tokenRenewals: 2,
      renewalsSuccess: 1,
      renewalsFailure: 1,
      webhookEvents: 5,
      processingErrors: 3,
      syncErrors: 1,
    });
    expect(t.errorRate).toBeCloseTo(3 / 7);
    expect(t.apiOutcomes).toEqual({ success: 4, validation: 1, server: 2 });
    expect(t.processingErrorKinds).toEqual({ webhook_retry: 2, catch_up_server: 1 });

    const last = series.buckets[23]!;
    expect(last).toMatchObject({ apiCalls: 4, apiErrors: 1, webhookEvents: 1 });
    const threeAgo = series.buckets[20]!;
    expect(threeAgo.webhookEvents).toBe(4);
    // p50 of 1, 2, 3 and 120 seconds falls in 1–2.5 s; p99 in 60 s–5 min.
    expect(threeAgo.webhookDelayP50Ms).toBeGreaterThanOrEqual(1_000);
    expect(threeAgo.webhookDelayP50Ms).toBeLessThanOrEqual(2_500);
    expect(threeAgo.webhookDelayP99Ms).toBeGreaterThanOrEqual(60_000);
    expect(threeAgo.webhookDelayP99Ms).toBeLessThanOrEqual(300_000);
    expect(series.buckets[22]!.webhookDelayP50Ms).toBeNull();
    // The range's percentiles come from the sum of the hours' histograms.
    expect(t.webhookDelay.p50).toBeGreaterThanOrEqual(1_000);
    expect(t.webhookDelay.p50).toBeLessThanOrEqual(2_500);
  });

  it("groups hours into the 7-day range's six-hour blocks", () => {
    const rows = [row(0, "api_call", "success", [1]), row(1, "api_call", "success", [1]), row(7, "api_call", "success", [1, 1])];
    const series = buildHealthSeries(healthWindow("7d", NOW), rows);
    // 10:00 and 09:00 are in the 06:00 block; 03:00 in the 00:00 block.
    expect(series.buckets.at(-1)!.apiCalls).toBe(2);
    expect(series.buckets.at(-2)!.apiCalls).toBe(2);
    expect(series.totals.apiCalls).toBe(4);
  });
});

describe("worst first", () => {
  const tenant = (name: string, indicator: "green" | "red", apiCalls: number, apiErrors: number, throttleHits: number): TenantStanding => ({
    tenantName: name,
    indicator,
    apiCalls,
    apiErrors,
    throttleHits,
  });

  it("orders red first, then error rate, then throttle hits, then name", () => {
    const tenants = [
      tenant("Quiet", "green", 0, 0, 0),
      tenant("Busy but fine", "green", 1_000, 10, 0),
      tenant("Throttled", "green", 1_000, 10, 50),
      tenant("Failing", "green", 10, 5, 0),
      tenant("Broken", "red", 0, 0, 0),
      tenant("Also quiet", "green", 0, 0, 0),
    ];
    expect([...tenants].sort(compareTenantHealth).map((t) => t.tenantName)).toEqual(["Broken", "Failing", "Throttled", "Busy but fine", "Also quiet", "Quiet"]);
  });
});
