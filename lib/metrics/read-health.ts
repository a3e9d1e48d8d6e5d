import "server-only";
import { and, asc, desc, eq, gte, lt, ne, sql } from "drizzle-orm";
import { db } from "@/db";
import { memberships, qboApiCalls, qboHealthHourly } from "@/db/schema";
import { listTenantHealth, type TenantHealthRow } from "@/lib/quickbooks/list-tenant-health";
import { TENANT_HEALTH_PAGE_SIZE } from "@/lib/quickbooks/rules/tenant-health-order";
import { buildHealthSeries, compareTenantHealth, errorRateOf, healthWindow, type HealthBucket, type HealthRange, type HealthTotals } from "./health-series";

/**
 * What the health dashboard shows (/integrations/quickbooks/health): a tenant's series and totals over a range, read
 * from the hourly counters (qbo_health_hourly, kept 400 days), its top error reasons and calls by operation, read
 * from the API call rows (qbo_api_calls, kept 30 days, so every range fits), and, for admins, every tenant they
 * administer, worst first. Every query filters by tenant inside the query.
 */

export interface TopErrorReason {
  outcome: string;
  errorCode: string | null;
  message: string | null;
  httpStatus: number | null;
  count: number;
  /** The latest occurrence's intuit_tid, what Intuit support asks for. */
  lastIntuitTid: string | null;
  lastAt: string;
}

export interface OperationStats {
  operation: string;
  calls: number;
  errors: number;
}

export interface TenantHealthReport {
  range: HealthRange;
  /** ISO bounds of the window: whole UTC buckets, the last one holding `now`. */
  start: string;
  end: string;
  bucketMs: number;
  buckets: HealthBucket[];
  totals: HealthTotals;
  topErrors: TopErrorReason[];
  operations: OperationStats[];
}

const TOP_ERRORS = 10;
const h = qboHealthHourly;
const c = qboApiCalls;

export async function readTenantHealth(tenantId: string, range: HealthRange, now: Date = new Date()): Promise<TenantHealthReport> {
  const window = healthWindow(range, now);
  const inWindow = and(eq(c.tenantId, tenantId), gte(c.createdAt, window.start), lt(c.createdAt, window.end));
  const [rows, topErrors, operations] = await Promise.all([
    db()
      .select({ hour: h.hour, metric: h.metric, outcome: h.outcome, count: h.count, sum: h.sum, histogram: h.histogram })
      .from(h)
      .where(and(eq(h.tenantId, tenantId), gte(h.hour, window.start), lt(h.hour, window.end))),
    db()
      .select({
        outcome: c.outcome,
        errorCode: c.errorCode,
        message: c.errorMessage,
        count: sql<number>`count(*)`.mapWith(Number),
        lastAt: sql<Date>`max(${c.createdAt})`.mapWith(c.createdAt),
        lastIntuitTid: sql<string | null>`(array_agg(${c.intuitTid} order by ${c.createdAt} desc, ${c.id} desc) filter (where ${c.intuitTid} is not null))[1]`,
        httpStatus: sql<number | null>`(array_agg(${c.httpStatus} order by ${c.createdAt} desc, ${c.id} desc))[1]`,
      })
      .from(c)
      .where(and(inWindow, ne(c.outcome, "success")))
      .groupBy(c.outcome, c.errorCode, c.errorMessage)
      .orderBy(desc(sql`count(*)`), desc(sql`max(${c.createdAt})`))
      .limit(TOP_ERRORS),
    db()
      .select({
        operation: c.operation,
        calls: sql<number>`count(*)`.mapWith(Number),
        errors: sql<number>`count(*) filter (where ${c.outcome} <> 'success')`.mapWith(Number),
      })
      .from(c)
      .where(inWindow)
      .groupBy(c.operation)
      .orderBy(desc(sql`count(*)`), asc(c.operation)),
  ]);
  const series = buildHealthSeries(
    window,
    rows.map((r) => ({ ...r, count: Number(r.count), sum: Number(r.sum) })),
  );
  return {
    range,
    start: window.start.toISOString(),
    end: window.end.toISOString(),
    bucketMs: window.bucketMs,
    buckets: series.buckets,
    totals: series.totals,
    topErrors: topErrors.map((e) => ({ ...e, lastAt: e.lastAt.toISOString(), httpStatus: e.httpStatus === null ? null : Number(e.httpStatus) })),
    operations,
  };
}

