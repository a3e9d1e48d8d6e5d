import "server-only";
import { and, eq, inArray, notInArray } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections, webhookDeliveries, webhookEvents } from "@/db/schema";
import { env } from "@/lib/env";
import { readWebhookPayload, WebhookPayloadError, type WebhookEvent } from "@/lib/intuit/webhook-payload";
import { verifyWebhookSignature } from "@/lib/intuit/webhook-signature";

/** Intuit's deliveries hold at most 100 events; 1 MB leaves room and stops abuse. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

type DeliveryRow = typeof webhookDeliveries.$inferInsert;

export interface WebhookAnswer {
  status: number;
  body: { received: number; stored: number } | { error: { code: string; message: string } };
  /** Whether accepted events wait for processing (the route starts it after answering). */
  enqueued: boolean;
}

const refuse = (status: number, code: string, message: string): WebhookAnswer => ({ status, body: { error: { code, message } }, enqueued: false });

/**
 * Receives one webhook delivery: checks the signature over the raw bytes before anything is parsed, then stores
 * each event once. Processing happens later (processPendingWebhookEvents), never before the answer, so Intuit gets
 * its 200 well within 3 seconds and a processing failure can never turn into a non-200 answer.
 */
export async function receiveWebhook(input: { body: Uint8Array; signature: string | null; contentType: string | null; receivedAt?: Date }): Promise<WebhookAnswer> {
  const receivedAt = input.receivedAt ?? new Date();
  const logRejected = (row: Omit<DeliveryRow, "bodyBytes" | "receivedAt" | "contentType">) =>
    db()
      .insert(webhookDeliveries)
      .values({ ...row, bodyBytes: input.body.byteLength, receivedAt, contentType: input.contentType?.slice(0, 100) ?? null });

  const verifierToken = env().intuit.webhookVerifierToken;
  if (!verifierToken) {
    await logRejected({ status: "not_configured", httpStatus: 503, signature: "not_checked", error: "INTUIT_WEBHOOK_VERIFIER_TOKEN is not set" });
    return refuse(503, "webhooks_not_configured", "Webhooks are not configured: set INTUIT_WEBHOOK_VERIFIER_TOKEN to the verifier token from Intuit's developer portal.");
  }
  if (!input.signature || !verifyWebhookSignature(input.body, input.signature, verifierToken)) {
    await logRejected({ status: "rejected_signature", httpStatus: 401, signature: input.signature ? "invalid" : "missing" });
    return refuse(401, "invalid_signature", "The intuit-signature header is missing or does not match the body.");
  }
  if (!/json/i.test(input.contentType ?? "")) {
    await logRejected({ status: "unsupported_media_type", httpStatus: 415, signature: "valid", error: `content type ${input.contentType ?? "none"}` });
    return refuse(415, "unsupported_media_type", "Webhook bodies must be application/json or application/cloudevents+json.");
  }

  let payload: ReturnType<typeof readWebhookPayload>;
  try {
    payload = readWebhookPayload(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(input.body)));
  } catch (error) {
    const message = error instanceof WebhookPayloadError ? error.message : "The body is not valid JSON.";
    await logRejected({ status: "malformed", httpStatus: 400, signature: "valid", error: message.slice(0, 300) });
    return refuse(400, "malformed_payload", message);
  }

  const stored = await storeDelivery(payload.format, payload.events, input, receivedAt);
  return { status: 200, body: { received: payload.events.length, stored }, enqueued: stored > 0 };
}

async function storeDelivery(format: string, events: WebhookEvent[], input: { body: Uint8Array; contentType: string | null }, receivedAt: Date): Promise<number> {
  const realmIds = [...new Set(events.map((e) => e.realmId))];
  // Deliveries for an unknown or disconnected company are acknowledged and logged, but not processed.
  const holders = realmIds.length
    ? await db()
        .select({ realmId: quickbooksConnections.realmId, tenantId: quickbooksConnections.tenantId })
        .from(quickbooksConnections)
        .where(and(inArray(quickbooksConnections.realmId, realmIds), notInArray(quickbooksConnections.status, ["disconnected", "not_connected", "authorizing"])))
    : [];
  const tenantOf = new Map(holders.map((h) => [h.realmId, h.tenantId]));
  const delayOf = (e: WebhookEvent) => (e.occurredAt ? Math.max(0, receivedAt.getTime() - e.occurredAt.getTime()) : null);
  const delays = events.map(delayOf).filter((d): d is number => d !== null);

  return db().transaction(async (tx) => {
    const [delivery] = await tx
      .insert(webhookDeliveries)
      .values({
        receivedAt,
        status: "accepted",
        httpStatus: 200,
        signature: "valid",
        format,
        contentType: input.contentType?.slice(0, 100) ?? null,
        bodyBytes: input.body.byteLength,
        eventCount: events.length,
        realmIds,
        tenantIds: [...new Set(holders.map((h) => h.tenantId))],
        maxDelayMs: delays.length ? Math.max(...delays) : null,
      })
      .returning({ id: webhookDeliveries.id });
    if (events.length === 0) return 0;
    const inserted = await tx
      .insert(webhookEvents)
      .values(
        events.map((e) => {
          const tenantId = tenantOf.get(e.realmId) ?? null;
          return {
            eventKey: e.key,
            deliveryId: delivery!.id,
            realmId: e.realmId,
            tenantId,
            entity: e.entity,
            entityId: e.entityId,
            operation: e.operation,
            occurredAt: e.occurredAt,
            receivedAt,
            delayMs: delayOf(e),
            status: tenantId ? ("pending" as const) : ("ignored" as const),
          };
        }),
      )
      .onConflictDoNothing({ target: webhookEvents.eventKey })
      .returning({ id: webhookEvents.id });
    await tx.update(webhookDeliveries).set({ newEventCount: inserted.length }).where(eq(webhookDeliveries.id, delivery!.id));
    return inserted.length;
  });
}
