// The CDC catch-up runs where there is evidence that webhooks were missed, plus a daily floor, never as an hourly poll
// (issue 16, point 5): each kind of evidence catches up the connections it concerns, and nothing else does.
import { and, eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { qboHealthHourly, quickbooksChanges, sweepMarks, webhookDeliveries, webhookEvents } from "@/db/schema";
import { signWebhookBody } from "@/lib/intuit/webhook-signature";
import { runCatchUpSweep } from "@/lib/jobs/catch-up-sweep";
import { runTokenSweeps } from "@/lib/jobs/queue";
import { UNVERIFIED_REFUSAL_COOLDOWN_MS } from "@/lib/jobs/rules/catch-up-rules";
import { MAX_WEBHOOK_ATTEMPTS, processPendingWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { receiveWebhook } from "@/lib/quickbooks/receive-webhook";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "@/tests/connect-helper";
import { useTestDatabase } from "@/tests/database";

const VERIFIER = "test-webhook-verifier-token";
process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = VERIFIER;

useTestDatabase();
const intuit = useIntuitMock();

const GLOBEX_REALM = "9341452000000002";
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let acme = "";
let globex = "";
let t0 = 0;
beforeEach(async () => {
  for (const table of [quickbooksChanges, webhookEvents, webhookDeliveries, sweepMarks, qboHealthHourly]) await db().delete(table).where(sql`true`);
  await resetQuickBooksData();
  acme = (await connectTenant("accountant@acme.test")).tenantId;
  globex = (await connectTenant("accountant@globex.test", GLOBEX_REALM)).tenantId;
  t0 = Date.now();
});

const at = (ms: number) => new Date(t0 + ms);
const legacy = (realmId: string, id: string, lastUpdated: Date) =>
  JSON.stringify({ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name: "Invoice", id, operation: "Update", lastUpdated: lastUpdated.toISOString() }] } }] });

/** A delivery received at `receivedAt` (signed with the verifier token unless a signature is given), processed as the route would. */
async function deliver(body: string, receivedAt: Date, signature?: string) {
  const bytes = new Uint8Array(Buffer.from(body));
  const answer = await receiveWebhook({ body: bytes, signature: signature ?? signWebhookBody(bytes, VERIFIER), contentType: "application/json", receivedAt, sourceIp: "203.0.113.9" });
  await processPendingWebhookEvents({ now: receivedAt });
  return answer.status;
}

/** The realms whose changes the emulator was asked for, from this point on. */
function cdcAsked() {
  const from = intuit.emulator.apiRequests().length;
  return () =>
    intuit.emulator
      .apiRequests()
      .slice(from)
      .filter((r) => r.path.endsWith("/cdc"))
      .map((r) => r.realmId)
      .sort();
}

