import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { webhookDeliveries, webhookEvents } from "@/db/schema";
import { countRepeat, foldKey } from "@/lib/logs/repeat-fold";

export interface RejectedDelivery {
  status: Exclude<(typeof webhookDeliveries.$inferInsert)["status"], "accepted">;
  httpStatus: number;
  /** "invalid", "missing", "valid" or "not_checked". */
  signature: string;
  error?: string | null;
  contentType: string | null;
  bodyBytes: number;
  receivedAt?: Date;
  /** The sender's address (lib/http/client-ip.ts): what a fold counts by. */
  sourceIp: string | null;
}

/**
 * A refused delivery, logged without its content, and folded (lib/logs/repeat-fold.ts): anyone can POST to the
 * endpoint, so the same refusal from the same source within the same 10 minutes counts on the first one's row
 * (repeat_count, last_seen_at) instead of adding rows. "The same" refusal: the same status, HTTP status and signature
 * verdict; not the content type, size or parse error, which the sender chooses. Accepted deliveries never come here:
 * their statement (receive-webhook.ts) is the ingestion hot path and is left as it is.
 */
export async function recordRejectedDelivery(delivery: RejectedDelivery): Promise<void> {
  const receivedAt = delivery.receivedAt ?? new Date();
  const key = foldKey("webhook", delivery.sourceIp, [delivery.status, delivery.httpStatus, delivery.signature], receivedAt);
  await db()
    .insert(webhookDeliveries)
    .values({
      status: delivery.status,
      httpStatus: delivery.httpStatus,
      signature: delivery.signature,
      error: delivery.error ?? null,
      contentType: delivery.contentType?.slice(0, 100) ?? null,
      bodyBytes: delivery.bodyBytes,
      receivedAt,
      sourceIp: delivery.sourceIp,
      foldKey: key,
    })
    .onConflictDoUpdate(countRepeat(webhookDeliveries, webhookDeliveries.receivedAt));
}

/** A body refused for its size is logged like any rejected delivery: without its content. */
export async function recordOversizedDelivery(contentType: string | null, sourceIp: string | null): Promise<void> {
  await recordRejectedDelivery({ status: "too_large", httpStatus: 413, signature: "not_checked", contentType, bodyBytes: 0, error: "body over the size limit", sourceIp });
}

export async function deadWebhookEvents(tenantId: string, limit = 100) {
  return db()
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")))
    .orderBy(desc(webhookEvents.receivedAt))
    .limit(limit);
}