export interface TenantHealthSummary {
  tenantId: string;
  tenantName: string;
  environment: TenantHealthRow["environment"];
  indicator: TenantHealthRow["indicator"];
  reasons: string[];
  apiCalls: number;
  apiErrors: number;
  errorRate: number;
  throttleHits: number;
  renewalFailures: number;
  processingErrors: number;
}

/**
 * Every tenant the user administers (as on the all-tenants page), with its indicator and its API calls, errors and
 * throttle hits over the range, worst first: red before green, then by error rate, then by throttle hits. The
 * indicators come from listTenantHealth (the same readiness as the console), a page of 50 tenants at a time; the
 * counters from one grouped query over the hourly rows of those tenants.
 */
export async function listTenantsByHealth(options: { userId: string; range: HealthRange; now?: Date }): Promise<TenantHealthSummary[]> {
  const now = options.now ?? new Date();
  const window = healthWindow(options.range, now);

  const standings: TenantHealthRow[] = [];
  for (let page = 1; ; page++) {
    const result = await listTenantHealth({ userId: options.userId, sort: "health", dir: "asc", page, now });
    standings.push(...result.rows);
    if (result.rows.length < TENANT_HEALTH_PAGE_SIZE || page >= result.pageCount) break;
  }
  if (standings.length === 0) return [];

  const counters = await db()
    .select({
      tenantId: h.tenantId,
      apiCalls: sql<number>`coalesce(sum(${h.count}) filter (where ${h.metric} = 'api_call'), 0)`.mapWith(Number),
      apiErrors: sql<number>`coalesce(sum(${h.count}) filter (where ${h.metric} = 'api_call' and ${h.outcome} <> 'success'), 0)`.mapWith(Number),
      throttleHits: sql<number>`coalesce(sum(${h.count}) filter (where ${h.metric} = 'throttle_hit'), 0)`.mapWith(Number),
      renewalFailures: sql<number>`coalesce(sum(${h.count}) filter (where ${h.metric} = 'token_renewal' and ${h.outcome} = 'failure'), 0)`.mapWith(Number),
      processingErrors: sql<number>`coalesce(sum(${h.count}) filter (where ${h.metric} = 'processing_error'), 0)`.mapWith(Number),
    })
    .from(h)
    .innerJoin(memberships, and(eq(memberships.tenantId, h.tenantId), eq(memberships.userId, options.userId), eq(memberships.role, "admin")))
    .where(and(gte(h.hour, window.start), lt(h.hour, window.end)))
    .groupBy(h.tenantId);
  const byTenant = new Map(counters.map((row) => [row.tenantId, row]));

  return standings
    .map((row): TenantHealthSummary => {
      const counts = byTenant.get(row.tenantId);
      const apiCalls = counts?.apiCalls ?? 0;
      const apiErrors = counts?.apiErrors ?? 0;
      return {
        tenantId: row.tenantId,
        tenantName: row.tenantName,
        environment: row.environment,
        indicator: row.indicator,
        reasons: row.reasons,
        apiCalls,
        apiErrors,
        errorRate: errorRateOf({ apiCalls, apiErrors }),
        throttleHits: counts?.throttleHits ?? 0,
        renewalFailures: counts?.renewalFailures ?? 0,
        processingErrors: counts?.processingErrors ?? 0,
      };
    })
    .sort(compareTenantHealth);
}
