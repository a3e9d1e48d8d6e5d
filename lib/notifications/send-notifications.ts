import "server-only";
import { and, asc, eq, inArray, isNull, lte, or, sql } from "drizzle-orm";
import { db } from "@/db";
import { memberships, notificationAttempts, notificationDeliveries, notificationEvents, notificationPreferences, tenants, users, webhookEndpoints } from "@/db/schema";
import { can } from "@/lib/auth/permissions";
import { describeError } from "@/lib/describe-error";
import { env } from "@/lib/env";
import { renderNotificationEmail } from "./email/render";
import { EmailSendError, sendEmail } from "./email/send-email";
import { isEventType, permissionFor, TEST_EVENT_TYPE, type EventData, type EventType } from "./events";
import { signingSecretsOf } from "./store/endpoint-secrets";
import { maxAttempts, nextAttemptAt, type Channel } from "./rules/retry-schedule";
import { postWebhook } from "./webhooks/post-webhook";

// The notification sender: fans each outbox event out into deliveries (an email to each member who can act on it and
// has not turned that kind off, a POST to each of the tenant's endpoints that wants it), then sends the deliveries that
// are due, each under a lease: a sender that dies mid-send leaves its delivery to the next one once the lease ends, so
// a message committed to the outbox goes out even across a crash. Attempts are logged; failures back off
// (rules/retry-schedule.ts) until the last, which marks the delivery failed.

/** Events fanned out per pass, and deliveries claimed per pass. */
const DISPATCH_BATCH = 100;
const SEND_BATCH = 20;
/** How long a sender holds a delivery it claimed: longer than an SMTP or HTTP attempt can take. */
export const DELIVERY_LEASE_MS = 60_000;

export interface SenderPass {
  dispatched: number;
  sent: number;
  failed: number;
  retrying: number;
}

/** One pass of the sender: fan out what is new, send what is due. */
export async function runNotificationSender(now = new Date()): Promise<SenderPass> {
  const dispatched = await dispatchEvents(now);
  const { sent, failed, retrying } = await sendDueDeliveries(now);
  return { dispatched, sent, failed, retrying };
}

/** Turns undispatched events into deliveries, in one transaction per batch (taken with skip locked: one sender each). */
export async function dispatchEvents(now = new Date()): Promise<number> {
  return db().transaction(async (tx) => {
    const events = await tx
      .select({ id: notificationEvents.id, tenantId: notificationEvents.tenantId, type: notificationEvents.type })
      .from(notificationEvents)
      .where(isNull(notificationEvents.dispatchedAt))
      .orderBy(asc(notificationEvents.id))
      .limit(DISPATCH_BATCH)
      .for("update", { skipLocked: true });
    if (events.length === 0) return 0;
    const tenantIds = [...new Set(events.map((e) => e.tenantId))];
    const [members, optedOut, endpoints] = await Promise.all([
      tx.select({ tenantId: memberships.tenantId, userId: memberships.userId, role: memberships.role }).from(memberships).where(inArray(memberships.tenantId, tenantIds)),
      tx
        .select({ userId: notificationPreferences.userId, tenantId: notificationPreferences.tenantId, eventType: notificationPreferences.eventType })
        .from(notificationPreferences)
        .where(and(inArray(notificationPreferences.tenantId, tenantIds), eq(notificationPreferences.email, false))),
      tx
        .select({ id: webhookEndpoints.id, tenantId: webhookEndpoints.tenantId, eventTypes: webhookEndpoints.eventTypes })
        .from(webhookEndpoints)
        .where(and(inArray(webhookEndpoints.tenantId, tenantIds), eq(webhookEndpoints.enabled, true))),
    ]);
    const off = new Set(optedOut.map((p) => `${p.userId}:${p.tenantId}:${p.eventType}`));
    // No SMTP server configured (production without SMTP_URL): no email, which the notifications page says.
    const emailing = env().mail.smtpUrl !== null;
    const rows: (typeof notificationDeliveries.$inferInsert)[] = [];
    for (const event of events) {
      // Unknown types (a newer version's, or the endpoint test, which is sent directly) fan out to no one.
      if (!isEventType(event.type)) continue;
      const permission = permissionFor(event.type);
      for (const m of emailing ? members : []) {
        if (m.tenantId !== event.tenantId || !can(m.role, permission) || off.has(`${m.userId}:${m.tenantId}:${event.type}`)) continue;
        rows.push({ eventId: event.id, tenantId: event.tenantId, channel: "email", userId: m.userId, nextAttemptAt: now });
      }
      for (const endpoint of endpoints) {
        if (endpoint.tenantId !== event.tenantId || (endpoint.eventTypes.length > 0 && !endpoint.eventTypes.includes(event.type))) continue;
        rows.push({ eventId: event.id, tenantId: event.tenantId, channel: "webhook", endpointId: endpoint.id, nextAttemptAt: now });
      }
    }
    if (rows.length > 0) await tx.insert(notificationDeliveries).values(rows).onConflictDoNothing();
    await tx
      .update(notificationEvents)
      .set({ dispatchedAt: now })
      .where(inArray(notificationEvents.id, events.map((e) => e.id)));
    return events.length;
  });
}

type Claimed = typeof notificationDeliveries.$inferSelect;

