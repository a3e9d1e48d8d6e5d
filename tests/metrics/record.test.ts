import { eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/db";
import { qboApiCalls, qboHealthHourly } from "@/db/schema";
import { useTestDatabase } from "@/tests/database";
import { tenantId } from "@/tests/session";
import { HISTOGRAM_BUCKETS, bucketIndexOf } from "@/lib/metrics/histogram";
import {
  incrementOf,
  recordApiCall,
  recordHourly,
  recordProcessingError,
  recordSyncError,
  recordThrottleHit,
  recordTokenRenewal,
  recordWebhookDelays,
} from "@/lib/metrics/record";

useTestDatabase();

const AT = new Date("2026-05-04T10:17:23.456Z");
const HOUR = new Date("2026-05-04T10:00:00.000Z");
let acme: string;

beforeEach(async () => {
  acme = await tenantId("acme");
  await db().delete(qboApiCalls).where(sql`true`);
  await db().delete(qboHealthHourly).where(sql`true`);
});
afterEach(() => vi.restoreAllMocks());

const call = (overrides: Partial<Parameters<typeof recordApiCall>[0]> = {}) =>
  recordApiCall({
    tenantId: acme,
    environment: "sandbox",
    realmId: "9341452000000001",
    operation: "query",
    outcome: "success",
    httpStatus: 200,
    latencyMs: 120.4,
    intuitTid: "tid-1",
    errorCode: null,
    errorMessage: null,
    meter: null,
    at: AT,
    ...overrides,
  });

async function hourly(metric: string) {
  return db().select().from(qboHealthHourly).where(eq(qboHealthHourly.metric, metric)).orderBy(qboHealthHourly.outcome);
}

describe("recordApiCall", () => {
  it("stores the call and adds it to its hour's counter, in one statement", async () => {
    await call();
    await call({ latencyMs: 480 });
    await call({ outcome: "validation", httpStatus: 400, latencyMs: 30, intuitTid: "tid-bad", errorCode: "2020", errorMessage: "Required param missing" });

    const calls = await db().select().from(qboApiCalls).orderBy(qboApiCalls.id);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatchObject({ tenantId: acme, environment: "sandbox", operation: "query", outcome: "success", httpStatus: 200, latencyMs: 120, intuitTid: "tid-1" });
    expect(calls[2]).toMatchObject({ outcome: "validation", errorCode: "2020", errorMessage: "Required param missing", intuitTid: "tid-bad" });
    expect(calls[0]!.createdAt.toISOString()).toBe(AT.toISOString());

    const rows = await hourly("api_call");
    expect(rows.map((r) => [r.outcome, r.count, r.sum])).toEqual([
      ["success", 2, 600],
      ["validation", 1, 30],
    ]);
    const success = rows[0]!;
    expect(success.hour.toISOString()).toBe(HOUR.toISOString());
    expect(success.histogram).toHaveLength(HISTOGRAM_BUCKETS);
    // The element-by-element sum of two one-value histograms.
    const expected = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    expected[bucketIndexOf(120)]! += 1;
    expected[bucketIndexOf(480)]! += 1;
    expect(success.histogram).toEqual(expected);
  });

  it("redacts anything token-like left in a message and cuts it to 500 characters", async () => {
    await call({ outcome: "server", errorMessage: `boom ${"a".repeat(40)} ${"x ".repeat(400)}` });
    const [row] = await db().select().from(qboApiCalls);
    expect(row!.errorMessage).toContain("[redacted]");
    expect(row!.errorMessage).not.toContain("a".repeat(40));
    expect(row!.errorMessage!.length).toBeLessThanOrEqual(500);
  });

  it("many concurrent calls of one hour add up exactly", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => call({ latencyMs: i })));
    const [row] = await hourly("api_call");
    expect(row!.count).toBe(40);
    expect(row!.sum).toBe((39 * 40) / 2);
    expect(row!.histogram.reduce((s, n) => s + n, 0)).toBe(40);
  });
});

