import "server-only";
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import {
  callbackLogs,
  intuitAppPlans,
  intuitCredentials,
  memberships,
  quickbooksConnections,
  refreshLogs,
  tenantIntuitSettings,
  tenants,
  type ConnectionStatus,
} from "@/db/schema";
import { env, intuitEndpointsFor, type Env, type IntuitEnvironment } from "@/lib/env";
import { appKeySql } from "@/lib/usage/reads-blocked";
import { inspectAccessTokenSeal } from "./client/access-token-seal";
import { factsFrom } from "./store/connections";
import { checkDiscovery, type DiscoveryCheck } from "./client/discovery-check";
import { callbackRoute } from "./client/intuit-app";
import { VERIFY_MAX_AGE_DAYS, computeReadiness, type CheckName, type ReadinessInput } from "./rules/readiness";
import type { ConnectionFacts, IndicatorColor } from "./rules/steps";
import { HEALTH_RANK, TENANT_HEALTH_PAGE_SIZE, type SortDirection, type TenantHealthQuery, type TenantHealthSort } from "./rules/tenant-health-order";

/**
 * All tenants at a glance, for a user who is admin of many: one row per tenant where they are admin, with its
 * indicator, connection state, last Verify, refresh-token expiry and failing checks.
 *
 * One SQL query sorts and pages the tenants; worst-first sorting uses a health rank computed in SQL from the
 * connection row alone, so that thousands of tenants are never loaded to be sorted. Only the page's 50 rows get the
 * full readiness (computeReadiness, the same function as the console's), from facts batch-loaded for the page: the
 * latest callback and renewal of each tenant in one query each, and Intuit's discovery check once per document URL.
 */

export interface TenantHealthRow {
  tenantId: string;
  tenantName: string;
  environment: IntuitEnvironment;
  /** The connection's state; "not_connected" when the tenant has no connection for its environment. */
  status: ConnectionStatus;
  healthRank: number;
  companyName: string | null;
  realmId: string | null;
  indicator: IndicatorColor;
  reasons: string[];
  lastVerifiedAt: Date | null;
  refreshTokenExpiresAt: Date | null;
  failingChecks: CheckName[];
}

