import "server-only";
import { and, asc, desc, eq, gte, inArray, lt, notExists, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import { intuitCredentials, intuitUsageDaily, quickbooksConnections, tenants } from "@/db/schema";
import { BACKGROUND_CAUSES } from "@/lib/intuit/operations";
import { PLATFORM_APP_KEY, tenantOfAppKey } from "../app-key";

// The usage page's breakdowns of intuit_usage_daily, each one grouped query over the (app, environment, day) or the
// (tenant, day) index. A scope is an app (every tenant on it), a tenant (on every app), or a tenant on an app.

const u = intuitUsageDaily;

export interface UsageScope {
  appKey?: string;
  tenantId?: string;
  environment: "production" | "sandbox";
  /** First UTC day counted (YYYY-MM-DD). */
  fromDay: string;
  /** First UTC day not counted. */
  toDay: string;
}

/** CorePlus (read) rows of the scope: what Intuit meters in production, and what it would in the sandbox. */
function readsOf(scope: UsageScope): SQL {
  const conditions: SQL[] = [eq(u.environment, scope.environment), eq(u.category, "coreplus"), gte(u.day, scope.fromDay), lt(u.day, scope.toDay)];
  if (scope.appKey !== undefined) conditions.push(eq(u.appKey, scope.appKey));
  if (scope.tenantId !== undefined) conditions.push(eq(u.tenantId, scope.tenantId));
  return and(...conditions)!;
}

const calls = sql<number>`coalesce(sum(${u.calls}), 0)::int`;

/** Reads per day and cause, oldest day first. */
export async function readsByDayAndCause(scope: UsageScope): Promise<{ day: string; cause: string; calls: number }[]> {
  return db().select({ day: u.day, cause: u.cause, calls }).from(u).where(readsOf(scope)).groupBy(u.day, u.cause).orderBy(asc(u.day), asc(u.cause));
}

/** Reads per operation, most first. */
export async function readsByOperation(scope: UsageScope): Promise<{ operation: string; calls: number }[]> {
  return db().select({ operation: u.operation, calls }).from(u).where(readsOf(scope)).groupBy(u.operation).orderBy(desc(calls), asc(u.operation));
}

/** All reads of the scope, and the product's own background share of them. */
export async function readTotals(scope: UsageScope): Promise<{ reads: number; background: number }> {
  const [row] = await db()
    .select({ reads: calls, background: sql<number>`coalesce(sum(${u.calls}) filter (where ${inArray(u.cause, [...BACKGROUND_CAUSES])}), 0)::int` })
    .from(u)
    .where(readsOf(scope));
  return { reads: row?.reads ?? 0, background: row?.background ?? 0 };
}

export interface TenantReads {
  tenantId: string;
  tenantName: string;
  reads: number;
  background: number;
}

/** The tenants that read the most in the scope (the operator's "top tenants"), with their background share. */
export async function topTenants(scope: UsageScope, limit: number): Promise<TenantReads[]> {
  const reads = sql<number>`sum(${u.calls})::int`;
  const rows = await db()
    .select({ tenantId: u.tenantId, reads, background: sql<number>`coalesce(sum(${u.calls}) filter (where ${inArray(u.cause, [...BACKGROUND_CAUSES])}), 0)::int` })
    .from(u)
    .where(readsOf(scope))
    .groupBy(u.tenantId)
    .orderBy(desc(reads), asc(u.tenantId))
    .limit(limit);
  if (rows.length === 0) return [];
  const names = new Map((await db().select({ id: tenants.id, name: tenants.name }).from(tenants).where(inArray(tenants.id, rows.map((r) => r.tenantId)))).map((t) => [t.id, t.name]));
  return rows.map((r) => ({ ...r, tenantName: names.get(r.tenantId) ?? "(deleted tenant)" }));
}

/**
 * Companies connected in production through an app: the active production connections of the app's tenants (the
 * platform's app serves every tenant without a production app of its own), or of one tenant when it is given.
 */
export async function connectedCompanies(scope: { appKey: string; tenantId?: string }): Promise<number> {
  const c = quickbooksConnections;
  const conditions: SQL[] = [eq(c.environment, "production"), eq(c.status, "active")];
  const owner = tenantOfAppKey(scope.appKey);
  if (scope.tenantId !== undefined) conditions.push(eq(c.tenantId, scope.tenantId));
  if (owner !== null) conditions.push(eq(c.tenantId, owner));
  if (scope.appKey === PLATFORM_APP_KEY) {
    const own = db()
      .select({ one: sql`1` })
      .from(intuitCredentials)
      .where(and(eq(intuitCredentials.tenantId, c.tenantId), eq(intuitCredentials.environment, "production")));
    conditions.push(notExists(own));
  }
  const [row] = await db().select({ n: sql<number>`count(*)::int` }).from(c).where(and(...conditions));
  return row?.n ?? 0;
}

export interface DailyUsageRow {
  day: string;
  appKey: string;
  environment: "production" | "sandbox";
  operation: string;
  category: string;
  cause: string;
  calls: number;
}

/**
 * Every call of the scope per day, app, environment, operation and cause (reads and writes, both environments),
 * summed over tenants when the scope is an app: the CSV export's rows, oldest first.
 */
export async function dailyUsageRows(scope: { appKey?: string; tenantId?: string; fromDay: string; toDay: string }): Promise<DailyUsageRow[]> {
  const conditions: SQL[] = [gte(u.day, scope.fromDay), lt(u.day, scope.toDay)];
  if (scope.appKey !== undefined) conditions.push(eq(u.appKey, scope.appKey));
  if (scope.tenantId !== undefined) conditions.push(eq(u.tenantId, scope.tenantId));
  return db()
    .select({ day: u.day, appKey: u.appKey, environment: u.environment, operation: u.operation, category: u.category, cause: u.cause, calls })
    .from(u)
    .where(and(...conditions))
    .groupBy(u.day, u.appKey, u.environment, u.operation, u.category, u.cause)
    .orderBy(asc(u.day), asc(u.appKey), asc(u.environment), asc(u.operation), asc(u.category), asc(u.cause));
}
