import "server-only";
import { sql } from "drizzle-orm";
import { preparedStatement } from "@/db/prepared";
import { rowFromJson } from "@/db/rows";
import { quickbooksConnections } from "@/db/schema";
import type { IntuitEnvironment } from "@/lib/env";
import { appKeySql } from "@/lib/usage/reads-blocked";
import type { ConnectionRow } from "./connections";
import type { ReadinessInput } from "../rules/readiness";

/** Everything the status reads from the database, for the environment the tenant uses. */
export interface StatusFacts {
  environment: IntuitEnvironment;
  settings: { redirectUri: string | null } | null;
  /** The tenant's own Intuit credentials for that environment. */
  own: { clientId: string; clientSecretEnc: string } | null;
  connection: ConnectionRow | null;
  /** The latest revocation at Intuit after a disconnect. */
  revocation: { status: "pending" | "revoked" | "failed"; message: string | null; at: Date | null; attempts: number } | null;
  lastCallback: ReadinessInput["lastCallback"];
  lastRefresh: ReadinessInput["lastRefresh"];
  /** Signature failures over 24 hours (platform-wide: the verifier token is shared) and the tenant's dead events. */
  webhooks: { signatureFailures: number; deadLetters: number };
  /** Delay between a webhook event's own time and its receipt, over 24 hours. */
  webhookDelays: { events: number; p50Ms: number | null; p95Ms: number | null };
  /**
   * The latest reconciliation of the company the connection holds and the accounts ("1200 Inventory") with unexplained
   * differences: one made against a company the tenant has since left says nothing about the one it holds now.
   */
  reconciliation: { id: number; period: string; unexplained: string[] } | null;
  /** Until when Intuit blocks the reads of the tenant's Intuit app (its monthly quota is used up), or null. */
  readsBlockedUntil: Date | null;
  /** The governor's decision for that app while it slows background reads (lib/usage/rules/governor.ts), or null. */
  governor: GovernorFigures | null;
}

/** What the console says of a slowed app: the stretch factor and the month's background figures. */
export interface GovernorFigures {
  factor: number;
  room: number;
  quota: number;
  used: number;
  projected: number;
}