/** Claims the deliveries that are due (and any whose sender's lease ran out), sends each, and records the outcome. */
export async function sendDueDeliveries(now = new Date()): Promise<Omit<SenderPass, "dispatched">> {
  const d = notificationDeliveries;
  const due = db()
    .select({ id: d.id })
    .from(d)
    .where(and(eq(d.status, "pending"), lte(d.nextAttemptAt, now), or(isNull(d.leaseUntil), lte(d.leaseUntil, now))))
    // Oldest first, and in the order the events happened when they are due together.
    .orderBy(asc(d.nextAttemptAt), asc(d.id))
    .limit(SEND_BATCH)
    .for("update", { skipLocked: true });
  const claimed: Claimed[] = await db()
    .update(d)
    .set({ leaseUntil: new Date(now.getTime() + DELIVERY_LEASE_MS), attempts: sql`${d.attempts} + 1` })
    .where(inArray(d.id, due))
    .returning();
  const result = { sent: 0, failed: 0, retrying: 0 };
  // RETURNING keeps no order: send in the claim's.
  claimed.sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  for (const delivery of claimed) {
    const outcome = await attempt(delivery);
    const status = await record(delivery, outcome, new Date());
    if (status === "sent") result.sent++;
    else if (status === "failed") result.failed++;
    else result.retrying++;
  }
  return result;
}

interface Outcome {
  ok: boolean;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  /** No further attempt: trying again cannot help (the SMTP server refused the message for good), or a test event. */
  permanent?: boolean;
}

/** One try of one delivery. Never throws: a problem is an outcome. */
async function attempt(delivery: Claimed): Promise<Outcome> {
  const started = Date.now();
  // A test event is tried once: its result is what the person who sent it wants to see.
  let once = false;
  try {
    const [event] = await db()
      .select({ event: notificationEvents, tenantName: tenants.name })
      .from(notificationEvents)
      .innerJoin(tenants, eq(tenants.id, notificationEvents.tenantId))
      .where(eq(notificationEvents.id, delivery.eventId));
    if (!event) return { ok: false, httpStatus: null, durationMs: 0, error: "The event is gone." };
    once = event.event.type === TEST_EVENT_TYPE;
    const outcome = delivery.channel === "email" ? await attemptEmail(delivery, event.event, event.tenantName) : await attemptWebhook(delivery, event.event, event.tenantName);
    return once ? { ...outcome, permanent: true } : outcome;
  } catch (error) {
    return { ok: false, httpStatus: null, durationMs: Date.now() - started, error: describeError(error), permanent: once || (error instanceof EmailSendError && error.permanent) };
  }
}

async function attemptEmail(delivery: Claimed, event: typeof notificationEvents.$inferSelect, tenantName: string): Promise<Outcome> {
  const started = Date.now();
  const [user] = await db().select({ email: users.email, name: users.name }).from(users).where(eq(users.id, delivery.userId!));
  if (!user) return { ok: false, httpStatus: null, durationMs: 0, error: "The recipient is no longer a user." };
  if (!isEventType(event.type)) return { ok: false, httpStatus: null, durationMs: 0, error: `Unknown event type ${event.type}.` };
  const message = renderNotificationEmail({
    type: event.type,
    data: event.data as EventData[EventType],
    tenantName,
    appUrl: env().appUrl,
    recipientName: user.name,
    eventId: event.id,
    occurredAt: event.occurredAt,
  });
  await sendEmail({ to: user.email, ...message, messageId: `notification-${delivery.id}` });
  return { ok: true, httpStatus: null, durationMs: Date.now() - started, error: null };
}

async function attemptWebhook(delivery: Claimed, event: typeof notificationEvents.$inferSelect, tenantName: string): Promise<Outcome> {
  const [endpoint] = await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.id, delivery.endpointId!));
  if (!endpoint) return { ok: false, httpStatus: null, durationMs: 0, error: "The endpoint was deleted." };
  const secrets = signingSecretsOf(endpoint);
  const id = `msg_${delivery.id}`;
  return postWebhook({
    url: endpoint.url,
    secrets,
    id,
    timestamp: new Date(),
    payload: { id, type: event.type, version: event.version, timestamp: event.occurredAt.toISOString(), tenant: { id: event.tenantId, name: tenantName }, data: event.data },
    production: env().webhooksPublicOnly,
  });
}

/** Stores the attempt and what follows: sent, another try later, or failed for good. Returns the new status. */
async function record(delivery: Claimed, outcome: Outcome, now: Date): Promise<"sent" | "pending" | "failed"> {
  const channel = delivery.channel as Channel;
  const next = outcome.ok || outcome.permanent ? null : nextAttemptAt(channel, delivery.attempts, now);
  const status = outcome.ok ? "sent" : next && delivery.attempts < maxAttempts(channel) ? "pending" : "failed";
  await db().transaction(async (tx) => {
    await tx.insert(notificationAttempts).values({ deliveryId: delivery.id, attempt: delivery.attempts, at: now, httpStatus: outcome.httpStatus, durationMs: outcome.durationMs, ok: outcome.ok, error: outcome.error });
    await tx
      .update(notificationDeliveries)
      .set({ status, leaseUntil: null, lastError: outcome.error, sentAt: outcome.ok ? now : null, ...(status === "pending" ? { nextAttemptAt: next! } : {}) })
      .where(eq(notificationDeliveries.id, delivery.id));
  });
  return status;
}
