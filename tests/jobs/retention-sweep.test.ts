import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditEvents, callbackLogs, notificationDeliveries, notificationEvents, oauthStates, qboApiCalls, qboHealthHourly, qboRealmPermits, quickbooksChanges, refreshLogs, syncRuns, tokenRevocations, users, webhookDeliveries, webhookEvents } from "@/db/schema";
import { recordApiCall, recordWebhookDelays } from "@/lib/metrics/record";
import { useTestDatabase } from "@/tests/database";
import { tenantId } from "@/tests/session";
import { runTokenSweeps } from "@/lib/jobs/queue";
import { RETENTION_MS, runRetentionSweep, type RetentionResult } from "@/lib/jobs/retention-sweep";

useTestDatabase();

const NOW = new Date("2026-06-01T12:00:00.000Z");
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const NOTHING: RetentionResult = {
  apiCalls: 0,
  hourly: 0,
  permits: 0,
  callbackLogs: 0,
  refreshLogs: 0,
  webhookDeliveries: 0,
  webhookEvents: 0,
  changes: 0,
  syncRuns: 0,
  revocations: 0,
  oauthStates: 0,
  notifications: 0,
};
let acme: string;

beforeEach(async () => {
  acme = await tenantId("acme");
  for (const table of [qboApiCalls, qboHealthHourly, qboRealmPermits, callbackLogs, refreshLogs, webhookDeliveries, webhookEvents, quickbooksChanges, syncRuns, tokenRevocations, oauthStates, notificationEvents]) {
    await db().delete(table).where(sql`true`);
  }
});

const callAt = (at: Date) =>
  recordApiCall({
    tenantId: acme,
    environment: "sandbox",
    realmId: "1",
    operation: "query",
    outcome: "success",
    httpStatus: 200,
    latencyMs: 10,
    intuitTid: null,
    errorCode: null,
    errorMessage: null,
    meter: null,
    at,
  });

const ago = (ms: number) => new Date(NOW.getTime() - ms);
/** Just past the period (deleted) and just within it (kept). */
const past = (period: number) => ago(period + MINUTE);
const within = (period: number) => ago(period - MINUTE);