interface FactsRow {
  environment: IntuitEnvironment;
  settings: { redirectUri: string | null } | null;
  own: { clientId: string; clientSecretEnc: string } | null;
  connection: Record<string, unknown> | null;
  revocation: { status: "pending" | "revoked" | "failed"; message: string | null; at: string | null; attempts: number } | null;
  last_callback: { outcome: "success" | "failure"; errorCode: string | null; message: string; at: string } | null;
  last_refresh: { outcome: "success" | "failure" | "skipped"; errorCode: string | null; message: string; at: string } | null;
  signature_failures: number;
  dead_letters: number;
  webhook_delays: { events: number; p50: number | null; p95: number | null };
  reconciliation: { id: number; period: string; unexplained: string[] } | null;
  reads_blocked_until: string | null;
  governor: GovernorFigures | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const roundOrNull = (v: number | null) => (v === null ? null : Math.round(Number(v)));

/** The statement readStatusFacts runs (described there). */
const statusFacts = preparedStatement<FactsRow, "tenantId" | "platformEnvironment" | "since" | "now">(
  (p) => sql`
      with settings as (
        select environment, redirect_uri from tenant_intuit_settings where tenant_id = ${p.tenantId}
      ), chosen as (
        select coalesce((select environment from settings), ${p.platformEnvironment}::intuit_environment) as environment
      )
      select
        chosen.environment,
        (select json_build_object('redirectUri', redirect_uri) from settings) as settings,
        (select json_build_object('clientId', c.client_id, 'clientSecretEnc', c.client_secret_enc)
           from intuit_credentials c where c.tenant_id = ${p.tenantId} and c.environment = chosen.environment) as own,
        (select row_to_json(q) from quickbooks_connections q where q.tenant_id = ${p.tenantId} and q.environment = chosen.environment) as connection,
        (select json_build_object('status', r.status, 'message', r.last_error_message, 'at', r.last_attempt_at, 'attempts', r.attempts)
           from token_revocations r where r.tenant_id = ${p.tenantId} order by r.created_at desc limit 1) as revocation,
        (select json_build_object('outcome', l.outcome, 'errorCode', l.error_code, 'message', l.message, 'at', l.created_at)
           from callback_logs l where l.tenant_id = ${p.tenantId} order by l.created_at desc, l.id desc limit 1) as last_callback,
        (select json_build_object('outcome', l.outcome, 'errorCode', l.error_code, 'message', l.message, 'at', l.created_at)
           from refresh_logs l where l.tenant_id = ${p.tenantId} order by l.created_at desc, l.id desc limit 1) as last_refresh,
        (select coalesce(sum(d.repeat_count), 0)::int from webhook_deliveries d where d.status = 'rejected_signature' and d.received_at >= ${p.since}::timestamptz) as signature_failures,
        (select count(*)::int from webhook_events e where e.tenant_id = ${p.tenantId} and e.status = 'dead') as dead_letters,
        (select json_build_object('events', count(e.delay_ms), 'p50', percentile_cont(0.5) within group (order by e.delay_ms),
                                  'p95', percentile_cont(0.95) within group (order by e.delay_ms))
           from webhook_events e where e.tenant_id = ${p.tenantId} and e.received_at >= ${p.since}::timestamptz) as webhook_delays,
        (select json_build_object('id', x.id, 'period', x.period, 'unexplained', coalesce(
                  (select json_agg(rl.code || ' ' || rl.name order by rl.id) from reconciliation_lines rl
                    where rl.tenant_id = ${p.tenantId} and rl.reconciliation_id = x.id and rl.difference <> 0 and coalesce(rl.explanation, '') = ''),
                  '[]'::json))
           from (select r.id, r.period from reconciliations r where r.tenant_id = ${p.tenantId} and r.environment = chosen.environment
                   and r.realm_id = (select q.realm_id from quickbooks_connections q where q.tenant_id = ${p.tenantId} and q.environment = chosen.environment)
                 order by r.created_at desc, r.id desc limit 1) x) as reconciliation,
        (select to_json(plan.reads_blocked_until) from intuit_app_plans plan
           where plan.app_key = ${appKeySql(sql`${p.tenantId}`, sql`chosen.environment`)} and plan.reads_blocked_until > ${p.now}::timestamptz) as reads_blocked_until,
        (select json_build_object('factor', g.factor, 'room', g.room, 'quota', g.quota, 'used', g.used, 'projected', g.projected)
           from background_governor g where g.app_key = ${appKeySql(sql`${p.tenantId}`, sql`chosen.environment`)} and g.factor > 1) as governor
      from chosen`,
);

/**
 * The status's facts in ONE statement (one round trip, one plan per tenant), read by the console, the readiness page
 * and `GET /api/quickbooks/status`, which monitors poll. Each sub-select is an index range (migration 0012 adds the
 * two the webhook counts need); see bench/status.ts for the figures. It reads the Intuit settings, the connection,
 * the latest revocation, callback and refresh log rows, the webhook health and delays, the latest
 * reconciliation's unexplained accounts (an empty explanation counts as none), and whether Intuit blocks the reads of
 * the tenant's Intuit app (its plan, by primary key) or the governor slows its background reads (by primary key).
 */
export async function readStatusFacts(tenantId: string, platformEnvironment: IntuitEnvironment, now: Date): Promise<StatusFacts> {
  const since = new Date(now.getTime() - DAY_MS).toISOString();
  const [row] = await statusFacts({ tenantId, platformEnvironment, since, now: now.toISOString() });
  if (!row) throw new Error("The status statement returned no row.");
  const date = (iso: string) => new Date(iso);
  return {
    environment: row.environment,
    settings: row.settings,
    own: row.own,
    connection: row.connection ? rowFromJson(quickbooksConnections, row.connection) : null,
    revocation: row.revocation && { ...row.revocation, at: row.revocation.at === null ? null : date(row.revocation.at) },
    lastCallback: row.last_callback && { ...row.last_callback, at: date(row.last_callback.at) },
    lastRefresh: row.last_refresh && { ...row.last_refresh, at: date(row.last_refresh.at) },
    webhooks: { signatureFailures: row.signature_failures, deadLetters: row.dead_letters },
    webhookDelays: { events: Number(row.webhook_delays.events), p50Ms: roundOrNull(row.webhook_delays.p50), p95Ms: roundOrNull(row.webhook_delays.p95) },
    reconciliation: row.reconciliation && { ...row.reconciliation, id: Number(row.reconciliation.id) },
    readsBlockedUntil: row.reads_blocked_until === null ? null : date(row.reads_blocked_until),
    governor: row.governor,
  };
}
