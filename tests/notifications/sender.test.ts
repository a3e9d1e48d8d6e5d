// Issue 18: the outbox and the notification sender against a real database, the local mail catcher over SMTP and a
// receiver that verifies every delivery with the Standard Webhooks library itself. An event is written in the
// transaction of its change (a rolled-back change sends nothing), survives a sender that dies after claiming it, goes
// out once, is retried with backoff until the last attempt, and honours each member's email preferences.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/db";
import { notificationAttempts, notificationDeliveries, notificationEvents, notificationPreferences, notificationReads, quickbooksConnections, users, webhookEndpoints } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { resetMailTransportForTests } from "@/lib/notifications/email/send-email";
import { createEndpoint, sendTestEvent } from "@/lib/notifications/endpoints";
import { listInbox, markRead } from "@/lib/notifications/inbox";
import { maxAttempts } from "@/lib/notifications/rules/retry-schedule";
import { DELIVERY_LEASE_MS, dispatchEvents, runNotificationSender, sendDueDeliveries } from "@/lib/notifications/send-notifications";
import { setEmailPreference } from "@/lib/notifications/preferences";
import { renewTokenNow } from "@/lib/quickbooks/renew-token-now";
import { lockConnection, transitionConnection } from "@/lib/quickbooks/store/connections";
import { startMailCatcher, type MailCatcher } from "@/mocks/mail/catcher";
import { useIntuitMock } from "@/mocks/intuit/vitest";
import { connectTenant, DEFAULT_REALM, resetQuickBooksData } from "../connect-helper";
import { useTestDatabase } from "../database";

useTestDatabase();
const intuit = useIntuitMock();

let catcher: MailCatcher;
let receiver: Server;
let receiverUrl = "";
/** What the receiver saw: each delivery's id, whether the library verified it, and the status it answered. */
let received: { id: string; type: string; verified: boolean; status: number }[] = [];
let secret = "";
/** The status the receiver answers a verified delivery with (a failing endpoint answers 500). */
let answer = 200;

