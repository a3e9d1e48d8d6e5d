import "server-only";
import { and, desc, eq, gte, sql } from "drizzle-orm";
import { db } from "@/db";
import { webhookDeliveries, webhookEvents } from "@/db/schema";

/** A body refused for its size is logged like any rejected delivery: without its content. */
export async function recordOversizedDelivery(contentType: string | null): Promise<void> {
  await db()
    .insert(webhookDeliveries)
    .values({ status: "too_large", httpStatus: 413, signature: "not_checked", contentType: contentType?.slice(0, 100) ?? null, bodyBytes: 0, error: "body over the size limit" });
}

/** Median and 95th percentile delay between an event's time and its receipt, over the last 24 hours. */
export async function webhookDelayStats(tenantId: string, now = new Date()) {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const [row] = await db()
    .select({
      events: sql<number>`count(${webhookEvents.delayMs})::int`,
      p50: sql<number | null>`percentile_cont(0.5) within group (order by ${webhookEvents.delayMs})`,
      p95: sql<number | null>`percentile_cont(0.95) within group (order by ${webhookEvents.delayMs})`,
    })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), gte(webhookEvents.receivedAt, since)));
  return { events: row?.events ?? 0, p50Ms: row?.p50 === null || row?.p50 === undefined ? null : Math.round(Number(row.p50)), p95Ms: row?.p95 === null || row?.p95 === undefined ? null : Math.round(Number(row.p95)) };
}

/** Webhook health for readiness: signature failures (platform-wide: the verifier token is shared) and dead events. */
export async function webhookHealth(tenantId: string, now = new Date()) {
  const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const [failures] = await db()
    .select({ count: sql<number>`count(*)::int` })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "rejected_signature"), gte(webhookDeliveries.receivedAt, since)));
  const [dead] = await db()
    .select({ count: sql<number>`count(*)::int` })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")));
  return { signatureFailures: failures?.count ?? 0, deadLetters: dead?.count ?? 0 };
}

export async function deadWebhookEvents(tenantId: string, limit = 100) {
  return db()
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")))
    .orderBy(desc(webhookEvents.receivedAt))
    .limit(limit);
}
