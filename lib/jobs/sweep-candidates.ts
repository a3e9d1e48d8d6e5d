import "server-only";
import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { quickbooksConnections, tenantIntuitSettings } from "@/db/schema";
import { env } from "@/lib/env";

// What the connection sweeps (catch-up, re-verify) share: which connections a sweep may act on at all, and which
// errors mean a selected connection changed before its turn came. Each sweep adds its own "due" condition and order.

export interface SweepCandidate {
  connectionId: string;
  tenantId: string;
}

const c = quickbooksConnections;

/**
 * Active connections holding tokens, of the environment each tenant uses now (its own setting, else the platform's):
 * the use-cases the sweeps call act on that environment only, so a connection of the other one would be selected on
 * every run without ever being handled. `due` narrows it to what the sweep has to do now.
 */
export function selectSweepCandidates(due: SQL | undefined) {
  return db()
    .select({ connectionId: c.id, tenantId: c.tenantId })
    .from(c)
    .leftJoin(tenantIntuitSettings, eq(tenantIntuitSettings.tenantId, c.tenantId))
    .where(
      and(
        eq(c.status, "active"),
        isNotNull(c.accessTokenEnc),
        eq(c.environment, sql`coalesce(${tenantIntuitSettings.environment}, ${env().intuit.environment}::intuit_environment)`),
        due,
      ),
    );
}

/** Error codes that say the connection changed since it was selected (not that the sweep's work failed): skip it. */
export const CONNECTION_GONE_CODES: ReadonlySet<string> = new Set(["not_connected", "reauthorization_required", "connection_changed"]);
