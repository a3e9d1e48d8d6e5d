import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { webhookDeliveries, webhookEvents } from "@/db/schema";

/** A body refused for its size is logged like any rejected delivery: without its content. */
export async function recordOversizedDelivery(contentType: string | null): Promise<void> {
  await db()
    .insert(webhookDeliveries)
    .values({ status: "too_large", httpStatus: 413, signature: "not_checked", contentType: contentType?.slice(0, 100) ?? null, bodyBytes: 0, error: "body over the size limit" });
}

export async function deadWebhookEvents(tenantId: string, limit = 100) {
  return db()
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")))
    .orderBy(desc(webhookEvents.receivedAt))
    .limit(limit);
}
