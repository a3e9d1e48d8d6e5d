import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { z } from "zod";
import { db, type Transaction } from "@/db";
import { notificationAttempts, notificationDeliveries, notificationEvents, webhookEndpoints } from "@/db/schema";
import { recordAudit, type AuditDetails, type RequestMeta } from "@/lib/audit/record";
import { tokenCipher } from "@/lib/crypto/cipher";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { TEST_EVENT_TYPE, type EventType } from "./events";
import type { endpointInput, endpointPatch } from "./inputs";
import { checkEndpointUrl } from "./webhooks/address-rules";
import { newEndpointSecret } from "./webhooks/signing";

// The tenant's outbound webhook endpoints (admins): AWRA's own systems register a URL and the event types they want;
// deliveries are signed with the endpoint's secret (Standard Webhooks), which is shown once, when it is made or rotated.
// A rotation keeps the previous secret signing beside the new one for a day, so receivers can switch without a gap.

/** How long a rotated-out secret still signs deliveries beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** Endpoints a tenant may register. */
export const MAX_ENDPOINTS = 10;


export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  eventTypes: EventType[];
  enabled: boolean;
  /** A rotated-out secret still signs until then. */
  previousSecretUntil: Date | null;
  createdAt: Date;
}

export const endpointNotFound = () => new AppError("endpoint_not_found", 404, "That webhook endpoint does not exist (it may have been deleted). Reload the page.");

function validUrl(url: string): string {
  const checked = checkEndpointUrl(url, { production: env().webhooksPublicOnly });
  if (!checked.ok) throw new AppError("invalid_endpoint_url", 422, checked.reason);
  return checked.url.href;
}

const view = (row: typeof webhookEndpoints.$inferSelect): EndpointView => ({
  id: row.id,
  url: row.url,
  description: row.description,
  eventTypes: row.eventTypes as EventType[],
  enabled: row.enabled,
  previousSecretUntil: row.previousSecretUntil && row.previousSecretUntil > new Date() ? row.previousSecretUntil : null,
  createdAt: row.createdAt,
});

export async function listEndpoints(tenantId: string): Promise<EndpointView[]> {
  const rows = await db().select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)).orderBy(webhookEndpoints.createdAt);
  return rows.map(view);
}

interface Acting {
  tenantId: string;
  actorUserId: string;
  meta?: RequestMeta;
}

/** Registers an endpoint; answers its secret, this once. */
export async function createEndpoint(input: Acting & z.infer<typeof endpointInput>): Promise<{ endpoint: EndpointView; secret: string }> {
  const url = validUrl(input.url);
  const secret = newEndpointSecret();
  return db().transaction(async (tx) => {
    const existing = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, input.tenantId));
    if (existing.length >= MAX_ENDPOINTS) throw new AppError("too_many_endpoints", 409, `A tenant may register ${MAX_ENDPOINTS} endpoints. Delete one you no longer use first.`);
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ tenantId: input.tenantId, url, description: input.description || null, eventTypes: input.eventTypes ?? [], enabled: input.enabled ?? true, secretEnc: tokenCipher().encrypt(secret), createdByUserId: input.actorUserId })
      .returning();
    await audit(tx, input, "notifications.endpoint_created", row!.id, { url, eventTypes: row!.eventTypes.join(",") || "all" });
    return { endpoint: view(row!), secret };
  });
}

export async function updateEndpoint(input: Acting & { endpointId: string; patch: z.infer<typeof endpointPatch> }): Promise<EndpointView> {
  const { patch } = input;
  const changes = {
    ...(patch.url !== undefined ? { url: validUrl(patch.url) } : {}),
    ...(patch.description !== undefined ? { description: patch.description || null } : {}),
    ...(patch.eventTypes !== undefined ? { eventTypes: patch.eventTypes } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
  };
  return db().transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.tenantId, input.tenantId)))
      .returning();
    if (!row) throw endpointNotFound();
    await audit(tx, input, "notifications.endpoint_changed", row.id, {
      url: changes.url ?? null,
      enabled: changes.enabled ?? null,
      eventTypes: changes.eventTypes ? changes.eventTypes.join(",") || "all" : null,
    });
    return view(row);
  });
}

export async function deleteEndpoint(input: Acting & { endpointId: string }): Promise<void> {
  await db().transaction(async (tx) => {
    const [row] = await tx
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.tenantId, input.tenantId)))
      .returning({ id: webhookEndpoints.id, url: webhookEndpoints.url });
    if (!row) throw endpointNotFound();
    await audit(tx, input, "notifications.endpoint_deleted", row.id, { url: row.url });
  });
}