describe("the other metrics", () => {
  it("records throttles, renewals, a batch of webhook delays and errors as hourly counters", async () => {
    await recordThrottleHit({ tenantId: acme, source: "intuit", waitedMs: 2_000, at: AT });
    await recordThrottleHit({ tenantId: acme, source: "local", waitedMs: 150, at: AT });
    await recordThrottleHit({ tenantId: acme, source: "local", waitedMs: 50, at: AT });
    await recordTokenRenewal({ tenantId: acme, outcome: "success", latencyMs: 300, at: AT });
    await recordTokenRenewal({ tenantId: acme, outcome: "failure", latencyMs: 20_000, at: AT });
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1_000, 2_000, 90_000], at: AT });
    await recordWebhookDelays({ tenantId: acme, delaysMs: [], at: AT });
    await recordProcessingError({ tenantId: acme, kind: "webhook_retry", at: AT });
    await recordProcessingError({ tenantId: acme, kind: "webhook_retry", count: 2, at: AT });
    await recordSyncError({ tenantId: acme, kind: "validation", at: AT });

    expect((await hourly("throttle_hit")).map((r) => [r.outcome, r.count, r.sum])).toEqual([
      ["intuit", 1, 2_000],
      ["local", 2, 200],
    ]);
    expect((await hourly("token_renewal")).map((r) => [r.outcome, r.count])).toEqual([
      ["failure", 1],
      ["success", 1],
    ]);
    const [delays] = await hourly("webhook_delay");
    expect(delays).toMatchObject({ outcome: "received", count: 3, sum: 93_000 });
    expect(delays!.histogram[bucketIndexOf(90_000)]).toBe(1);
    expect((await hourly("processing_error")).map((r) => [r.outcome, r.count])).toEqual([["webhook_retry", 3]]);
    expect((await hourly("sync_error")).map((r) => [r.outcome, r.count])).toEqual([["validation", 1]]);
  });

  it("one upsert takes several increments, including two for the same row", async () => {
    await recordHourly([incrementOf(acme, "webhook_delay", "received", [5], AT), incrementOf(acme, "webhook_delay", "received", [7], AT)]);
    const [row] = await hourly("webhook_delay");
    expect(row).toMatchObject({ count: 2, sum: 12 });
  });
});

describe("recording never breaks the caller", () => {
  it("resolves and warns (without the statement's values) when a write fails", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const unknownTenant = "00000000-0000-4000-8000-000000000000";
    await expect(call({ tenantId: unknownTenant, errorMessage: "secret-looking" })).resolves.toBeUndefined();
    await expect(call({ tenantId: "not-a-uuid" })).resolves.toBeUndefined();
    await expect(recordThrottleHit({ tenantId: unknownTenant, source: "intuit", waitedMs: 1 })).resolves.toBeUndefined();
    await expect(recordTokenRenewal({ tenantId: unknownTenant, outcome: "failure", latencyMs: 1 })).resolves.toBeUndefined();
    await expect(recordWebhookDelays({ tenantId: unknownTenant, delaysMs: [1] })).resolves.toBeUndefined();
    await expect(recordProcessingError({ tenantId: unknownTenant, kind: "x" })).resolves.toBeUndefined();
    await expect(recordSyncError({ tenantId: unknownTenant, kind: "x" })).resolves.toBeUndefined();
    // A bad time fails before any statement is built: still only a warning.
    await expect(call({ at: new Date(Number.NaN) })).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(8);
    for (const [line] of warn.mock.calls) {
      expect(String(line)).toMatch(/^\[metrics\] could not record /);
      expect(String(line)).not.toContain("secret-looking");
    }
    expect(await db().select().from(qboApiCalls)).toHaveLength(0);
  });

  it("a failed call leaves no half: neither the row nor the counter", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    // The call row cannot be inserted (no such environment): the statement fails whole, the counter included.
    await recordApiCall({
      tenantId: acme,
      environment: "nowhere" as "sandbox",
      realmId: "1",
      operation: "query",
      outcome: "success",
      httpStatus: 200,
      latencyMs: 1,
      intuitTid: null,
      errorCode: null,
      errorMessage: null,
      meter: null,
    });
    expect(await db().select().from(qboApiCalls)).toHaveLength(0);
    expect(await hourly("api_call")).toHaveLength(0);
  });
});
