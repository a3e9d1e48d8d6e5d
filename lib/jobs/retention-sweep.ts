import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { STATE_KEPT_MS } from "@/lib/quickbooks/store/oauth-state";

/**
 * Every log table's retention, enforced: run every minute with the other sweeps (queue.ts). README "Retention" gives
 * the same periods with the reason for each; the audit trail is not here: it keeps its own, longer retention, and only
 * the database role that owns it can delete from it (purge_audit_events(), migration 0016), never this app.
 *
 * Each rule deletes in batches of DELETE_BATCH rows, at most MAX_BATCHES a run, through an index on its time column: a
 * run after a long stop does not hold one huge delete, and the next runs finish the work. Several instances sweeping
 * at once delete disjoint or already deleted rows: harmless.
 */

const DAY = 24 * 60 * 60 * 1000;

export const RETENTION_MS = {
  /** The health dashboard's longest range, and the top error reasons' source. */
  apiCalls: 30 * DAY,
  /** A year of trends, and the same season last year. */
  hourly: 400 * DAY,
  /** The limiter counts the last minute; a permit whose lease still runs is kept, whatever its age. */
  permits: 10 * 60 * 1000,
  /** Evidence of who connected which company, and of each token renewal: a yearly audit period and its fieldwork. */
  callbackLogs: 400 * DAY,
  refreshLogs: 400 * DAY,
  /** Machine traffic, by the thousand a day; the changes they brought are kept in quickbooks_changes. */
  webhookDeliveries: 90 * DAY,
  /** Processed and ignored events; the delivery log and the changes keep what they brought. */
  settledWebhookEvents: 90 * DAY,
  /** Dead events wait for a person: kept as long as the logs. Pending ones are never deleted here. */
  deadWebhookEvents: 400 * DAY,
  /** The changes a sync reads (since its connection's last success). */
  changes: 400 * DAY,
  /** Finished sync runs, but never a connection's latest success (the next run starts from it). */
  syncRuns: 400 * DAY,
  /** Revocations Intuit confirmed (the token is already erased); pending and failed ones wait for their retry. */
  revocations: 400 * DAY,
  /** Spent and expired states, past the day in which a reuse is told apart from an unknown state. */
  oauthStates: STATE_KEPT_MS,
  /**
   * Notification events (with their deliveries and attempts): who was told what, for a yearly audit period. The inbox
   * shows 90 days; an event with a delivery still to try waits for it, whatever its age.
   */
  notifications: 400 * DAY,
} as const;

export type RetentionResult = Record<
  "apiCalls" | "hourly" | "permits" | "callbackLogs" | "refreshLogs" | "webhookDeliveries" | "webhookEvents" | "changes" | "syncRuns" | "revocations" | "oauthStates" | "notifications",
  number
>;

const DELETE_BATCH = 5_000;
const MAX_BATCHES = 20;

/** Deletes in batches until a batch comes back short (or the run's cap is reached); returns the rows deleted. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < DELETE_BATCH) break;
  }
  return total;
}

/** Deletes the rows of `table` whose `key` the `expired` query selects (its WHERE goes through a time index). */
function purge(table: string, key: string, expired: SQL): Promise<number> {
  return inBatches(async () => {
    const statement = sql`delete from ${sql.identifier(table)} where ${sql.raw(key)} in (${expired} limit ${DELETE_BATCH}) returning 1 as deleted`;
    return rowsOf(await db().execute(statement)).length;
  });
}

export async function runRetentionSweep(options: { now?: Date } = {}): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const before = (ms: number) => sql`${new Date(now.getTime() - ms).toISOString()}::timestamptz`;
  const r = RETENTION_MS;
  return {
    apiCalls: await purge("qbo_api_calls", "id", sql`select id from qbo_api_calls where created_at < ${before(r.apiCalls)}`),
    hourly: await purge(
      "qbo_health_hourly",
      "(tenant_id, hour, metric, outcome)",
      sql`select tenant_id, hour, metric, outcome from qbo_health_hourly where hour < ${before(r.hourly)}`,
    ),
    permits: await purge("qbo_realm_permits", "id", sql`select id from qbo_realm_permits where started_at < ${before(r.permits)} and lease_expires_at < ${before(0)}`),
    callbackLogs: await purge("callback_logs", "id", sql`select id from callback_logs where created_at < ${before(r.callbackLogs)}`),
    refreshLogs: await purge("refresh_logs", "id", sql`select id from refresh_logs where created_at < ${before(r.refreshLogs)}`),
    webhookDeliveries: await purge("webhook_deliveries", "id", sql`select id from webhook_deliveries where received_at < ${before(r.webhookDeliveries)}`),
    // `status <> 'pending'` is the settled-events index's predicate: a pending event is never deleted here.
    webhookEvents:
      (await purge(
        "webhook_events",
        "id",
        sql`select id from webhook_events where status <> 'pending' and status in ('processed', 'ignored') and received_at < ${before(r.settledWebhookEvents)}`,
      )) +
      (await purge("webhook_events", "id", sql`select id from webhook_events where status <> 'pending' and status = 'dead' and received_at < ${before(r.deadWebhookEvents)}`)),
    changes: await purge("quickbooks_changes", "id", sql`select id from quickbooks_changes where recorded_at < ${before(r.changes)}`),
    syncRuns: await purge(
      "sync_runs",
      "id",
      sql`select s.id from sync_runs s where s.finished_at is not null and s.finished_at < ${before(r.syncRuns)} and s.status in ('succeeded', 'failed')
            and (s.status = 'failed' or exists (select 1 from sync_runs n where n.tenant_id = s.tenant_id and n.environment = s.environment
                                                 and n.realm_id = s.realm_id and n.status = 'succeeded' and n.started_at > s.started_at))`,
    ),
    revocations: await purge("token_revocations", "id", sql`select id from token_revocations where status = 'revoked' and revoked_at < ${before(r.revocations)}`),
    oauthStates: await purge("oauth_states", "id", sql`select id from oauth_states where expires_at < ${before(r.oauthStates)}`),
    // Deliveries and attempts go with their event (on delete cascade).
    notifications: await purge(
      "notification_events",
      "id",
      sql`select e.id from notification_events e where e.dispatched_at is not null and e.occurred_at < ${before(r.notifications)}
            and not exists (select 1 from notification_deliveries d where d.event_id = e.id and d.status = 'pending')`,
    ),
  };
}
