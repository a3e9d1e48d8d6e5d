import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { POST as webhookRoute } from "@/app/api/quickbooks/webhooks/route";
import { db, type Transaction } from "@/db";
import { quickbooksChanges, quickbooksConnections, webhookDeliveries, webhookEvents } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { signWebhookBody } from "@/lib/intuit/webhook-signature";
import { runTokenSweeps } from "@/lib/jobs/queue";
import { webhookProcessingIdle } from "@/lib/jobs/webhook-processing";
import { storeDeliveries } from "@/lib/quickbooks/receive-webhook";
import { MAX_WEBHOOK_ATTEMPTS, processPendingWebhookEvents, recordChanges, retryDeadWebhookEvents } from "@/lib/quickbooks/process-webhook-events";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectionRow, connectTenant, DEFAULT_REALM, resetQuickBooksData } from "./connect-helper";
import { useTestDatabase } from "./database";

const VERIFIER = "test-webhook-verifier-token";
const GLOBEX_REALM = "9341452000000002";
process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = VERIFIER;

useTestDatabase();
useIntuitMock();

const legacy = (realmId = DEFAULT_REALM, id = "130", lastUpdated = new Date(Date.now() - 2_000).toISOString()) =>
  JSON.stringify({ eventNotifications: [{ realmId, dataChangeEvent: { entities: [{ name: "Invoice", id, operation: "Create", lastUpdated }] } }] });
const cloudEvents = (id = crypto.randomUUID(), realmId = DEFAULT_REALM) =>
  JSON.stringify([
    { specversion: "1.0", id, source: "intuit", type: "qbo.customer.updated.v1", datacontenttype: "application/json", time: new Date().toISOString(), intuitentityid: "7", intuitaccountid: realmId, data: {} },
  ]);

function deliver(body: string | Uint8Array, options: { signature?: string | null; key?: string; contentType?: string } = {}) {
  const bytes = new Uint8Array(typeof body === "string" ? Buffer.from(body) : body);
  const headers = new Headers({ "content-type": options.contentType ?? "application/json" });
  const signature = options.signature === undefined ? signWebhookBody(bytes, options.key ?? VERIFIER) : options.signature;
  if (signature !== null) headers.set("intuit-signature", signature);
  return webhookRoute(new Request("http://localhost:3000/api/quickbooks/webhooks", { method: "POST", headers, body: bytes }));
}

/** Waits for the processing pass each delivery starts after its answer (deferred with setImmediate outside Next.js). */
async function settle() {
  await new Promise((resolve) => setImmediate(resolve));
  await webhookProcessingIdle();
}

