import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { db, type Transaction } from "@/db";
import { rowsOf } from "@/db/rows";
import { quickbooksChanges, quickbooksConnections, webhookEvents } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { recordProcessingError, recordWebhookDelays } from "@/lib/metrics/record";
import { emitEvent } from "@/lib/notifications/store/outbox";
import { requestCatchUp } from "./store/catch-up-requests";
import { describeError } from "@/lib/describe-error";

/** Attempts before an event is dead-lettered, and the backoff between them. */
export const MAX_WEBHOOK_ATTEMPTS = 5;
const LEASE_MS = 5 * 60 * 1000;
export function webhookRetryDelayMs(attempts: number): number {
  return Math.min(60 * 60 * 1000, 30_000 * 2 ** Math.max(0, attempts - 1));
}

/** What a pass knows of a claimed event; the work itself reads the events' rows in SQL. */
export interface ClaimedEvent {
  id: number;
  tenantId: string | null;
  entityId: string;
  delayMs: number | null;
  /** Attempts including this one. */
  attempts: number;
}
/** What processing does with events, in one transaction; injectable so tests can make it fail. */
export type EventProcessor = (tx: Transaction, events: ClaimedEvent[]) => Promise<void>;

/**
 * Records the changed entities for their tenants, ready for sync, and moves each tenant's "last change seen"
 * forward: two statements per batch, whatever its size, and the events' rows never leave the database. Both writes
 * are idempotent, so an event processed twice (a crash between the work and its bookkeeping) is harmless.
 */
export const recordChanges: EventProcessor = async (tx, events) => {
  const ids = idArray(events);
  // A realm is a company only with its environment: the event's, set when it was routed.
  await tx.execute(sql`
    insert into ${quickbooksChanges} (tenant_id, environment, realm_id, entity, entity_id, operation, changed_at, source)
    select tenant_id, environment, realm_id, entity, entity_id, operation, coalesce(occurred_at, received_at), 'webhook'
    from ${webhookEvents} where id = any(${ids}::bigint[]) and tenant_id is not null
    on conflict do nothing`);
  await tx.execute(sql`
    update ${quickbooksConnections} c set last_change_seen_at = greatest(c.last_change_seen_at, x.at)
    from (
      select tenant_id, environment, realm_id, max(coalesce(occurred_at, received_at)) as at
      from ${webhookEvents} where id = any(${ids}::bigint[]) and tenant_id is not null group by tenant_id, environment, realm_id
    ) x
    where c.tenant_id = x.tenant_id and c.environment = x.environment and c.realm_id = x.realm_id`);
};

/** Ids as one array parameter (`{1,2,3}`): one bind value for a batch of any size. */
const idArray = (events: ClaimedEvent[]) => `{${events.map((e) => e.id).join(",")}}`;

/**
 * One pass of the webhook queue. Events are claimed with FOR UPDATE SKIP LOCKED and leased (their next attempt
 * pushed 5 minutes ahead) in one statement, so several instances share the work without taking the same event. The
 * claimed batch is processed and marked done in ONE transaction: a handful of statements for hundreds of events, so
 * processing keeps up with ingestion. If the batch fails, each event is tried on its own, so one bad event cannot
 * hold back the rest: a failure is retried with backoff, and after MAX_WEBHOOK_ATTEMPTS the event is dead-lettered
 * for the console's "Retry". A process killed mid-pass leaves its events leased; a later pass takes them once the
 * lease is over.
 */
export async function processPendingWebhookEvents(options: { now?: Date; limit?: number; processor?: EventProcessor } = {}) {
  const now = options.now ?? new Date();
  const processor = options.processor ?? recordChanges;
  // Due by the database's own clock unless a time is given: an event stored a moment ago is due at the database's
  // now(), in microseconds, which Date.now(), in milliseconds, can trail by a fraction of a millisecond; the pass
  // started right after its delivery would then leave it for the next sweep.
  const dueBy = options.now ? sql`${options.now.toISOString()}::timestamptz` : sql`now()`;
  const claimed = rowsOf<{ id: string | number; tenant_id: string | null; entity_id: string; delay_ms: number | null; attempts: number }>(
    await db().execute(sql`
      update ${webhookEvents} set attempts = attempts + 1, next_attempt_at = ${dueBy} + ${`${LEASE_MS} milliseconds`}::interval
      where id in (
        select id from ${webhookEvents}
        where status = 'pending' and next_attempt_at <= ${dueBy}
        order by id limit ${options.limit ?? 500}
        for update skip locked
      )
      returning id, tenant_id, entity_id, delay_ms, attempts`),
  )
    .map((r): ClaimedEvent => ({ id: Number(r.id), tenantId: r.tenant_id, entityId: r.entity_id, delayMs: r.delay_ms, attempts: r.attempts }))
    .sort((a, b) => a.id - b.id);

  const outcome = { processed: 0, retried: 0, dead: 0 };
  const health = new WebhookBatchHealth();
  const processAndMarkDone = (events: ClaimedEvent[]) =>
    db().transaction(async (tx) => {
      await processor(tx, events);
      await tx.execute(sql`update ${webhookEvents} set status = 'processed', processed_at = now(), last_error = null where id = any(${idArray(events)}::bigint[])`);
    });
  const succeeded = (events: ClaimedEvent[]) => {
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
          // Shown on the logs page: what failed, never the statement's values.
          const message = describeError(error).slice(0, 300);
          const dead = event.attempts >= MAX_WEBHOOK_ATTEMPTS;
          await db().transaction(async (tx) => {
            await tx
              .update(webhookEvents)
              .set(dead ? { status: "dead", lastError: message } : { lastError: message, nextAttemptAt: new Date(now.getTime() + webhookRetryDelayMs(event.attempts)) })
              .where(eq(webhookEvents.id, event.id));
            if (dead && event.tenantId) await notifyDeadLetter(tx, event.tenantId, event.id);
          });
          outcome[dead ? "dead" : "retried"]++;
          health.failed(event, dead);
          // Its change never reached quickbooks_changes: the tenant's next catch-up is asked for now, not at the floor.
          if (dead && event.tenantId) await requestCatchUp([event.tenantId], "webhook_failed", now);
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

  processed(event: ClaimedEvent): void {
    if (!event.tenantId || event.delayMs === null) return;
    const delays = this.delays.get(event.tenantId) ?? [];
    delays.push(event.delayMs);
    this.delays.set(event.tenantId, delays);
  }

  failed(event: ClaimedEvent, dead: boolean): void {
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

/**
 * The tenant is told when its dead-letter queue stops being empty, once: more events dying meanwhile add to the same
 * queue, which the console shows with its Retry. After a Retry empties it, the next death is news again.
 */
async function notifyDeadLetter(tx: Transaction, tenantId: string, eventId: number): Promise<void> {
  const [row] = await tx
    .select({ dead: sql<number>`count(*)::int` })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), eq(webhookEvents.status, "dead")));
  if (row?.dead !== 1) return;
  await emitEvent(tx, { tenantId, type: "webhooks.dead_lettered", data: { environment: null, events: 1 }, dedupeKey: `dead-letter:${eventId}` });
}
