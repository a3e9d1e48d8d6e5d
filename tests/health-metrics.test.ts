// The health metrics end to end against a real database: what record.ts writes, read back by read-health.ts, and the
// places that record them (token renewals, webhook processing, the CDC catch-up).
import { and, eq, sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/db";
import { memberships, qboApiCalls, qboHealthHourly, quickbooksChanges, users, webhookEvents } from "@/db/schema";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { runCatchUpSweep } from "@/lib/jobs/catch-up-sweep";
import { listTenantsByHealth, readTenantHealth } from "@/lib/metrics/read-health";
import { recordApiCall, recordThrottleHit, recordTokenRenewal, recordWebhookDelays, type RecordApiCallInput } from "@/lib/metrics/record";
import { renewAccessToken } from "@/lib/quickbooks/client/access-token";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { MAX_WEBHOOK_ATTEMPTS, processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";
import { tenantId } from "./session";

useTestDatabase();
const intuit = useIntuitMock();

const NOW = new Date("2026-05-04T10:17:00.000Z");
const HOUR = 60 * 60 * 1000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
let acme = "";
let globex = "";

beforeEach(async () => {
  clearDiscoveryCache();
  await db().delete(qboApiCalls).where(sql`true`);
  await db().delete(qboHealthHourly).where(sql`true`);
  await db().delete(webhookEvents).where(sql`true`);
  await db().delete(quickbooksChanges).where(sql`true`);
  await resetQuickBooksData();
  acme = await tenantId("acme");
  globex = await tenantId("globex");
});
afterEach(() => vi.restoreAllMocks());

const apiCall = (overrides: Partial<RecordApiCallInput> & { at: Date }) =>
  recordApiCall({
    tenantId: acme,
    environment: "sandbox",
    realmId: DEFAULT_REALM,
    operation: "query",
    outcome: "success",
    httpStatus: 200,
    latencyMs: 150,
    intuitTid: null,
    errorCode: null,
    errorMessage: null,
    meter: null,
    ...overrides,
  });

const validation = { outcome: "validation", httpStatus: 400, errorCode: "2020", errorMessage: "Required param missing, need to supply the required value for the API" } as const;
const server = { outcome: "server", httpStatus: 503, errorCode: "10000", errorMessage: "An application error has occurred" } as const;

describe("readTenantHealth", () => {
  it("reads back totals, series, top error reasons and calls by operation, for the tenant's window only", async () => {
    for (let i = 0; i < 10; i++) await apiCall({ at: ago(i * HOUR), intuitTid: `ok-${i}` });
    await apiCall({ at: ago(5 * HOUR), operation: "invoice", ...validation, intuitTid: "tid-v1" });
    await apiCall({ at: ago(2 * HOUR), operation: "invoice", ...validation, intuitTid: "tid-v2" });
    await apiCall({ at: ago(1 * HOUR), operation: "invoice", ...validation, intuitTid: null });
    await apiCall({ at: ago(3 * HOUR), operation: "cdc", ...server, intuitTid: "tid-s1" });
    await recordThrottleHit({ tenantId: acme, source: "intuit", waitedMs: 2_000, at: ago(3 * HOUR) });
    await recordThrottleHit({ tenantId: acme, source: "local", waitedMs: 300, at: ago(3 * HOUR) });
    await recordTokenRenewal({ tenantId: acme, outcome: "success", latencyMs: 400, at: ago(HOUR) });
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1_000, 2_000, 4_000], at: ago(0) });
    // Outside the 24-hour window, and another tenant's: neither counts.
    await apiCall({ at: ago(30 * HOUR), ...server, intuitTid: "tid-old" });
    await apiCall({ at: ago(HOUR), tenantId: globex, ...server, intuitTid: "tid-globex" });

    const report = await readTenantHealth(acme, "24h", NOW);
    expect(report.buckets).toHaveLength(24);
    expect(report.totals).toMatchObject({
      apiCalls: 14,
      apiErrors: 4,
      throttleHits: 2,
      throttleIntuit: 1,
      throttleLocal: 1,
      tokenRenewals: 1,
      renewalsSuccess: 1,
      webhookEvents: 3,
    });
    expect(report.totals.apiOutcomes).toEqual({ success: 10, validation: 3, server: 1 });
    expect(report.buckets.at(-1)).toMatchObject({ apiCalls: 1, webhookEvents: 3 });
    expect(report.buckets.at(-4)).toMatchObject({ apiCalls: 2, apiErrors: 1, throttleIntuit: 1, throttleLocal: 1 });

    expect(report.topErrors).toEqual([
      {
        outcome: "validation",
        errorCode: "2020",
        message: validation.errorMessage,
        httpStatus: 400,
        count: 3,
        // The latest one that has an intuit_tid.
        lastIntuitTid: "tid-v2",
        lastAt: ago(HOUR).toISOString(),
      },
      { outcome: "server", errorCode: "10000", message: server.errorMessage, httpStatus: 503, count: 1, lastIntuitTid: "tid-s1", lastAt: ago(3 * HOUR).toISOString() },
    ]);
    expect(report.operations).toEqual([
      { operation: "query", calls: 10, errors: 0 },
      { operation: "invoice", calls: 3, errors: 3 },
      { operation: "cdc", calls: 1, errors: 1 },
    ]);

    // The 7-day range takes in the call of 30 hours ago.
    const week = await readTenantHealth(acme, "7d", NOW);
    expect(week.totals.apiCalls).toBe(15);
    expect(week.buckets).toHaveLength(28);
    expect(week.topErrors.find((e) => e.outcome === "server")).toMatchObject({ count: 2, lastIntuitTid: "tid-s1" });
  });

  it("is empty, not failing, for a tenant without traffic", async () => {
    const report = await readTenantHealth(acme, "30d", NOW);
    expect(report.totals.apiCalls).toBe(0);
    expect(report.buckets).toHaveLength(30);
    expect(report.topErrors).toEqual([]);
    expect(report.operations).toEqual([]);
  });
});