const count = async (table: typeof webhookDeliveries | typeof webhookEvents | typeof quickbooksChanges) =>
  (await db().select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
const lastDelivery = async () => (await db().select().from(webhookDeliveries).orderBy(sql`id desc`).limit(1))[0]!;

let acme = "";
beforeEach(async () => {
  await db().delete(quickbooksChanges).where(sql`true`);
  await db().delete(webhookEvents).where(sql`true`);
  await db().delete(webhookDeliveries).where(sql`true`);
  await resetQuickBooksData();
  acme = (await connectTenant("accountant@acme.test")).tenantId;
});

describe("POST /api/quickbooks/webhooks", () => {
  it("accepts a signed eventNotifications delivery, stores its events, answers 200, and processes them after", async () => {
    const response = await deliver(legacy());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, stored: 1 });
    const delivery = await lastDelivery();
    expect(delivery).toMatchObject({ status: "accepted", httpStatus: 200, signature: "valid", format: "legacy", eventCount: 1, newEventCount: 1, realmIds: [DEFAULT_REALM], tenantIds: [acme] });
    expect(delivery.maxDelayMs).toBeGreaterThanOrEqual(2_000);

    // Processing runs after the answer, by itself.
    await settle();
    const [event] = await db().select().from(webhookEvents);
    expect(event).toMatchObject({ status: "processed", tenantId: acme, entity: "invoice", entityId: "130", operation: "create" });
    expect(await db().select().from(quickbooksChanges)).toEqual([expect.objectContaining({ tenantId: acme, entity: "invoice", entityId: "130", source: "webhook" })]);
    expect((await connectionRow(acme))!.lastChangeSeenAt).toBeInstanceOf(Date);
  });

  it("accepts the CloudEvents format with its own content type", async () => {
    const response = await deliver(cloudEvents(), { contentType: "application/cloudevents+json" });
    expect(response.status).toBe(200);
    expect((await lastDelivery()).format).toBe("cloudevents");
    expect(await count(webhookEvents)).toBe(1);
  });

  it.each([
    ["a bad signature", { signature: "bm90IHRoZSByaWdodCBzaWduYXR1cmU=" }, "invalid"],
    ["a missing header", { signature: null }, "missing"],
    ["the wrong key", { key: "some-other-verifier" }, "invalid"],
  ])("refuses %s with 401 and a rejected-delivery row, storing nothing else", async (_name, options, signature) => {
    const response = await deliver(legacy(), options);
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("invalid_signature");
    expect(await lastDelivery()).toMatchObject({ status: "rejected_signature", httpStatus: 401, signature, eventCount: 0 });
    expect(await count(webhookEvents)).toBe(0);
  });

  it("refuses a body altered by one byte after signing", async () => {
    const body = Buffer.from(legacy());
    const signature = signWebhookBody(body, VERIFIER);
    body[body.length - 3] = body[body.length - 3]! ^ 1;
    expect((await deliver(body, { signature })).status).toBe(401);
    expect(await count(webhookEvents)).toBe(0);
  });

  it("refuses an oversized body with 413", async () => {
    const huge = JSON.stringify({ eventNotifications: [], padding: "x".repeat(1024 * 1024) });
    const response = await deliver(huge);
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe("payload_too_large");
    expect(await lastDelivery()).toMatchObject({ status: "too_large", httpStatus: 413 });
    expect(await count(webhookEvents)).toBe(0);
  });

  it("refuses malformed JSON (signed) with 400", async () => {
    const response = await deliver('{"eventNotifications": [');
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe("malformed_payload");
    expect(await lastDelivery()).toMatchObject({ status: "malformed", httpStatus: 400, signature: "valid" });
    expect(await count(webhookEvents)).toBe(0);
  });

  it("refuses a body that is not JSON at all with 415", async () => {
    expect((await deliver("realmId=1", { contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
  });

  it("stores a duplicated or retried event once", async () => {
    const body = legacy();
    expect(await (await deliver(body)).json()).toEqual({ received: 1, stored: 1 });
    expect(await (await deliver(body)).json()).toEqual({ received: 1, stored: 0 });
    const id = crypto.randomUUID();
    await deliver(cloudEvents(id));
    await deliver(cloudEvents(id));
    expect(await count(webhookEvents)).toBe(2);
    expect(await count(webhookDeliveries)).toBe(4);
    await settle();
    expect(await count(quickbooksChanges)).toBe(2);
  });

  it("accepts an event Intuit delivers weeks late (its delay is stored capped, not refused with 500 for ever)", async () => {
    const late = new Date(Date.now() - 40 * 24 * 60 * 60 * 1000).toISOString();
    const response = await deliver(legacy(DEFAULT_REALM, "131", late));
    expect(response.status).toBe(200);
    expect((await lastDelivery()).maxDelayMs).toBe(2_147_483_647);
    await settle();
    expect(await count(quickbooksChanges)).toBe(1);
  });

  it("acknowledges a delivery for an unknown realm and logs it, without processing it", async () => {
    const response = await deliver(legacy("1234567890"));
    expect(response.status).toBe(200);
    expect(await lastDelivery()).toMatchObject({ status: "accepted", tenantIds: [], realmIds: ["1234567890"] });
    const [event] = await db().select().from(webhookEvents);
    expect(event).toMatchObject({ status: "ignored", tenantId: null });
    await settle();
    expect(await count(quickbooksChanges)).toBe(0);
  });

  it("answers 503 with a clear message when no verifier token is configured", async () => {
    delete process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN;
    resetEnvForTests();
    try {
      const response = await deliver(legacy());
      expect(response.status).toBe(503);
      expect((await response.json()).error.message).toMatch(/INTUIT_WEBHOOK_VERIFIER_TOKEN/);
      expect(await lastDelivery()).toMatchObject({ status: "not_configured" });
      expect(await count(webhookEvents)).toBe(0);
    } finally {
      process.env.INTUIT_WEBHOOK_VERIFIER_TOKEN = VERIFIER;
      resetEnvForTests();
    }
  });
});

/** Puts every event back in the queue, after the pass each delivery started by itself has finished. */
async function requeueAll() {
  await settle();
  await db().update(webhookEvents).set({ status: "pending", attempts: 0, nextAttemptAt: new Date(0), processedAt: null }).where(sql`true`);
}

describe("deliveries arriving together", () => {
  it("are stored together: every event once, each delivery counting the events that were new to it", async () => {
    // One timestamp for all: the event key includes lastUpdated, and bodies built a millisecond apart (a loaded
    // machine) would make a repeat a different event.
    const lastUpdated = new Date(Date.now() - 2_000).toISOString();
    const bodies = Array.from({ length: 30 }, (_, i) => legacy(DEFAULT_REALM, String(3000 + (i % 20)), lastUpdated));
    // Ten byte-identical repeats, sent at the same moment as their originals: the same events in one batch.
    const answers = await Promise.all(bodies.map((body) => deliver(body)));
    expect(answers.map((a) => a.status)).toEqual(Array<number>(30).fill(200));
    const stored = (await Promise.all(answers.map((a) => a.json() as Promise<{ stored: number }>))).reduce((sum, a) => sum + a.stored, 0);
    expect(stored).toBe(20);
    expect(await count(webhookEvents)).toBe(20);
    const deliveries = await db().select().from(webhookDeliveries);
    expect(deliveries).toHaveLength(30);
    expect(deliveries.every((d) => d.status === "accepted" && d.eventCount === 1 && d.tenantIds[0] === acme)).toBe(true);
    expect(deliveries.reduce((sum, d) => sum + d.newEventCount, 0)).toBe(20);
    await settle();
    expect(await count(quickbooksChanges)).toBe(20);
  });

  it("of two deliveries in one statement holding the same event, the first stores it", async () => {
    const event = { key: "shared-event", realmId: DEFAULT_REALM, entity: "invoice", entityId: "1", operation: "update", occurredAt: null };
    const delivery = (events: (typeof event)[]) => ({ format: "legacy", events, contentType: "application/json", bodyBytes: 10, receivedAt: new Date() });
    const counts = await storeDeliveries([delivery([event]), delivery([event, { ...event, key: "other-event", entityId: "2" }]), delivery([])]);
    expect(counts).toEqual([1, 1, 0]);
    const rows = await db().select().from(webhookDeliveries).orderBy(webhookDeliveries.id);
    expect(rows.map((r) => [r.eventCount, r.newEventCount])).toEqual([[1, 1], [2, 1], [0, 0]]);
    expect((await db().select().from(webhookEvents).where(eq(webhookEvents.eventKey, "shared-event")))[0]!.deliveryId).toBe(rows[0]!.id);
  });
});

describe("webhook processing", () => {
  it("retries a failing event with backoff, dead-letters it after the limit, and Retry revives it", async () => {
    await deliver(legacy());
    await requeueAll();
    const failing = async () => {
      throw new Error("sync target unavailable");
    };
    let now = Date.now();
    for (let attempt = 1; attempt <= MAX_WEBHOOK_ATTEMPTS; attempt++) {
      const outcome = await processPendingWebhookEvents({ now: new Date(now), processor: failing });
      expect(outcome).toEqual({ processed: 0, retried: attempt < MAX_WEBHOOK_ATTEMPTS ? 1 : 0, dead: attempt === MAX_WEBHOOK_ATTEMPTS ? 1 : 0 });
      // Not due again before its backoff.
      expect(await processPendingWebhookEvents({ now: new Date(now + 1_000), processor: failing })).toEqual({ processed: 0, retried: 0, dead: 0 });
      now += 2 * 60 * 60 * 1000;
    }
    const [dead] = await db().select().from(webhookEvents);
    expect(dead).toMatchObject({ status: "dead", attempts: MAX_WEBHOOK_ATTEMPTS, lastError: "Error: sync target unavailable" });

    expect(await retryDeadWebhookEvents(acme)).toBe(1);
    expect(await processPendingWebhookEvents()).toEqual({ processed: 1, retried: 0, dead: 0 });
    expect(await count(quickbooksChanges)).toBe(1);
  });

  it("drains a burst larger than one processing batch right after the answer", async () => {
    const entities = Array.from({ length: 1_200 }, (_, i) => ({ name: "Invoice", id: String(i), operation: "Update", lastUpdated: new Date().toISOString() }));
    await deliver(JSON.stringify({ eventNotifications: [{ realmId: DEFAULT_REALM, dataChangeEvent: { entities } }] }));
    await settle();
    expect(await db().select().from(webhookEvents).where(eq(webhookEvents.status, "processed"))).toHaveLength(1_200);
  });

  it("the scheduled job picks up events left pending (an instance that died after answering Intuit)", async () => {
    await deliver(legacy());
    await requeueAll();
    const report = await runTokenSweeps();
    expect(report.webhooks).toEqual({ processed: 1, retried: 0, dead: 0 });
    expect(await count(quickbooksChanges)).toBe(1);
  });

  it("a failing event in a batch is retried on its own; the rest of the batch is processed once", async () => {
    for (let i = 0; i < 10; i++) await deliver(legacy(DEFAULT_REALM, String(2000 + i)));
    await requeueAll();
    await db().delete(quickbooksChanges).where(sql`true`);
    const attempts: number[][] = [];
    const poisonous = async (tx: Transaction, events: Parameters<typeof recordChanges>[1]) => {
      attempts.push(events.map((e) => e.id));
      if (events.some((e) => e.entityId === "2004")) throw new Error("cannot map invoice 2004");
      await recordChanges(tx, events);
    };
    expect(await processPendingWebhookEvents({ processor: poisonous })).toEqual({ processed: 9, retried: 1, dead: 0 });
    // The whole batch once, then each event on its own.
    expect(attempts.map((a) => a.length)).toEqual([10, ...Array<number>(10).fill(1)]);
    expect(await count(quickbooksChanges)).toBe(9);
    const [failed] = await db().select().from(webhookEvents).where(eq(webhookEvents.status, "pending"));
    expect(failed).toMatchObject({ entityId: "2004", attempts: 1, lastError: "Error: cannot map invoice 2004" });
  });

  it("records a batch of changes across tenants and moves each tenant's last change seen to its newest event", async () => {
    await connectTenant("accountant@globex.test", GLOBEX_REALM);
    const older = new Date(Date.now() - 60_000).toISOString();
    const newer = new Date(Date.now() - 1_000).toISOString();
    await deliver(
      JSON.stringify({
        eventNotifications: [
          { realmId: DEFAULT_REALM, dataChangeEvent: { entities: [{ name: "Invoice", id: "1", operation: "Update", lastUpdated: newer }, { name: "Invoice", id: "2", operation: "Update", lastUpdated: older }] } },
          { realmId: GLOBEX_REALM, dataChangeEvent: { entities: [{ name: "Vendor", id: "3", operation: "Create", lastUpdated: older }] } },
        ],
      }),
    );
    await settle();
    expect(await count(quickbooksChanges)).toBe(3);
    const seen = await db().select({ realmId: quickbooksConnections.realmId, at: quickbooksConnections.lastChangeSeenAt }).from(quickbooksConnections);
    expect(seen.find((c) => c.realmId === DEFAULT_REALM)?.at?.toISOString()).toBe(newer);
    expect(seen.find((c) => c.realmId === GLOBEX_REALM)?.at?.toISOString()).toBe(older);
  });

  it("two workers at once never process the same event twice", async () => {
    for (let i = 0; i < 20; i++) await deliver(legacy(DEFAULT_REALM, String(1000 + i)));
    await requeueAll();
    const seen: number[] = [];
    const processor = async (_tx: unknown, events: Array<{ id: number }>) => {
      seen.push(...events.map((e) => e.id));
    };
    const [a, b] = await Promise.all([processPendingWebhookEvents({ processor }), processPendingWebhookEvents({ processor })]);
    expect(a.processed + b.processed).toBe(20);
    expect(new Set(seen).size).toBe(seen.length);
    expect(await db().select().from(webhookEvents).where(eq(webhookEvents.status, "processed"))).toHaveLength(20);
  });
});