describe("the CDC catch-up, by evidence", () => {
  it("does not poll: with webhooks flowing, nobody is caught up before the daily floor", async () => {
    const asked = cdcAsked();
    expect(await deliver(legacy(DEFAULT_REALM, "130", at(0)), at(MINUTE))).toBe(200);
    for (const offset of [2 * MINUTE, HOUR, 2 * HOUR, 12 * HOUR, DAY - 10 * MINUTE]) {
      expect(await runCatchUpSweep({ now: at(offset) })).toMatchObject({ examined: 0 });
    }
    expect(asked()).toEqual([]);
    // The floor: a day after each connected, both, and it says so.
    expect(await runCatchUpSweep({ now: at(DAY) })).toMatchObject({ examined: 2, caughtUp: 2, triggers: { floor: 2 } });
    expect(asked()).toEqual([DEFAULT_REALM, GLOBEX_REALM]);
    expect(await connectionRow(acme)).toMatchObject({ lastCatchUpTrigger: "floor", catchUpRequestedAt: null, catchUpTrigger: null });
    const counted = await db().select().from(qboHealthHourly).where(and(eq(qboHealthHourly.tenantId, acme), eq(qboHealthHourly.metric, "catch_up")));
    expect(counted).toMatchObject([{ outcome: "floor", count: 1, sum: 1 }]);
  });

  it("the app was down: a gap in the sweeps' heartbeat catches every connection up, with the changes made meanwhile", async () => {
    await runTokenSweeps({ now: at(0) });
    // Made in QuickBooks while the app was down: its webhook never arrived.
    intuit.emulator.recordChange(DEFAULT_REALM, { entity: "Customer", id: "58", operation: "Update" });
    const asked = cdcAsked();

    // Ten minutes between runs is a restart, not an outage.
    expect(await runTokenSweeps({ now: at(10 * MINUTE) })).toMatchObject({ heartbeat: { requested: 0 }, catchUp: { examined: 0 } });
    const report = await runTokenSweeps({ now: at(6 * HOUR) });
    expect(report.heartbeat).toMatchObject({ gapMs: 6 * HOUR - 10 * MINUTE, requested: 2 });
    expect(report.catchUp).toMatchObject({ examined: 2, caughtUp: 2, failed: 0, triggers: { app_down: 2 } });
    expect(asked()).toEqual([DEFAULT_REALM, GLOBEX_REALM]);
    expect(await db().select({ entityId: quickbooksChanges.entityId, source: quickbooksChanges.source }).from(quickbooksChanges).where(eq(quickbooksChanges.tenantId, acme))).toEqual([
      { entityId: "58", source: "cdc" },
    ]);
    expect(await connectionRow(acme)).toMatchObject({ lastCatchUpTrigger: "app_down", catchUpRequestedAt: null });
    // Answered: the next run asks for nothing (the downtime explains the unannounced change; no follow-up).
    expect((await runTokenSweeps({ now: at(6 * HOUR + MINUTE) })).catchUp).toMatchObject({ examined: 0 });
    expect((await runTokenSweeps({ now: at(6 * HOUR + 11 * MINUTE) })).catchUp).toMatchObject({ examined: 0 });
  });

  it("refused deliveries: Intuit's own (signed) catch everyone up; unsigned ones only with nothing accepted, at most every 6 hours", async () => {
    const asked = cdcAsked();
    // Signed with the verifier token, so Intuit's, but refused: its body could not be read.
    expect(await deliver("{not json", at(MINUTE))).toBe(400);
    expect(await runCatchUpSweep({ now: at(2 * MINUTE) })).toMatchObject({ triggers: { webhook_refused: 2 }, evidence: { refusedEvidence: "signed" } });

    // A stranger's junk while Intuit's deliveries are accepted: not evidence.
    expect(await deliver("{}", at(3 * HOUR), "bad-signature")).toBe(401);
    expect(await deliver(legacy(DEFAULT_REALM, "7", at(3 * HOUR)), at(3 * HOUR))).toBe(200);
    expect(await runCatchUpSweep({ now: at(3 * HOUR + MINUTE) })).toMatchObject({ examined: 0, evidence: { refused: 1, refusedEvidence: null } });

    // Refused with nothing accepted meanwhile: perhaps our verifier token is wrong and these were Intuit's.
    expect(await deliver("{}", at(5 * HOUR), "bad-signature")).toBe(401);
    expect(await runCatchUpSweep({ now: at(5 * HOUR + MINUTE) })).toMatchObject({ triggers: { webhook_refused: 2 }, evidence: { refusedEvidence: "unsigned" } });
    // Again within 6 hours: no new catch-up of everyone.
    expect(await deliver("{}", at(8 * HOUR), "bad-signature")).toBe(401);
    expect(await runCatchUpSweep({ now: at(8 * HOUR + MINUTE) })).toMatchObject({ examined: 0, evidence: { refusedEvidence: "unsigned", requested: 0 } });
    const later = 5 * HOUR + MINUTE + UNVERIFIED_REFUSAL_COOLDOWN_MS;
    expect(await deliver("{}", at(later), "bad-signature")).toBe(401);
    expect(await runCatchUpSweep({ now: at(later + MINUTE) })).toMatchObject({ triggers: { webhook_refused: 2 } });
    expect(asked()).toHaveLength(6);
  });

  it("an event that could not be processed catches its own tenant up, and only its tenant", async () => {
    expect(await deliver(legacy(DEFAULT_REALM, "130", at(0)), at(0))).toBe(200);
    // Put back in the queue (the delivery's own pass processed it), then failing until it is dead-lettered.
    await db().update(webhookEvents).set({ status: "pending", attempts: 0, nextAttemptAt: at(0) }).where(sql`true`);
    const failing = async () => {
      throw new Error("sync target unavailable");
    };
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) await processPendingWebhookEvents({ now: at(attempt * 2 * HOUR), processor: failing });
    expect(await connectionRow(acme)).toMatchObject({ catchUpTrigger: "webhook_failed" });
    expect((await connectionRow(globex))!.catchUpRequestedAt).toBeNull();

    const asked = cdcAsked();
    expect(await runCatchUpSweep({ now: at(MAX_WEBHOOK_ATTEMPTS * 2 * HOUR + MINUTE) })).toMatchObject({ examined: 1, triggers: { webhook_failed: 1 } });
    expect(asked()).toEqual([DEFAULT_REALM]);
  });

  it("Intuit delivering events again (it missed our acknowledgement) catches their tenant up", async () => {
    const body = legacy(GLOBEX_REALM, "44", at(0));
    expect(await deliver(body, at(MINUTE))).toBe(200);
    expect(await runCatchUpSweep({ now: at(2 * MINUTE) })).toMatchObject({ examined: 0 });
    expect(await deliver(body, at(3 * MINUTE))).toBe(200);
    const asked = cdcAsked();
    expect(await runCatchUpSweep({ now: at(4 * MINUTE) })).toMatchObject({ examined: 1, triggers: { webhook_redelivered: 1 }, evidence: { redelivered: 1 } });
    expect(asked()).toEqual([GLOBEX_REALM]);
  });
});