describe("listTenantsByHealth", () => {
  it("lists every tenant the user administers, worst first, with its counters", async () => {
    // Both tenants are not connected (red); Globex has the higher error rate.
    for (let i = 0; i < 4; i++) await apiCall({ at: ago(HOUR) });
    await apiCall({ at: ago(HOUR), ...server });
    await apiCall({ at: ago(HOUR), tenantId: globex, ...server });
    await apiCall({ at: ago(HOUR), tenantId: globex });
    await recordThrottleHit({ tenantId: globex, source: "intuit", waitedMs: 1, at: ago(HOUR) });

    const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
    const rows = await listTenantsByHealth({ userId: admin!.id, range: "24h", now: NOW });
    expect(rows.map((r) => [r.tenantName, r.indicator, r.apiCalls, r.apiErrors, r.throttleHits])).toEqual([
      ["Globex Logistics", "red", 2, 1, 1],
      ["Acme Field Services", "red", 5, 1, 0],
    ]);
    expect(rows[0]!.errorRate).toBeCloseTo(0.5);
  });

  it("puts a red tenant before a green one whatever their errors, and lists nothing for a user who is admin nowhere", async () => {
    await connectTenant("accountant@acme.test", DEFAULT_REALM);
    for (let i = 0; i < 3; i++) await apiCall({ at: new Date(Date.now() - HOUR), ...server });
    const [admin] = await db().select().from(users).where(eq(users.email, "admin@acme.test"));
    const rows = await listTenantsByHealth({ userId: admin!.id, range: "24h" });
    expect(rows.map((r) => [r.tenantName, r.indicator])).toEqual([
      ["Globex Logistics", "red"],
      ["Acme Field Services", "green"],
    ]);

    const [accountant] = await db().select().from(users).where(eq(users.email, "accountant@acme.test"));
    expect(await db().select().from(memberships).where(and(eq(memberships.userId, accountant!.id), eq(memberships.role, "admin")))).toEqual([]);
    expect(await listTenantsByHealth({ userId: accountant!.id, range: "24h" })).toEqual([]);
  });
});

const hourlyRows = (metric: string) =>
  db()
    .select({ tenantId: qboHealthHourly.tenantId, outcome: qboHealthHourly.outcome, count: qboHealthHourly.count, sum: qboHealthHourly.sum })
    .from(qboHealthHourly)
    .where(eq(qboHealthHourly.metric, metric))
    .orderBy(qboHealthHourly.outcome);