export interface TenantHealthPage {
  rows: TenantHealthRow[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  sort: TenantHealthSort;
  dir: SortDirection;
}

export interface ListTenantHealthOptions extends TenantHealthQuery {
  /** The signed-in user: only tenants where they are admin are listed. */
  userId: string;
  now?: Date;
}

const qc = quickbooksConnections;
const tis = tenantIntuitSettings;
const ic = intuitCredentials;

export async function listTenantHealth(options: ListTenantHealthOptions): Promise<TenantHealthPage> {
  const { userId, sort, dir, page } = options;
  const now = options.now ?? new Date();
  const platform = env();
  const nowSql = sql`${now.toISOString()}::timestamptz`;
  // The tenant's current environment, as intuitAppFor chooses it: its own setting, else the platform's.
  const environment = sql<IntuitEnvironment>`coalesce(${tis.environment}, ${platform.intuit.environment}::intuit_environment)`;
  const adminOf = and(eq(memberships.userId, userId), eq(memberships.role, "admin"));

  // The connection and the tenant's own credentials for that environment, as LATERAL lookups on their unique keys:
  // a plain join on (tenant_id, coalesce(…)) lets the planner, without fresh statistics (after a bulk load, or on
  // PGlite, which has no autovacuum), match the index on the environment alone and scan every connection per tenant.
  const connection = db()
    .select({
      connectionId: sql<string>`${qc.id}`.as("connection_id"),
      status: qc.status,
      realmId: qc.realmId,
      companyName: qc.companyName,
      // Sealed: only inspected for which key opens it (readiness's "Access token is stored"), never returned.
      accessTokenEnc: qc.accessTokenEnc,
      hasRefreshToken: sql<boolean>`${qc.refreshTokenEnc} is not null`.as("has_refresh_token"),
      accessTokenExpiresAt: qc.accessTokenExpiresAt,
      refreshTokenExpiresAt: qc.refreshTokenExpiresAt,
      refreshTokenHardExpiresAt: qc.refreshTokenHardExpiresAt,
      authorizationStartedAt: qc.authorizationStartedAt,
      callbackAt: qc.callbackAt,
      verifiedAt: qc.verifiedAt,
      provenAt: qc.provenAt,
      connectedAt: qc.connectedAt,
      lastRefreshedAt: qc.lastRefreshedAt,
      lastErrorStep: qc.lastErrorStep,
      lastErrorCode: qc.lastErrorCode,
      lastErrorMessage: qc.lastErrorMessage,
      lastErrorAt: qc.lastErrorAt,
    })
    .from(qc)
    .where(and(eq(qc.tenantId, memberships.tenantId), eq(qc.environment, environment)))
    .limit(1)
    .as("connection");
  const own = db()
    .select({ clientId: ic.clientId, secretSet: sql<boolean>`${ic.clientSecretEnc} is not null`.as("secret_set") })
    .from(ic)
    .where(and(eq(ic.tenantId, memberships.tenantId), eq(ic.environment, environment)))
    .limit(1)
    .as("own_credentials");

  // Until when Intuit blocks the reads of the tenant's Intuit app (readiness's reason), from its plan by primary key.
  const readsBlockedUntil = sql<Date | null>`(select plan.reads_blocked_until from ${intuitAppPlans} plan where plan.app_key = ${appKeySql(memberships.tenantId, environment)} and plan.reads_blocked_until > ${nowSql})`.mapWith(intuitAppPlans.readsBlockedUntil);

  // deriveIndicator and readiness's recency rule, reduced to what orders tenants worst first. The ranks are literals,
  // not parameters, so that the CASE is an integer.
  const rank = Object.fromEntries(Object.entries(HEALTH_RANK).map(([name, value]) => [name, sql.raw(String(value))])) as Record<keyof typeof HEALTH_RANK, SQL>;
  const c = connection;
  const healthRank = sql<number>`case
    when ${c.status} in ('reauthorization_required', 'disconnected') then ${rank.reconnect}
    when ${c.status} is null or ${c.status} in ('not_connected', 'authorizing') then ${rank.notConnected}
    when ${c.status} <> 'active' then ${rank.notVerified}
    when ${c.accessTokenEnc} is null or not ${c.hasRefreshToken} or ${c.verifiedAt} is null
      or ${c.refreshTokenExpiresAt} <= ${nowSql}
      or (${c.lastErrorAt} > ${c.verifiedAt} and ${c.lastErrorMessage} is not null)
      or ${readsBlockedUntil} is not null then ${rank.failing}
    when greatest(${c.verifiedAt}, ${c.provenAt}) <= ${nowSql} - ${sql.raw(`interval '${VERIFY_MAX_AGE_DAYS} days'`)} then ${rank.verifyStale}
    else ${rank.healthy}
  end`.mapWith(Number);

  const rows = await db()
    .select({
      tenantId: tenants.id,
      tenantName: tenants.name,
      environment,
      healthRank,
      total: sql<number>`count(*) over ()`.mapWith(Number),
      status: c.status,
      realmId: c.realmId,
      companyName: c.companyName,
      connectionId: c.connectionId,
      accessTokenEnc: c.accessTokenEnc,
      hasRefreshToken: c.hasRefreshToken,
      accessTokenExpiresAt: c.accessTokenExpiresAt,
      refreshTokenExpiresAt: c.refreshTokenExpiresAt,
      refreshTokenHardExpiresAt: c.refreshTokenHardExpiresAt,
      authorizationStartedAt: c.authorizationStartedAt,
      callbackAt: c.callbackAt,
      verifiedAt: c.verifiedAt,
      provenAt: c.provenAt,
      connectedAt: c.connectedAt,
      lastRefreshedAt: c.lastRefreshedAt,
      lastErrorStep: c.lastErrorStep,
      lastErrorCode: c.lastErrorCode,
      lastErrorMessage: c.lastErrorMessage,
      lastErrorAt: c.lastErrorAt,
      redirectUri: tis.redirectUri,
      ownClientId: own.clientId,
      ownSecretSet: own.secretSet,
      readsBlockedUntil,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .leftJoin(tis, eq(tis.tenantId, memberships.tenantId))
    .leftJoinLateral(connection, sql`true`)
    .leftJoinLateral(own, sql`true`)
    .where(adminOf)
    .orderBy(...orderFor(sort, dir, { health: healthRank, lastVerify: sql`${c.verifiedAt}`, refreshExpiry: sql`${c.refreshTokenExpiresAt}` }))
    .limit(TENANT_HEALTH_PAGE_SIZE)
    .offset((page - 1) * TENANT_HEALTH_PAGE_SIZE);

  // Past the last page there is no row to carry the window count: count on its own (from the index alone).
  const total = rows[0]?.total ?? (page > 1 ? ((await db().select({ n: count() }).from(memberships).where(adminOf))[0]?.n ?? 0) : 0);

  const tenantIds = rows.map((r) => r.tenantId);
  const urls = [...new Set(rows.map((r) => intuitEndpointsFor(platform, r.environment).discoveryUrl))];
  const [lastCallbacks, lastRefreshes, discoveries] = await Promise.all([
    latestCallbackPerTenant(tenantIds),
    latestRefreshPerTenant(tenantIds),
    Promise.all(urls.map(async (url) => [url, await checkDiscovery(url)] as const)).then((pairs) => new Map<string, DiscoveryCheck>(pairs)),
  ]);

  return {
    rows: rows.map((row) => {
      const connection: ConnectionFacts | null = row.status ? factsFrom({ ...row, status: row.status }) : null;
      const readiness = computeReadiness({
        now,
        app: appFactsOf(row, platform),
        discovery: discoveries.get(intuitEndpointsFor(platform, row.environment).discoveryUrl) ?? null,
        connection,
        accessTokenSeal: row.connectionId ? inspectAccessTokenSeal({ id: row.connectionId, tenantId: row.tenantId, accessTokenEnc: row.accessTokenEnc }) : null,
        lastCallback: lastCallbacks.get(row.tenantId) ?? null,
        lastRefresh: lastRefreshes.get(row.tenantId) ?? null,
        webhooks: null,
        apiErrors: null,
        reconciliation: null,
        readsBlockedUntil: row.readsBlockedUntil,
      });
      return {
        tenantId: row.tenantId,
        tenantName: row.tenantName,
        environment: row.environment,
        status: row.status ?? "not_connected",
        healthRank: row.healthRank,
        companyName: row.companyName,
        realmId: row.realmId,
        indicator: readiness.indicator,
        reasons: readiness.reasons,
        lastVerifiedAt: row.verifiedAt,
        refreshTokenExpiresAt: row.refreshTokenExpiresAt,
        failingChecks: readiness.checklist.filter((item) => !item.passed).map((item) => item.name),
      };
    }),
    total,
    page,
    pageSize: TENANT_HEALTH_PAGE_SIZE,
    pageCount: Math.max(1, Math.ceil(total / TENANT_HEALTH_PAGE_SIZE)),
    sort,
    dir,
  };
}

/** A total order for every sort (the tenant id breaks ties), so that pages neither repeat nor skip a tenant. */
function orderFor(sort: TenantHealthSort, dir: SortDirection, keys: { health: SQL; lastVerify: SQL; refreshExpiry: SQL }): SQL[] {
  const by = (expression: SQL | typeof tenants.name) => (dir === "asc" ? asc(expression) : desc(expression));
  // Ascending puts a missing time first: never verified, or no refresh token, is the most urgent.
  const time = (expression: SQL) => (dir === "asc" ? sql`${expression} asc nulls first` : sql`${expression} desc nulls last`);
  switch (sort) {
    case "health":
      return [by(keys.health), asc(tenants.name), asc(tenants.id)];
    case "name":
      return [by(tenants.name), asc(tenants.id)];
    case "last_verify":
      return [time(keys.lastVerify), asc(tenants.name), asc(tenants.id)];
    case "refresh_expiry":
      return [time(keys.refreshExpiry), asc(tenants.name), asc(tenants.id)];
  }
}

/**
 * The Intuit app facts readiness needs, from the row: the same choice as intuitAppFor (the tenant's own credentials
 * for its environment, else the platform's when they are for that environment), without a query or a decryption
 * per tenant.
 */
function appFactsOf(
  row: { environment: IntuitEnvironment; ownClientId: string | null; ownSecretSet: boolean; redirectUri: string | null },
  platform: Env,
): ReadinessInput["app"] {
  const own = row.ownClientId !== null;
  const platformApplies = row.environment === platform.intuit.environment && platform.intuit.clientId !== "";
  return {
    environment: row.environment,
    credentialsSource: own ? "tenant" : platformApplies ? "platform" : "none",
    clientIdSet: own ? row.ownClientId !== "" : platformApplies,
    clientSecretSet: own ? row.ownSecretSet : platformApplies && platform.intuit.clientSecret !== "",
    redirectUri: row.redirectUri ?? platform.intuit.redirectUri,
    expectedRedirectUri: callbackRoute(),
  };
}

type LastLog<Outcome> = { outcome: Outcome; errorCode: string | null; message: string; at: Date };

/** Each tenant's latest callback, in one query (DISTINCT ON over the (tenant_id, created_at desc) index). */
async function latestCallbackPerTenant(tenantIds: string[]): Promise<Map<string, LastLog<"success" | "failure">>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await db()
    .selectDistinctOn([callbackLogs.tenantId], {
      tenantId: callbackLogs.tenantId,
      outcome: callbackLogs.outcome,
      errorCode: callbackLogs.errorCode,
      message: callbackLogs.message,
      at: callbackLogs.createdAt,
    })
    .from(callbackLogs)
    .where(inArray(callbackLogs.tenantId, tenantIds))
    .orderBy(callbackLogs.tenantId, desc(callbackLogs.createdAt), desc(callbackLogs.id));
  return new Map(rows.map(({ tenantId, ...log }) => [tenantId ?? "", log]));
}

/** Each tenant's latest renewal attempt, in one query. */
async function latestRefreshPerTenant(tenantIds: string[]): Promise<Map<string, LastLog<"success" | "failure" | "skipped">>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await db()
    .selectDistinctOn([refreshLogs.tenantId], {
      tenantId: refreshLogs.tenantId,
      outcome: refreshLogs.outcome,
      errorCode: refreshLogs.errorCode,
      message: refreshLogs.message,
      at: refreshLogs.createdAt,
    })
    .from(refreshLogs)
    .where(inArray(refreshLogs.tenantId, tenantIds))
    .orderBy(refreshLogs.tenantId, desc(refreshLogs.createdAt), desc(refreshLogs.id));
  return new Map(rows.map(({ tenantId, ...log }) => [tenantId ?? "", log]));
}
