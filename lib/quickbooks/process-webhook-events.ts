import "server-only";
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import { db, type Transaction } from "@/db";
import { quickbooksChanges, quickbooksConnections, webhookEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { recordProcessingError, recordWebhookDelays } from "@/lib/metrics/record";

/** Attempts before an event is dead-lettered, and the backoff between them. */
export const MAX_WEBHOOK_ATTEMPTS = 5;
const LEASE_MS = 5 * 60 * 1000;
export function webhookRetryDelayMs(attempts: number): number {
  return Math.min(60 * 60 * 1000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

type EventRow = typeof webhookEvents.$inferSelect;
/** What processing does with events, in one transaction; injectable so tests can make it fail. */
export type EventProcessor = (tx: Transaction, events: EventRow[]) => Promise<void>;

/**
 * Records the changed entities for their tenants, ready for sync, and moves each tenant's "last change seen"
 * forward: one multi-row insert and one update per batch, whatever its size. Both writes are idempotent, so an
 * event processed twice (a crash between the work and its bookkeeping) is harmless.
 */
export const recordChanges: EventProcessor = async (tx, events) => {
  const owned = events.filter((e): e is EventRow & { tenantId: string } => e.tenantId !== null);
  if (owned.length === 0) return;
  const changedAt = (e: EventRow) => e.occurredAt ?? e.receivedAt;
  await tx
    .insert(quickbooksChanges)
    .values(owned.map((e) => ({ tenantId: e.tenantId, realmId: e.realmId, entity: e.entity, entityId: e.entityId, operation: e.operation, changedAt: changedAt(e), source: "webhook" as const })))
    .onConflictDoNothing();
  const latest = new Map<string, { tenantId: string; realmId: string; at: Date }>();
  for (const e of owned) {
    const key = `${e.tenantId}|${e.realmId}`;
    const seen = latest.get(key);
    if (!seen || changedAt(e) > seen.at) latest.set(key, { tenantId: e.tenantId, realmId: e.realmId, at: changedAt(e) });
  }
  const rows = [...latest.values()].map((l) => ({ tenant_id: l.tenantId, realm_id: l.realmId, at: l.at.toISOString() }));
  await tx.execute(sql`
    update ${quickbooksConnections} c set last_change_seen_at = greatest(c.last_change_seen_at, x.at)
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(tenant_id uuid, realm_id text, at timestamptz)
    where c.tenant_id = x.tenant_id and c.realm_id = x.realm_id`);
};

/**
 * One pass of the webhook queue. Events are claimed with FOR UPDATE SKIP LOCKED and leased (their next attempt
 * pushed 5 minutes ahead) so several instances share the work without taking the same event. The claimed batch is
 * processed and marked done in ONE transaction: a handful of statements for hundreds of events, so processing keeps
 * up with ingestion. If the batch fails, each event is tried on its own, so one bad event cannot hold back the rest:
 * a failure is retried with backoff, and after MAX_WEBHOOK_ATTEMPTS the event is dead-lettered for the console's
 * "Retry". A process killed mid-pass leaves its events leased; another pass takes them once the lease is over.
 */
export async function processPendingWebhookEvents(options: { now?: Date; limit?: number; processor?: EventProcessor } = {}) {
  const now = options.now ?? new Date();
  const processor = options.processor ?? recordChanges;
  const claimed = await db().transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(webhookEvents)
      .where(and(eq(webhookEvents.status, "pending"), lte(webhookEvents.nextAttemptAt, now)))
      .orderBy(asc(webhookEvents.id))
      .limit(options.limit ?? 500)
      .for("update", { skipLocked: true });
    if (rows.length === 0) return rows;
    await tx
      .update(webhookEvents)
      .set({ attempts: sql`${webhookEvents.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
      .where(inArray(webhookEvents.id, rows.map((r) => r.id)));
    return rows.map((r) => ({ ...r, attempts: r.attempts + 1 }));
  });

  const outcome = { processed: 0, retried: 0, dead: 0 };
  const health = new WebhookBatchHealth();
  const processAndMarkDone = (events: EventRow[]) =>
    db().transaction(async (tx) => {
      await processor(tx, events);
      await tx.update(webhookEvents).set({ status: "processed", processedAt: new Date(), lastError: null }).where(inArray(webhookEvents.id, events.map((e) => e.id)));
    });
  const succeeded = (events: EventRow[]) => {
    outcome.processed += events.length;
    for (const event of events) health.processed(event);
  };

  if (claimed.length > 0) {
    try {
      await processAndMarkDone(claimed);
      succeeded(claimed);
    } catch {
      for (const event of claimed) {
        try {
          await processAndMarkDone([event]);
          succeeded([event]);
        } catch (error) {
          const message = error instanceof Error ? error.message.slice(0, 300) : "processing failed";
          const dead = event.attempts >= MAX_WEBHOOK_ATTEMPTS;
          await db()
            .update(webhookEvents)
            .set(dead ? { status: "dead", lastError: message } : { lastError: message, nextAttemptAt: new Date(now.getTime() + webhookRetryDelayMs(event.attempts)) })
            .where(eq(webhookEvents.id, event.id));
          outcome[dead ? "dead" : "retried"]++;
          health.failed(event, dead);
        }
      }
    }
  }
  await health.record();
  return outcome;
}

/**
 * The batch's health metrics, per tenant: the delays (event time to receipt) of the events processed, in one upsert,
 * and the failed attempts by kind ("webhook_retry", or "webhook_dead" when the event was dead-lettered). Each event
 * counts its delay once, when it is processed. Written after the batch, never inside a transaction.
 */
class WebhookBatchHealth {
  private readonly delays = new Map<string, number[]>();
  private readonly errors = new Map<string, number>();

  processed(event: EventRow): void {
    if (!event.tenantId || event.delayMs === null) return;
    const delays = this.delays.get(event.tenantId) ?? [];
    delays.push(event.delayMs);
    this.delays.set(event.tenantId, delays);
  }

  failed(event: EventRow, dead: boolean): void {
    if (!event.tenantId) return;
    const key = `${event.tenantId}|${dead ? "webhook_dead" : "webhook_retry"}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  async record(): Promise<void> {
    for (const [tenantId, delaysMs] of this.delays) await recordWebhookDelays({ tenantId, delaysMs });
    for (const [key, count] of this.errors) {
      const [tenantId, kind] = key.split("|") as [string, string];
      await recordProcessingError({ tenantId, kind, count });
    }
  }
}

/** "Retry" on the console: dead events of the tenant go back to the queue with fresh attempts. */
export async function retryDeadWebhookEvents(tenantId: string, actorUserId: string | null = null): Promise<number> {
  return db().transaction(async (tx) => {
    const revived = await tx
      .update(webhookEvents)
      .set({ status: "pending", attempts: 0, nextAttemptAt: new Date(), lastError: null })
      .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")))
      .returning({ id: webhookEvents.id });
    await recordAudit(tx, { tenantId, actorUserId, action: "webhooks.retried", target: "webhook_events", outcome: "success", details: { requeued: revived.length } });
    return revived.length;
  });
}