beforeAll(async () => {
  catcher = await startMailCatcher();
  process.env.SMTP_URL = catcher.smtpUrl;
  resetEnvForTests();
  resetMailTransportForTests();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let verified = false;
      let type = "";
      try {
        const payload = new Webhook(secret).verify(body, req.headers as Record<string, string>) as { type: string };
        verified = true;
        type = payload.type;
      } catch {
        verified = false;
      }
      const status = verified ? answer : 400;
      received.push({ id: String(req.headers["webhook-id"]), type, verified, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  resetEnvForTests();
  resetMailTransportForTests();
  await catcher.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

let acme = "";
let adminId = "";
beforeEach(async () => {
  const everything = sql`true`;
  await db().delete(notificationReads).where(everything);
  await db().delete(notificationEvents).where(everything);
  await db().delete(notificationPreferences).where(everything);
  await db().delete(webhookEndpoints).where(everything);
  await resetQuickBooksData();
  catcher.clear();
  received = [];
  answer = 200;
  const connected = await connectTenant("accountant@acme.test");
  acme = connected.tenantId;
  adminId = (await db().select().from(users).where(eq(users.email, "admin@acme.test")))[0]!.id;
  const created = await createEndpoint({ tenantId: acme, actorUserId: adminId, url: receiverUrl });
  secret = created.secret;
});

const events = (type: string) => db().select().from(notificationEvents).where(and(eq(notificationEvents.tenantId, acme), eq(notificationEvents.type, type)));
const mailTo = (address: string, subject: RegExp) => catcher.messages().filter((m) => m.to.includes(address) && subject.test(m.subject));

describe("the outbox", () => {
  it("is written by the change's own transaction: a rolled-back move sends nothing, a committed one is sent once to each recipient", async () => {
    // Connecting committed one event, connection.connected.
    expect(await events("connection.connected")).toHaveLength(1);

    // A move that rolls back leaves no event behind.
    await expect(
      db().transaction(async (tx) => {
        const row = await lockConnection(tx, acme, "sandbox");
        await transitionConnection(tx, row!, "reauthorization_required", "grant_refused", { at: new Date(), actor: { userId: null } });
        throw new Error("rolled back after the move");
      }),
    ).rejects.toThrow("rolled back");
    expect(await events("connection.reauthorization_required")).toHaveLength(0);

    // The real thing: QuickBooks revokes the grant, the next renewal is refused.
    intuit.emulator.revokeGrant(DEFAULT_REALM);
    await renewTokenNow({ tenantId: acme, actorUserId: null }).catch(() => undefined);
    expect(await events("connection.reauthorization_required")).toHaveLength(1);

    await runNotificationSender();
    // Email: the accountant and the admin can reconnect; the auditor cannot, and gets none.
    const reconnect = /QuickBooks needs to be reconnected/;
    expect(mailTo("accountant@acme.test", reconnect)).toHaveLength(1);
    expect(mailTo("admin@acme.test", reconnect)).toHaveLength(1);
    expect(mailTo("auditor@acme.test", reconnect)).toHaveLength(0);
    const mail = mailTo("admin@acme.test", reconnect)[0]!;
    expect(mail.text).toContain("http://localhost:3000/integrations/quickbooks");
    // Webhook: both events, each verified by the library, each once.
    expect(received.map((r) => [r.type, r.verified])).toEqual([
      ["connection.connected", true],
      ["connection.reauthorization_required", true],
    ]);

    // A second pass sends nothing again.
    await runNotificationSender();
    expect(mailTo("admin@acme.test", reconnect)).toHaveLength(1);
    expect(received).toHaveLength(2);

    // The inbox shows it to every member, with the button only for those who can act.
    const auditorId = (await db().select().from(users).where(eq(users.email, "auditor@acme.test")))[0]!.id;
    const inbox = await listInbox({ tenantId: acme, userId: auditorId, role: "auditor" });
    expect(inbox.unread).toBe(2);
    expect(inbox.items[0]).toMatchObject({ type: "connection.reauthorization_required", canAct: false, read: false });
    expect(await markRead({ tenantId: acme, userId: auditorId, ids: [inbox.items[0]!.id] })).toEqual({ unread: 1 });

    // Reconnecting says "recovered", once.
    await connectTenant("accountant@acme.test");
    expect(await events("connection.recovered")).toHaveLength(1);
    expect(await events("connection.connected")).toHaveLength(1);
    // Starting the reconnect kept the status (reauthorization_required): no second "needs to be reconnected".
    expect(await events("connection.reauthorization_required")).toHaveLength(1);
  });

  it("survives a sender that dies after claiming a delivery: the next sender sends it once the lease ends", async () => {
    await dispatchEvents();
    // A sender claims the webhook delivery, then dies before sending (its lease is all that is left of it).
    const start = new Date();
    const [claimed] = await db()
      .update(notificationDeliveries)
      .set({ leaseUntil: new Date(start.getTime() + DELIVERY_LEASE_MS), attempts: 1 })
      .where(and(eq(notificationDeliveries.tenantId, acme), eq(notificationDeliveries.channel, "webhook")))
      .returning();
    expect(claimed).toBeDefined();

    // Another sender meanwhile leaves it alone: the lease holds.
    await sendDueDeliveries(new Date(start.getTime() + 1_000));
    expect(received).toHaveLength(0);

    // After the lease, it goes out, once.
    await sendDueDeliveries(new Date(start.getTime() + DELIVERY_LEASE_MS + 1_000));
    await sendDueDeliveries(new Date(start.getTime() + DELIVERY_LEASE_MS + 2_000));
    expect(received.map((r) => r.id)).toEqual([`msg_${claimed!.id}`]);
    const [after] = await db().select().from(notificationDeliveries).where(eq(notificationDeliveries.id, claimed!.id));
    expect(after).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("retries a failing endpoint with backoff, and stops at the last attempt", async () => {
    answer = 500;
    await dispatchEvents();
    let now = new Date();
    for (let i = 0; i < maxAttempts("webhook") + 2; i++) {
      await sendDueDeliveries(now);
      now = new Date(now.getTime() + 16 * 3600 * 1000);
    }
    expect(received).toHaveLength(maxAttempts("webhook"));
    expect(received.every((r) => r.verified && r.status === 500)).toBe(true);
    const [delivery] = await db().select().from(notificationDeliveries).where(and(eq(notificationDeliveries.tenantId, acme), eq(notificationDeliveries.channel, "webhook")));
    expect(delivery).toMatchObject({ status: "failed", attempts: maxAttempts("webhook") });
    const attempts = await db().select().from(notificationAttempts).where(eq(notificationAttempts.deliveryId, delivery!.id));
    expect(attempts.map((a) => a.httpStatus)).toEqual(Array(maxAttempts("webhook")).fill(500));
  });

  it("tries a test event once, to its endpoint alone, whatever it answered", async () => {
    answer = 500;
    const [endpoint] = await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, acme));
    const { deliveryId } = await sendTestEvent({ tenantId: acme, actorUserId: adminId, endpointId: endpoint!.id });
    let now = new Date();
    for (let i = 0; i < 3; i++) {
      await sendDueDeliveries(now);
      now = new Date(now.getTime() + 16 * 3600 * 1000);
    }
    expect(received.filter((r) => r.type === "endpoint.test")).toHaveLength(1);
    const [delivery] = await db().select().from(notificationDeliveries).where(eq(notificationDeliveries.id, deliveryId));
    expect(delivery).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("honours each member's email preferences", async () => {
    await setEmailPreference({ tenantId: acme, userId: adminId, role: "admin", eventType: "connection.disconnected", email: false });
    await expect(setEmailPreference({ tenantId: acme, userId: adminId, role: "auditor", eventType: "connection.disconnected", email: false })).rejects.toMatchObject({ code: "unknown_event_type" });
    await db().transaction(async (tx) => {
      const row = await lockConnection(tx, acme, "sandbox");
      await transitionConnection(tx, row!, "disconnected", "disconnected", { at: new Date(), actor: { userId: adminId }, changes: { realmId: null } });
    });
    await runNotificationSender();
    const disconnected = /QuickBooks was disconnected/;
    expect(mailTo("admin@acme.test", disconnected)).toHaveLength(0);
    expect(mailTo("accountant@acme.test", disconnected)).toHaveLength(1);
    expect(mailTo("accountant@acme.test", disconnected)[0]!.text).toContain("disconnected in the console");
    // Still in everyone's inbox, and still posted.
    expect(received.map((r) => r.type)).toContain("connection.disconnected");
    await db().delete(quickbooksConnections).where(eq(quickbooksConnections.tenantId, acme));
  });
});
