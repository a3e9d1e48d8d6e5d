import { and, eq, sql } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as webhookRoute } from "@/app/api/quickbooks/webhooks/route";
import { db } from "@/db";
import { quickbooksChanges, quickbooksConnections, refreshLogs, webhookDeliveries, webhookEvents } from "@/db/schema";
import { CDC_LOOKBACK_MS, formatChangedSince } from "@/lib/intuit/change-data-capture";
import { clearDiscoveryCache } from "@/lib/intuit/discovery";
import { runCatchUpSweep } from "@/lib/jobs/catch-up-sweep";
import { webhookProcessingIdle } from "@/lib/jobs/webhook-processing";
import {
  CATCH_UP_ENTITIES,
  CATCH_UP_OVERLAP_MS,
  CDC_LOOKBACK_MARGIN_MS,
  catchUpChanges,
  catchUpChangedSince,
  isAlreadyKnown,
} from "@/lib/quickbooks/catch-up-changes";
import { DEFAULT_WEBHOOK_VERIFIER_TOKEN } from "@/mocks/intuit/handlers";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";

// The emulator signs the webhooks it sends with its own verifier token.
process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = DEFAULT_WEBHOOK_VERIFIER_TOKEN;

useTestDatabase();
const intuit = useIntuitMock();

const GLOBEX_REALM = "9341452000000002";
const WEBHOOK_URL = "http://localhost:3000/api/quickbooks/webhooks";
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

let acme = "";
beforeEach(async () => {
  clearDiscoveryCache();
  await db().delete(quickbooksChanges).where(sql`true`);
  await db().delete(webhookEvents).where(sql`true`);
  await db().delete(webhookDeliveries).where(sql`true`);
  await resetQuickBooksData();
  const connected = await connectTenant("accountant@acme.test");
  expect(connected.outcome).toBe("connected");
  acme = connected.tenantId;
});
afterEach(() => vi.restoreAllMocks());

const changesOf = (tenant: string) =>
  db()
    .select({ entity: quickbooksChanges.entity, entityId: quickbooksChanges.entityId, operation: quickbooksChanges.operation, changedAt: quickbooksChanges.changedAt, source: quickbooksChanges.source })
    .from(quickbooksChanges)
    .where(eq(quickbooksChanges.tenantId, tenant))
    .orderBy(quickbooksChanges.entity, quickbooksChanges.entityId, quickbooksChanges.changedAt);

const cdcRequests = () => intuit.emulator.apiRequests().filter((request) => request.path.endsWith("/cdc"));
const wholeSecond = (epochMs: number) => new Date(Math.floor(epochMs / 1000) * 1000);
const inEmulator = (offsetMs: number) => intuit.emulator.now().getTime() + offsetMs;

/** Moves the connection's own times back, as if it had been connected (and caught up) long ago. */
async function setConnectionTimes(tenant: string, times: { connectedAt?: Date; lastCatchUpAt?: Date | null }) {
  await db().update(quickbooksConnections).set(times).where(eq(quickbooksConnections.tenantId, tenant));
}