describe("where the metrics are recorded", () => {
  const fastRetry = { attempts: 3, baseDelayMs: 1, timeLimitMs: 5_000 };

  it("token renewals: one success per renewal made (callers sharing it count once), one failure per refused renewal, none when the stored token is kept", async () => {
    const { tenantId: tenant } = await connectTenant("accountant@acme.test");
    const app = await intuitAppFor(tenant);
    await Promise.all(Array.from({ length: 5 }, () => renewAccessToken({ tenantId: tenant, app, trigger: "manual", force: true })));
    // Not forced, and the token has time left: kept, Intuit not called.
    await renewAccessToken({ tenantId: tenant, app, trigger: "on_demand" });
    expect(await hourlyRows("token_renewal")).toMatchObject([{ tenantId: tenant, outcome: "success", count: 1 }]);

    intuit.emulator.injectFault({ target: "token", error: "invalid_client", times: 5 });
    await expect(renewAccessToken({ tenantId: tenant, app, trigger: "manual", force: true, retry: fastRetry })).rejects.toMatchObject({ code: "invalid_client" });
    expect(await hourlyRows("token_renewal")).toMatchObject([
      { outcome: "failure", count: 1 },
      { outcome: "success", count: 1 },
    ]);
  });

  it("webhook processing: the batch's delays per tenant, and failed attempts by kind", async () => {
    const event = (key: string, tenant: string | null, delayMs: number | null) => ({
      eventKey: key,
      deliveryId: 1,
      realmId: DEFAULT_REALM,
      tenantId: tenant,
      entity: "invoice",
      entityId: key,
      operation: "Update",
      occurredAt: new Date(),
      delayMs,
    });
    await db()
      .insert(webhookEvents)
      .values([event("a", acme, 1_000), event("b", acme, 3_000), event("c", globex, 500), event("d", acme, null), event("e", null, 100)]);
    expect(await processPendingWebhookEvents({ processor: async () => {} })).toMatchObject({ processed: 5 });
    expect(await hourlyRows("webhook_delay")).toEqual(
      expect.arrayContaining([
        { tenantId: acme, outcome: "received", count: 2, sum: 4_000 },
        { tenantId: globex, outcome: "received", count: 1, sum: 500 },
      ]),
    );
    expect(await hourlyRows("webhook_delay")).toHaveLength(2);

    // Due at `clock` exactly: left to the column's default (the database's now(), in microseconds), the event could
    // be a fraction of a millisecond later than Date.now() read just after, and miss the first pass.
    let clock = Date.now();
    await db()
      .insert(webhookEvents)
      .values({ ...event("f", acme, 10), nextAttemptAt: new Date(clock) });
    const failing = async () => {
      throw new Error("boom");
    };
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) {
      await processPendingWebhookEvents({ now: new Date(clock), processor: failing });
      clock += 2 * 60 * 60 * 1000;
    }
    expect(await hourlyRows("processing_error")).toMatchObject([
      { tenantId: acme, outcome: "webhook_dead", count: 1 },
      { tenantId: acme, outcome: "webhook_retry", count: MAX_WEBHOOK_ATTEMPTS - 1 },
    ]);
  });

  it("the CDC catch-up: a failed connection's error by kind", async () => {
    const { tenantId: tenant } = await connectTenant("accountant@acme.test");
    intuit.server.use(
      http.get(`${intuit.origin}/v3/company/${DEFAULT_REALM}/cdc`, () =>
        HttpResponse.json({ Fault: { Error: [{ Message: "An application error has occurred", Detail: "System Failure Error", code: "10000" }], type: "SystemFault" } }, { status: 503 }),
      ),
    );
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A day after it connected: due by the daily floor.
    expect(await runCatchUpSweep({ now: new Date(Date.now() + 24 * 60 * 60 * 1000) })).toMatchObject({ failed: 1 });
    expect(await hourlyRows("processing_error")).toMatchObject([{ tenantId: tenant, outcome: "catch_up_server", count: 1 }]);
  });
});
