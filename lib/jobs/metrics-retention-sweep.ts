import "server-only";
import { and, inArray, lt, sql } from "drizzle-orm";
import { db } from "@/db";
import { qboApiCalls, qboHealthHourly, qboRealmPermits } from "@/db/schema";

/**
 * Keeps the health metrics and the realm limiter's permits from growing without bound, run every minute with the
 * other sweeps (queue.ts):
 *
 * - qbo_api_calls: 30 days (the dashboard's longest range, and the top error reasons' source);
 * - qbo_health_hourly: 400 days (a year of trends, and the same season last year);
 * - qbo_realm_permits: 10 minutes (the limiter counts the last minute; a row whose lease has not run out is kept,
 *   whatever its age, so a slot still held is never freed here).
 *
 * Each table is deleted in batches of DELETE_BATCH rows, at most MAX_BATCHES a run, through its time index: a run after
 * a long stop does not hold one huge delete, and the next runs finish the work. Several instances sweeping at once
 * delete disjoint or already deleted rows: harmless.
 */

export const API_CALL_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
export const HOURLY_RETENTION_MS = 400 * 24 * 60 * 60 * 1000;
export const PERMIT_RETENTION_MS = 10 * 60 * 1000;
const DELETE_BATCH = 5_000;
const MAX_BATCHES = 20;

export interface MetricsRetentionResult {
  apiCalls: number;
  hourly: number;
  permits: number;
}

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

export async function runMetricsRetentionSweep(options: { now?: Date } = {}): Promise<MetricsRetentionResult> {
  const now = options.now ?? new Date();
  const callsBefore = new Date(now.getTime() - API_CALL_RETENTION_MS);
  const hoursBefore = new Date(now.getTime() - HOURLY_RETENTION_MS);
  const permitsBefore = new Date(now.getTime() - PERMIT_RETENTION_MS);
  const h = qboHealthHourly;

  const apiCalls = await inBatches(async () => {
    const old = db().select({ id: qboApiCalls.id }).from(qboApiCalls).where(lt(qboApiCalls.createdAt, callsBefore)).limit(DELETE_BATCH);
    return (await db().delete(qboApiCalls).where(inArray(qboApiCalls.id, old)).returning({ id: qboApiCalls.id })).length;
  });
  const hourly = await inBatches(async () => {
    const old = db().select({ tenantId: h.tenantId, hour: h.hour, metric: h.metric, outcome: h.outcome }).from(h).where(lt(h.hour, hoursBefore)).limit(DELETE_BATCH);
    return (await db().delete(h).where(sql`(${h.tenantId}, ${h.hour}, ${h.metric}, ${h.outcome}) in (${old})`).returning({ hour: h.hour })).length;
  });
  const permits = await inBatches(async () => {
    const p = qboRealmPermits;
    const old = db()
      .select({ id: p.id })
      .from(p)
      .where(and(lt(p.startedAt, permitsBefore), lt(p.leaseExpiresAt, now)))
      .limit(DELETE_BATCH);
    return (await db().delete(p).where(inArray(p.id, old)).returning({ id: p.id })).length;
  });
  return { apiCalls, hourly, permits };
}