/** The emulator's send-webhook delivers to the app's real route handler. */
async function sendWebhookThroughEmulator(format: "legacy" | "cloudevents") {
  intuit.server.use(http.post(WEBHOOK_URL, ({ request }) => webhookRoute(request)));
  const response = await fetch(`${intuit.origin}/__emulator/send-webhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ targetUrl: WEBHOOK_URL, realmId: DEFAULT_REALM, format }),
  });
  expect(await response.json()).toMatchObject({ ok: true, status: 200 });
  // Processing runs after the answer (setImmediate outside Next.js); wait for it.
  await new Promise((resolve) => setImmediate(resolve));
  await webhookProcessingIdle();
}

describe("catchUpChanges", () => {
  it("records the changes whose webhooks never came, with source cdc, and moves both watermarks", async () => {
    const connectedAt = (await connectionRow(acme))!.connectedAt!;
    // Made in QuickBooks while this app was down: no webhook.
    const created = inEmulator(-40_000);
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "58", operation: "Create", at: created });
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Invoice", id: "130", operation: "Update", at: inEmulator(-30_000) });
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "BillPayment", id: "9", operation: "Delete", at: inEmulator(-20_000) });
    const newest = inEmulator(-10_000);
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "JournalEntry", id: "4", operation: "Void", at: newest });
    // An entity AWRA does not sync is never asked for.
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Estimate", id: "2", operation: "Update" });

    const now = new Date();
    const result = await catchUpChanges(acme, { now });

    expect(result).toMatchObject({ reported: 4, recorded: 4, alreadyKnown: 0, calls: 1, capped: [], realmId: DEFAULT_REALM, caughtUpTo: now });
    expect(result.changedSince).toEqual(new Date(connectedAt.getTime() - CATCH_UP_OVERLAP_MS));
    expect(cdcRequests()).toEqual([
      expect.objectContaining({
        status: 200,
        minorVersion: "75",
        query: { entities: CATCH_UP_ENTITIES.join(","), changedSince: formatChangedSince(result.changedSince), minorversion: "75" },
      }),
    ]);
    expect(await changesOf(acme)).toEqual([
      { entity: "billpayment", entityId: "9", operation: "delete", changedAt: expect.any(Date), source: "cdc" },
      { entity: "customer", entityId: "58", operation: "create", changedAt: wholeSecond(created), source: "cdc" },
      { entity: "invoice", entityId: "130", operation: "update", changedAt: expect.any(Date), source: "cdc" },
      // CDC cannot tell a void from an edit.
      { entity: "journalentry", entityId: "4", operation: "update", changedAt: wholeSecond(newest), source: "cdc" },
    ]);
    const row = (await connectionRow(acme))!;
    expect(row.lastCatchUpAt).toEqual(now);
    expect(row.lastChangeSeenAt).toEqual(wholeSecond(newest));
    // A background job: the connection is not marked "in use" by it.
    expect(row.lastUsedAt?.getTime() ?? 0).toBeLessThan(now.getTime());
  });

  it("records nothing twice when run again", async () => {
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "58", operation: "Update" });
    expect(await catchUpChanges(acme)).toMatchObject({ reported: 1, recorded: 1 });
    const second = await catchUpChanges(acme);
    expect(second).toMatchObject({ reported: 1, recorded: 0, alreadyKnown: 1 });
    expect(await changesOf(acme)).toHaveLength(1);
  });

  it.each(["legacy", "cloudevents"] as const)("does not double a change that also arrived by webhook (%s)", async (format) => {
    await sendWebhookThroughEmulator(format);
    const [fromWebhook] = await changesOf(acme);
    expect(fromWebhook).toMatchObject({ entity: "customer", entityId: "1", operation: "update", source: "webhook" });

    // CDC reports the same change, to the second where the webhook had milliseconds.
    const result = await catchUpChanges(acme);
    expect(result).toMatchObject({ reported: 1, recorded: 0, alreadyKnown: 1 });
    expect(await changesOf(acme)).toEqual([fromWebhook]);
  });

  it("still records a later change of an object a webhook announced", async () => {
    await sendWebhookThroughEmulator("cloudevents");
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "1", operation: "Update", at: inEmulator(10_000) });
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "2", operation: "Delete", at: inEmulator(10_000) });
    expect(await catchUpChanges(acme)).toMatchObject({ reported: 2, recorded: 2 });
    expect((await changesOf(acme)).map((c) => `${c.entityId} ${c.operation} ${c.source}`)).toEqual(["1 update webhook", "1 update cdc", "2 delete cdc"]);
  });

  it("never asks Intuit for more than its 30 days: a catch-up 40 days late asks from now - 30 days (less the clock margin)", async () => {
    const now = new Date();
    await setConnectionTimes(acme, { connectedAt: new Date(now.getTime() - 60 * DAY), lastCatchUpAt: new Date(now.getTime() - 40 * DAY) });
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Invoice", id: "7", operation: "Update", at: now.getTime() - 20 * DAY });

    const result = await catchUpChanges(acme, { now });
    const expected = new Date(now.getTime() - CDC_LOOKBACK_MS + CDC_LOOKBACK_MARGIN_MS);
    expect(result.changedSince).toEqual(expected);
    expect(cdcRequests().map((r) => r.query.changedSince)).toEqual([formatChangedSince(expected)]);
    expect(result).toMatchObject({ recorded: 1 });
    expect((await connectionRow(acme))!.lastCatchUpAt).toEqual(now);

    // Within the 30 days, the watermark less the overlap.
    const last = new Date(now.getTime() - 10 * DAY);
    expect(catchUpChangedSince({ lastCatchUpAt: last, connectedAt: null }, now)).toEqual(new Date(last.getTime() - CATCH_UP_OVERLAP_MS));
  });

  it("heals a 401 mid-way with one renewal, and after an answer that reached the 1,000 cap re-asks each entity it held alone and the others together", async () => {
    const start = inEmulator(-3 * MINUTE);
    for (let i = 0; i < 600; i++) intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: String(i), operation: "Update", at: start + i * 100 });
    for (let i = 0; i < 401; i++) intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Invoice", id: String(i), operation: "Update", at: start + i * 100 + 50 });
    // The first call goes through; the second is refused as if the access token had been revoked meanwhile.
    intuit.emulator.injectFault({ target: "api", delayMs: 0 });
    intuit.emulator.injectFault({ target: "api", status: 401 });
    const apiCallsBefore = intuit.emulator.calls.api;

    const result = await catchUpChanges(acme);

    // All entities at once (capped), then Customer and Invoice alone, then the nine others together: 4, not 12.
    expect(result).toMatchObject({ recorded: 1001, calls: 4, capped: [] });
    expect(cdcRequests().map((r) => r.query.entities)).toEqual([
      CATCH_UP_ENTITIES.join(","),
      "Customer",
      "Invoice",
      CATCH_UP_ENTITIES.filter((e) => e !== "Customer" && e !== "Invoice").join(","),
    ]);
    expect(intuit.emulator.calls.tokenRefreshToken).toBe(1);
    // One more request than calls: the refused one, retried once with the renewed token.
    expect(intuit.emulator.calls.api - apiCallsBefore).toBe(result.calls + 1);
    const renewals = await db().select().from(refreshLogs).where(eq(refreshLogs.tenantId, acme));
    expect(renewals).toMatchObject([{ trigger: "unauthorized", outcome: "success" }]);
    expect((await connectionRow(acme))!.status).toBe("active");
    expect(await changesOf(acme)).toHaveLength(1001);
  });

  it("stops the watermark at what it saw when one entity alone exceeds the cap, and the next catch-up gets the rest", async () => {
    await setConnectionTimes(acme, { connectedAt: new Date(Date.now() - 2 * 60 * MINUTE) });
    const start = inEmulator(-60 * MINUTE);
    for (let i = 0; i < 1200; i++) intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: String(i), operation: "Update", at: start + i * 1000 });

    const first = await catchUpChanges(acme);
    expect(first).toMatchObject({ recorded: 1000, capped: ["Customer"] });
    expect(first.caughtUpTo).toEqual(wholeSecond(start + 999 * 1000));
    expect((await connectionRow(acme))!.lastCatchUpAt).toEqual(first.caughtUpTo);

    const second = await catchUpChanges(acme);
    expect(second).toMatchObject({ capped: [], recorded: 200 });
    expect(await changesOf(acme)).toHaveLength(1200);
  });

  it("refuses a connection that is not active, without calling Intuit", async () => {
    await db().update(quickbooksConnections).set({ status: "reauthorization_required" }).where(eq(quickbooksConnections.tenantId, acme));
    await expect(catchUpChanges(acme)).rejects.toMatchObject({ code: "reauthorization_required" });
    expect(cdcRequests()).toEqual([]);
  });
});

describe("isAlreadyKnown (the dedupe rule)", () => {
  const at = new Date("2026-05-01T10:00:00Z");
  const change = { entity: "customer", entityId: "1", operation: "update", changedAt: at };
  const known = (operation: string, offsetMs: number, entityId = "1") => [{ entity: "customer", entityId, operation, changedAt: new Date(at.getTime() + offsetMs) }];

  it("matches the same object and kind recorded up to a second before, or any time after", () => {
    expect(isAlreadyKnown(change, known("update", -999))).toBe(true);
    expect(isAlreadyKnown(change, known("void", 0))).toBe(true);
    expect(isAlreadyKnown(change, known("update", 60_000))).toBe(true);
    expect(isAlreadyKnown(change, known("update", -1_001))).toBe(false);
    expect(isAlreadyKnown(change, known("update", 0, "2"))).toBe(false);
  });

  it("only matches a deletion with a deletion", () => {
    expect(isAlreadyKnown({ ...change, operation: "delete" }, known("update", 0))).toBe(false);
    expect(isAlreadyKnown({ ...change, operation: "delete" }, known("delete", -500))).toBe(true);
    expect(isAlreadyKnown(change, known("delete", 0))).toBe(false);
  });
});

describe("runCatchUpSweep", () => {
  it("catches a connection up a day after its last catch-up (its connection, for the first), not every hour, and records why", async () => {
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "58", operation: "Update" });
    const connectedAt = (await connectionRow(acme))!.connectedAt!;
    const after = (ms: number) => new Date(connectedAt.getTime() + ms);
    // Webhooks flow from the moment it connects: nothing to catch up for a day.
    expect(await runCatchUpSweep({ now: after(61 * MINUTE) })).toMatchObject({ examined: 0 });
    expect(await runCatchUpSweep({ now: after(DAY - MINUTE) })).toMatchObject({ examined: 0 });
    expect(await runCatchUpSweep({ now: after(DAY) })).toMatchObject({ examined: 1, caughtUp: 1, recorded: 1, triggers: { floor: 1 } });
    // It found a change a day old that no webhook announced: the realm's webhooks may have gone quiet, so it asks
    // again within the hour (not sooner), and stops asking once a catch-up finds nothing new.
    expect(await connectionRow(acme)).toMatchObject({ lastCatchUpTrigger: "floor", catchUpTrigger: "webhooks_quiet", catchUpRequestedAt: after(DAY) });
    expect(await runCatchUpSweep({ now: after(DAY + 30 * MINUTE) })).toMatchObject({ examined: 0 });
    expect(await runCatchUpSweep({ now: after(DAY + 60 * MINUTE) })).toMatchObject({ examined: 1, recorded: 0, triggers: { webhooks_quiet: 1 } });
    expect(await connectionRow(acme)).toMatchObject({ lastCatchUpTrigger: "webhooks_quiet", catchUpTrigger: null, catchUpRequestedAt: null });
    expect(await runCatchUpSweep({ now: after(2 * DAY) })).toMatchObject({ examined: 0 });
    expect(cdcRequests()).toHaveLength(2);
    expect(await runCatchUpSweep({ now: after(2 * DAY + 60 * MINUTE) })).toMatchObject({ examined: 1, caughtUp: 1, recorded: 0, triggers: { floor: 1 } });
  });

  it("never lets one connection's failure stop the others, and logs it by message only", async () => {
    const globex = (await connectTenant("accountant@globex.test", GLOBEX_REALM)).tenantId;
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "1", operation: "Update" });
    intuit.emulator.recordChange(GLOBEX_REALM, { entity: "Vendor", id: "2", operation: "Update" });
    // Acme's company is having an outage at Intuit.
    intuit.server.use(
      http.get(`${intuit.origin}/v3/company/${DEFAULT_REALM}/cdc`, () =>
        HttpResponse.json({ Fault: { Error: [{ Message: "An application error has occurred", Detail: "System Failure Error", code: "10000" }], type: "SystemFault" } }, { status: 503 }),
      ),
    );
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    // Both a day past their connection: due by the floor.
    const now = new Date(Date.now() + DAY);

    expect(await runCatchUpSweep({ now })).toMatchObject({ examined: 2, caughtUp: 1, failed: 1, skipped: 0, recorded: 1 });

    expect(await changesOf(globex)).toMatchObject([{ entity: "vendor", entityId: "2", source: "cdc" }]);
    expect(await changesOf(acme)).toEqual([]);
    expect((await connectionRow(acme))!.lastCatchUpAt).toBeNull();
    const acmeConnection = (await connectionRow(acme))!.id;
    expect(logged).toHaveBeenCalledTimes(1);
    // Described by lib/describe-error.ts: Intuit's error kind, status and code, and its message.
    expect(logged.mock.calls[0]).toEqual([expect.stringMatching(new RegExp(`^CDC catch-up failed for connection ${acmeConnection}: IntuitApiError \\[code=10000 kind=server status=503[^\\]]*\\]: An application error has occurred$`))]);
    // Still due, but not every minute: an hour after the failed attempt (with Globex, whose catch-up found a change
    // no webhook announced).
    intuit.server.resetHandlers();
    expect(await runCatchUpSweep({ now: new Date(now.getTime() + MINUTE) })).toMatchObject({ examined: 0 });
    expect(await runCatchUpSweep({ now: new Date(now.getTime() + 60 * MINUTE) })).toMatchObject({ examined: 2, caughtUp: 2, recorded: 1 });
    expect(await changesOf(acme)).toHaveLength(1);
  });

  it("leaves out connections that are not active or are of the environment the tenant no longer uses", async () => {
    await db()
      .update(quickbooksConnections)
      .set({ status: "reauthorization_required" })
      .where(and(eq(quickbooksConnections.tenantId, acme), eq(quickbooksConnections.environment, "sandbox")));
    // Two days on: due by the floor, were it active and current.
    const now = new Date(Date.now() + 2 * DAY);
    expect(await runCatchUpSweep({ now })).toMatchObject({ examined: 0 });
    await db().update(quickbooksConnections).set({ status: "active", environment: "production" }).where(eq(quickbooksConnections.tenantId, acme));
    expect(await runCatchUpSweep({ now })).toMatchObject({ examined: 0 });
    expect(cdcRequests()).toEqual([]);
  });
});