/** A new secret, answered this once; the previous one keeps signing beside it for ROTATION_OVERLAP_MS. */
export async function rotateEndpointSecret(input: Acting & { endpointId: string }): Promise<{ endpoint: EndpointView; secret: string }> {
  const secret = newEndpointSecret();
  return db().transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.tenantId, input.tenantId)))
      .for("update");
    if (!current) throw endpointNotFound();
    const until = new Date(Date.now() + ROTATION_OVERLAP_MS);
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ secretEnc: tokenCipher().encrypt(secret), previousSecretEnc: current.secretEnc, previousSecretUntil: until, updatedAt: new Date() })
      .where(eq(webhookEndpoints.id, current.id))
      .returning();
    await audit(tx, input, "notifications.endpoint_secret_rotated", current.id, { previousSecretUntil: until.toISOString() });
    return { endpoint: view(row!), secret };
  });
}

/** Queues a test event to this endpoint only; the sender posts it within seconds and its attempt shows in the log. */
export async function sendTestEvent(input: Acting & { endpointId: string }): Promise<{ deliveryId: number }> {
  return db().transaction(async (tx) => {
    const [endpoint] = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.tenantId, input.tenantId)));
    if (!endpoint) throw endpointNotFound();
    const now = new Date();
    // Dispatched at once, to this endpoint alone: the fan-out never sees it.
    const [event] = await tx
      .insert(notificationEvents)
      .values({ tenantId: input.tenantId, type: TEST_EVENT_TYPE, version: 1, data: { endpointId: endpoint.id, message: "A test event sent from the QuickBooks Connect console." }, occurredAt: now, dispatchedAt: now })
      .returning({ id: notificationEvents.id });
    const [delivery] = await tx
      .insert(notificationDeliveries)
      .values({ eventId: event!.id, tenantId: input.tenantId, channel: "webhook", endpointId: endpoint.id, nextAttemptAt: now })
      .returning({ id: notificationDeliveries.id });
    await audit(tx, input, "notifications.endpoint_tested", endpoint.id, {});
    return { deliveryId: delivery!.id };
  });
}

export interface DeliveryLogRow {
  deliveryId: number;
  attempt: number;
  at: Date;
  eventType: string;
  httpStatus: number | null;
  durationMs: number;
  ok: boolean;
  error: string | null;
  /** The delivery's state now: sent, pending (another attempt is due) or failed (no attempt left). */
  status: string;
  nextAttemptAt: Date | null;
}

/** The endpoint's delivery log: every attempt, newest first. */
export async function listEndpointDeliveries(input: { tenantId: string; endpointId: string; limit?: number }): Promise<DeliveryLogRow[]> {
  const [endpoint] = await db()
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, input.endpointId), eq(webhookEndpoints.tenantId, input.tenantId)));
  if (!endpoint) throw endpointNotFound();
  const rows = await db()
    .select({
      deliveryId: notificationDeliveries.id,
      attempt: notificationAttempts.attempt,
      at: notificationAttempts.at,
      eventType: notificationEvents.type,
      httpStatus: notificationAttempts.httpStatus,
      durationMs: notificationAttempts.durationMs,
      ok: notificationAttempts.ok,
      error: notificationAttempts.error,
      status: notificationDeliveries.status,
      nextAttemptAt: notificationDeliveries.nextAttemptAt,
    })
    .from(notificationAttempts)
    .innerJoin(notificationDeliveries, eq(notificationDeliveries.id, notificationAttempts.deliveryId))
    .innerJoin(notificationEvents, eq(notificationEvents.id, notificationDeliveries.eventId))
    .where(and(eq(notificationDeliveries.endpointId, endpoint.id), eq(notificationDeliveries.tenantId, input.tenantId)))
    .orderBy(desc(notificationAttempts.id))
    .limit(Math.min(input.limit ?? 50, 200));
  return rows.map((r) => ({ ...r, nextAttemptAt: r.status === "pending" ? r.nextAttemptAt : null }));
}

type AuditAction = "notifications.endpoint_created" | "notifications.endpoint_changed" | "notifications.endpoint_deleted" | "notifications.endpoint_secret_rotated" | "notifications.endpoint_tested";

async function audit(tx: Transaction, input: Acting, action: AuditAction, endpointId: string, details: AuditDetails) {
  await recordAudit(tx, { tenantId: input.tenantId, actorUserId: input.actorUserId, action, target: `webhook_endpoint:${endpointId}`, outcome: "success", details, meta: input.meta });
}
