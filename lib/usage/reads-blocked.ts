import "server-only";
import { and, eq, gt, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/db";
import { intuitAppPlans } from "@/db/schema";
import { PLATFORM_APP_KEY } from "./app-key";

// Whether Intuit blocks an app's reads (its monthly CorePlus quota is used up, intuit.md §9): recorded on the app's
// plan by recordReadsBlocked (record-reads-blocked.ts) until its next quota month starts. Asked before every read the
// API client would send and by every background sweep, so it is one primary-key lookup, or one NOT EXISTS in a
// sweep's own selection.

/** Until when the app's reads are blocked, or null when they are not at `now`. One primary-key lookup. */
export async function readsBlockedFor(appKey: string, now: Date, executor: Executor = db()): Promise<Date | null> {
  const p = intuitAppPlans;
  const [row] = await executor
    .select({ until: p.readsBlockedUntil })
    .from(p)
    .where(and(eq(p.appKey, appKey), gt(p.readsBlockedUntil, now)));
  return row?.until ?? null;
}

type SqlValue = SQL | AnyPgColumn;

/**
 * intuitAppKeyOf (app-key.ts) in SQL, for a tenant's connection of an environment: its own app when its admin entered
 * credentials for that environment, else the platform's. (Where neither applies there is no app to call with, so
 * naming the platform's changes nothing.)
 */
export function appKeySql(tenantId: SqlValue, environment: SqlValue): SQL<string> {
  return sql<string>`(case when exists (select 1 from intuit_credentials ic where ic.tenant_id = ${tenantId} and ic.environment = ${environment})
    then 'tenant:' || ${tenantId}::text else ${PLATFORM_APP_KEY} end)`;
}

/**
 * A condition for a background sweep's selection of connections: the app the connection calls through has no reads
 * blocked at `now`. In the selection rather than per candidate, so that a blocked app's connections, which stay due
 * until the month turns, neither reach Intuit nor take the places of other apps' connections in each run.
 */
export function readsNotBlockedSql(tenantId: SqlValue, environment: SqlValue, now: Date): SQL {
  return sql`not exists (select 1 from intuit_app_plans blocked
    where blocked.app_key = ${appKeySql(tenantId, environment)} and blocked.reads_blocked_until > ${now.toISOString()}::timestamptz)`;
}