describe("the retention sweep", () => {
  it("deletes API calls after 30 days, hourly counters after 400 days and permits after 10 minutes, and nothing newer", async () => {
    await callAt(ago(31 * DAY));
    await callAt(ago(29 * DAY));
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1], at: ago(401 * DAY) });
    await recordWebhookDelays({ tenantId: acme, delaysMs: [1], at: ago(399 * DAY) });
    await db()
      .insert(qboRealmPermits)
      .values([
        // Old and finished: deleted.
        { realmKey: "sandbox:1", startedAt: ago(11 * MINUTE), leaseExpiresAt: ago(10 * MINUTE), finishedAt: ago(10 * MINUTE) },
        // Old but its lease still runs: kept.
        { realmKey: "sandbox:1", startedAt: ago(11 * MINUTE), leaseExpiresAt: new Date(NOW.getTime() + MINUTE) },
        // Recent: kept.
        { realmKey: "sandbox:1", startedAt: ago(2 * MINUTE), leaseExpiresAt: ago(MINUTE), finishedAt: ago(MINUTE) },
      ]);

    const result = await runRetentionSweep({ now: NOW });
    // The api_call counters of 31 and 29 days ago are within 400 days: only the webhook row of 401 days goes.
    expect(result).toEqual({ ...NOTHING, apiCalls: 1, hourly: 1, permits: 1 });
    expect(await db().select().from(qboApiCalls)).toHaveLength(1);
    expect(await db().select().from(qboHealthHourly)).toHaveLength(3);
    expect(await db().select().from(qboRealmPermits)).toHaveLength(2);

    expect(await runRetentionSweep({ now: NOW })).toEqual(NOTHING);
  });

  it("deletes each log table's rows exactly when they are older than its period, and keeps what must stay", async () => {
    const r = RETENTION_MS;
    const log = (createdAt: Date, message: string) => ({ tenantId: acme, outcome: "failure" as const, message, latencyMs: 1, createdAt });
    await db().insert(callbackLogs).values([log(past(r.callbackLogs), "old"), log(within(r.callbackLogs), "kept")]);
    const renewal = (createdAt: Date, message: string) => ({ tenantId: acme, trigger: "scheduled" as const, outcome: "success" as const, message, durationMs: 1, createdAt });
    await db().insert(refreshLogs).values([renewal(past(r.refreshLogs), "old"), renewal(within(r.refreshLogs), "kept")]);
    const delivery = (receivedAt: Date, status: "accepted" | "rejected_signature", error: string) => ({ status, httpStatus: 200, signature: "valid", bodyBytes: 1, receivedAt, error });
    await db()
      .insert(webhookDeliveries)
      .values([
        delivery(past(r.webhookDeliveries), "accepted", "old"),
        delivery(past(r.webhookDeliveries), "rejected_signature", "old"),
        delivery(within(r.webhookDeliveries), "accepted", "kept"),
      ]);
    let key = 0;
    const event = (receivedAt: Date, status: "pending" | "processed" | "ignored" | "dead", lastError: string) => ({
      eventKey: `k${key++}`,
      deliveryId: 1,
      realmId: "1",
      entity: "Invoice",
      entityId: "1",
      operation: "Create",
      receivedAt,
      status,
      lastError,
    });
    await db()
      .insert(webhookEvents)
      .values([
        event(past(r.settledWebhookEvents), "processed", "old"),
        event(past(r.settledWebhookEvents), "ignored", "old"),
        event(within(r.settledWebhookEvents), "processed", "kept"),
        // Dead ones wait for a person much longer; pending ones are never deleted by age.
        event(past(r.settledWebhookEvents), "dead", "kept"),
        event(past(r.deadWebhookEvents), "dead", "old"),
        event(past(r.deadWebhookEvents), "pending", "kept"),
      ]);
    const change = (recordedAt: Date, entityId: string) => ({ tenantId: acme, environment: "sandbox" as const, realmId: "1", entity: "account", entityId, operation: "Update", changedAt: recordedAt, source: "webhook", recordedAt });
    await db()
      .insert(quickbooksChanges)
      .values([change(past(r.changes), "old"), change(within(r.changes), "kept")]);
    const run = (finishedAt: Date, status: "succeeded" | "failed", errorMessage: string) => ({
      tenantId: acme,
      environment: "sandbox" as const,
      realmId: "1",
      mode: "full",
      status,
      mappingFingerprint: "f",
      startedAt: new Date(finishedAt.getTime() - MINUTE),
      finishedAt,
      errorMessage,
    });
    await db()
      .insert(syncRuns)
      .values([
        run(past(r.syncRuns + DAY), "succeeded", "old"),
        run(past(r.syncRuns), "failed", "old"),
        // The connection's latest success, however old: the next run starts from it.
        run(past(r.syncRuns), "succeeded", "kept"),
        run(within(r.syncRuns), "failed", "kept"),
      ]);
    const revocation = (revokedAt: Date, status: "revoked" | "failed", lastErrorMessage: string) => ({ tenantId: acme, environment: "sandbox" as const, status, revokedAt, lastErrorMessage });
    await db()
      .insert(tokenRevocations)
      .values([revocation(past(r.revocations), "revoked", "old"), revocation(within(r.revocations), "revoked", "kept"), revocation(past(r.revocations), "failed", "kept")]);
    const [user] = await db().select().from(users).limit(1);
    const state = (expiresAt: Date, redirectUri: string) => ({ stateHash: redirectUri + String(expiresAt.getTime()), tenantId: acme, userId: user!.id, environment: "sandbox" as const, redirectUri, expiresAt });
    await db()
      .insert(oauthStates)
      .values([state(past(r.oauthStates), "old"), state(within(r.oauthStates), "kept")]);
    const notice = (occurredAt: Date, dispatched: boolean, reason: string) => ({
      tenantId: acme,
      type: "sync.failed",
      version: 1,
      data: { reason },
      occurredAt,
      dispatchedAt: dispatched ? occurredAt : null,
    });
    const notices = await db()
      .insert(notificationEvents)
      .values([
        notice(past(r.notifications), true, "old"),
        notice(within(r.notifications), true, "kept"),
        // Not yet fanned out, or a delivery still to try: kept whatever its age.
        notice(past(r.notifications), false, "kept"),
        notice(past(r.notifications), true, "kept"),
      ])
      .returning({ id: notificationEvents.id });
    await db().insert(notificationDeliveries).values([
      { eventId: notices[0]!.id, tenantId: acme, channel: "webhook", status: "sent" },
      { eventId: notices[3]!.id, tenantId: acme, channel: "webhook", status: "pending" },
    ]);
    // The audit trail is not the sweep's to delete, whatever its age.
    await db().insert(auditEvents).values({ tenantId: acme, actorUserId: null, action: "logs.viewed", outcome: "success", createdAt: ago(10 * 365 * DAY) });
    const auditRows = (await db().select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]!.n;

    expect(await runRetentionSweep({ now: NOW })).toEqual({
      ...NOTHING,
      callbackLogs: 1,
      refreshLogs: 1,
      webhookDeliveries: 2,
      webhookEvents: 3,
      changes: 1,
      syncRuns: 2,
      revocations: 1,
      oauthStates: 1,
      notifications: 1,
    });
    expect((await db().select({ m: sql<string>`${notificationEvents.data}->>'reason'` }).from(notificationEvents)).map((x) => x.m)).toEqual(["kept", "kept", "kept"]);
    // Its delivery went with it; the pending one's stays.
    expect((await db().select({ status: notificationDeliveries.status }).from(notificationDeliveries)).map((x) => x.status)).toEqual(["pending"]);
    expect((await db().select({ m: callbackLogs.message }).from(callbackLogs)).map((x) => x.m)).toEqual(["kept"]);
    expect((await db().select({ m: refreshLogs.message }).from(refreshLogs)).map((x) => x.m)).toEqual(["kept"]);
    expect((await db().select({ m: webhookDeliveries.error }).from(webhookDeliveries)).map((x) => x.m)).toEqual(["kept"]);
    expect((await db().select({ m: webhookEvents.lastError }).from(webhookEvents)).map((x) => x.m)).toEqual(["kept", "kept", "kept"]);
    expect((await db().select({ m: quickbooksChanges.entityId }).from(quickbooksChanges)).map((x) => x.m)).toEqual(["kept"]);
    expect((await db().select({ m: syncRuns.errorMessage }).from(syncRuns)).map((x) => x.m)).toEqual(["kept", "kept"]);
    expect((await db().select({ m: tokenRevocations.lastErrorMessage }).from(tokenRevocations)).map((x) => x.m)).toEqual(["kept", "kept"]);
    expect((await db().select({ m: oauthStates.redirectUri }).from(oauthStates)).map((x) => x.m)).toEqual(["kept"]);
    expect((await db().select({ n: sql<number>`count(*)::int` }).from(auditEvents))[0]!.n).toBe(auditRows);
    expect(await db().select().from(auditEvents).where(eq(auditEvents.action, "logs.viewed"))).not.toHaveLength(0);

    expect(await runRetentionSweep({ now: NOW })).toEqual(NOTHING);
  });

  it("runs with the other sweeps", async () => {
    await callAt(ago(31 * DAY));
    const report = await runTokenSweeps({ now: NOW });
    expect(report.retention).toEqual({ ...NOTHING, apiCalls: 1 });
  });
});
