import "server-only";
import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { backgroundGovernor, quickbooksConnections, tenantIntuitSettings } from "@/db/schema";
import { env } from "@/lib/env";
import { appKeySql, readsNotBlockedSql } from "@/lib/usage/reads-blocked";

// What the connection sweeps (catch-up, re-verify) share: which connections a sweep may act on at all, how far the
// governor stretches their Intuit app's background intervals, and which errors mean a selected connection changed
// before its turn came. Each sweep adds its own "due" condition and order.

export interface SweepCandidate {
  connectionId: string;
  tenantId: string;
  /** The evidence that asked for a catch-up, or null (catch-up sweep). */
  catchUpTrigger: string | null;
}

const c = quickbooksConnections;

/**
 * The governor's stretch factor of the connection's Intuit app (lib/usage/rules/governor.ts; 1 without a decision), for
 * the sweeps' due conditions: `sweepInterval(ms)` is `ms` stretched by it, as an SQL interval.
 */
export const stretchFactor = sql<number>`coalesce(${backgroundGovernor.factor}, 1)`;
export function sweepInterval(ms: number): SQL {
  return sql`(interval '1 millisecond' * (${ms}::bigint * ${stretchFactor}))`;
}

/**
 * Active connections holding tokens, of the environment each tenant uses now (its own setting, else the platform's),
 * whose Intuit app's reads Intuit has not blocked for the month: the use-cases the sweeps call act on that environment
 * only, so a connection of the other one would be selected on every run without ever being handled; and a blocked
 * app's connections stay out of the selection rather than take other apps' places in each run. Joined with the
 * governor's decision for the app, which `due` may use through sweepInterval.
 */
export function selectSweepCandidates(due: SQL | undefined, now: Date) {
  return db()
    .select({ connectionId: c.id, tenantId: c.tenantId, catchUpTrigger: c.catchUpTrigger })
    .from(c)
    .leftJoin(tenantIntuitSettings, eq(tenantIntuitSettings.tenantId, c.tenantId))
    .leftJoin(backgroundGovernor, eq(backgroundGovernor.appKey, appKeySql(c.tenantId, c.environment)))
    .where(
      and(
        eq(c.status, "active"),
        isNotNull(c.accessTokenEnc),
        eq(c.environment, sql`coalesce(${tenantIntuitSettings.environment}, ${env().intuit.environment}::intuit_environment)`),
        readsNotBlockedSql(c.tenantId, c.environment, now),
        due,
      ),
    );
}

/** Error codes that say the connection changed since it was selected (not that the sweep's work failed): skip it. */
export const CONNECTION_GONE_CODES: ReadonlySet<string> = new Set(["not_connected", "reauthorization_required", "connection_changed"]);
