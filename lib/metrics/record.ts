import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { db } from "@/db";
import type { QboHealthMetric } from "@/db/schema";
import type { IntuitApiErrorKind } from "@/lib/intuit/faults";
import { redactSecrets } from "@/lib/intuit/http";
import type { MeterCategory, ReadCause } from "@/lib/intuit/operations";
import { usageDayOf } from "@/lib/usage/rules/quota-month";
import { emptyHistogram, histogramOf } from "./histogram";
import { describeError } from "@/lib/describe-error";
import { metrics } from "@/lib/ops/metrics";

/**
 * Writers of the integration-health metrics (db/schema/health-metrics.ts), on the hot path of every QuickBooks call:
 * each is one statement (an API call's row, its hourly counter and its metered-usage counter in one round trip,
 * through a data-modifying CTE),
 * and none can break the operation it measures: a failed write is logged as a warning, by its message only, and
 * swallowed. Every function resolves, never rejects.
 *
 * Call them outside a transaction of your own: they write through the app's pool, and an embedded PGlite runs one
 * statement at a time, so a write awaited inside an open transaction there would wait for that transaction forever.
 */

export type ApiCallOutcome = "success" | IntuitApiErrorKind;

/**
 * How Intuit counts an attempt (db/schema/usage.ts intuit_usage_daily): the Intuit app whose quota it spends, what
 * caused it, and Core or CorePlus. Every attempt that left the process is counted, whatever Intuit answered.
 */
export interface ApiCallMeter {
  /** lib/usage/app-key.ts: "platform" or "tenant:<id>". */
  appKey: string;
  cause: ReadCause;
  category: MeterCategory;
}

export interface RecordApiCallInput {
  tenantId: string;
  environment: "sandbox" | "production";
  realmId: string;
  /** What was called: "companyinfo", "cdc", "query", … */
  operation: string;
  outcome: ApiCallOutcome;
  httpStatus: number | null;
  latencyMs: number;
  intuitTid: string | null;
  errorCode: string | null;
  /** Already redacted by the caller; redacted again here, and cut to 500 characters. */
  errorMessage: string | null;
  /** Null for an attempt that never left the process (refused by our own limiter or a known block): Intuit counted nothing. */
  meter: ApiCallMeter | null;
  at?: Date;
}

/** One increment of one hourly counter. */
export interface HourlyIncrement {
  tenantId: string;
  hour: Date;
  metric: QboHealthMetric;
  outcome: string;
  count: number;
  sum: number;
  histogram: number[];
}

const HOUR_MS = 60 * 60 * 1000;
const MAX_MESSAGE_LENGTH = 500;
const MAX_TEXT_LENGTH = 200;

/** The UTC hour an instant falls in (what date_trunc('hour', …) gives in UTC). */
export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

/** Milliseconds as a stored integer: rounded, never negative, 0 for garbage. */
export function wholeMs(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.min(Math.round(value), 2_147_483_647) : 0;
}

/** The increment for a set of values of one metric and outcome, at one time. */
export function incrementOf(tenantId: string, metric: QboHealthMetric, outcome: string, valuesMs: readonly number[], at: Date): HourlyIncrement {
  const values = valuesMs.map(wholeMs);
  return { tenantId, hour: hourOf(at), metric, outcome, count: values.length, sum: values.reduce((s, v) => s + v, 0), histogram: histogramOf(values) };
}

/** A counter without a meaningful value (errors): `count` events, value 0. */
function countIncrement(tenantId: string, metric: QboHealthMetric, outcome: string, count: number, at: Date): HourlyIncrement {
  const n = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  const histogram = emptyHistogram();
  histogram[0] = n;
  return { tenantId, hour: hourOf(at), metric, outcome, count: n, sum: 0, histogram };
}

/**
 * Increments with the same key merged into one: a multi-row upsert may not touch the same row twice
 * ("ON CONFLICT DO UPDATE command cannot affect row a second time").
 */
export function mergeIncrements(increments: readonly HourlyIncrement[]): HourlyIncrement[] {
  const merged = new Map<string, HourlyIncrement>();
  for (const inc of increments) {
    if (inc.count <= 0) continue;
    const key = `${inc.tenantId}|${inc.hour.toISOString()}|${inc.metric}|${inc.outcome}`;
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...inc, histogram: [...inc.histogram] });
      continue;
    }
    seen.count += inc.count;
    seen.sum += inc.sum;
    seen.histogram = seen.histogram.map((n, i) => n + (inc.histogram[i] ?? 0));
  }
  return [...merged.values()];
}

function arrayLiteral(values: readonly number[]): string {
  return `{${values.map((v) => String(Math.trunc(v))).join(",")}}`;
}

/** The upsert of hourly counters: count and sum added, histograms added element by element. */
function hourlyUpsert(increments: readonly HourlyIncrement[]): SQL {
  const rows = increments.map(
    (inc) =>
      sql`(${inc.tenantId}::uuid, ${inc.hour.toISOString()}::timestamptz, ${inc.metric}, ${inc.outcome.slice(0, MAX_TEXT_LENGTH)}, ${inc.count}::bigint, ${inc.sum}::float8, ${arrayLiteral(inc.histogram)}::integer[])`,
  );
  return sql`insert into qbo_health_hourly as h (tenant_id, hour, metric, outcome, count, sum, histogram)
    values ${sql.join(rows, sql`, `)}
    on conflict (tenant_id, hour, metric, outcome) do update set
      count = h.count + excluded.count,
      sum = h.sum + excluded.sum,
      histogram = array(
        select coalesce(old_n, 0) + coalesce(new_n, 0)
        from unnest(h.histogram, excluded.histogram) with ordinality as pair(old_n, new_n, i)
        order by i
      )`;
}

function warn(what: string, error: unknown): void {
  // Never the statement's parameters (a metric row holds Intuit's error text, a tenant id), never a stack.
  console.warn(`[metrics] could not record ${what}: ${describeError(error)}`);
}

/** Runs a metric write; a failure is a warning, never the caller's problem. */
async function safely(what: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    warn(what, error);
  }
}

async function writeHourly(increments: readonly HourlyIncrement[]): Promise<void> {
  const merged = mergeIncrements(increments);
  if (merged.length > 0) await db().execute(hourlyUpsert(merged));
}

/** Upserts hourly counters in one statement (nothing to do for none). */
export function recordHourly(increments: readonly HourlyIncrement[], what = "health counters"): Promise<void> {
  return safely(what, () => writeHourly(increments));
}

function cut(text: string | null, max: number): string | null {
  if (text === null || text === undefined) return null;
  return text.length > max ? text.slice(0, max) : text;
}

/** The usage counter's increment, as a CTE of recordApiCall's statement; nothing for an attempt that was not sent. */
function usageCte(input: RecordApiCallInput, at: Date): SQL {
  if (!input.meter) return sql``;
  const { appKey, cause, category } = input.meter;
  return sql`, usage as (
      insert into intuit_usage_daily as u (day, app_key, environment, tenant_id, operation, category, cause, calls)
      values (${usageDayOf(at)}::date, ${cut(appKey, MAX_TEXT_LENGTH)}, ${input.environment}::intuit_environment, ${input.tenantId}::uuid,
        ${cut(input.operation, MAX_TEXT_LENGTH)}, ${category}, ${cause}, 1)
      on conflict (day, app_key, environment, tenant_id, operation, cause) do update set calls = u.calls + 1
    )`;
}

/**
 * One Accounting API attempt: its qbo_api_calls row, its hourly api_call counter and, when it was sent, its metered
 * usage (intuit_usage_daily, per UTC day, app, environment, tenant, operation and cause), in one statement.
 */
export function recordApiCall(input: RecordApiCallInput): Promise<void> {
  metrics().intuitCalls.observe({ operation: input.operation, outcome: input.outcome, environment: input.environment }, Math.max(0, input.latencyMs) / 1000);
  return safely("api_call", async () => {
    const at = input.at ?? new Date();
    const latencyMs = wholeMs(input.latencyMs);
    const increment = incrementOf(input.tenantId, "api_call", input.outcome, [latencyMs], at);
    const message = input.errorMessage === null ? null : cut(redactSecrets(input.errorMessage), MAX_MESSAGE_LENGTH);
    await db().execute(sql`with call as (
      insert into qbo_api_calls (tenant_id, environment, realm_id, operation, outcome, http_status, latency_ms, intuit_tid, error_code, error_message, created_at)
      values (${input.tenantId}::uuid, ${input.environment}::intuit_environment, ${cut(input.realmId, MAX_TEXT_LENGTH)}, ${cut(input.operation, MAX_TEXT_LENGTH)},
        ${input.outcome}, ${input.httpStatus === null ? null : Math.trunc(input.httpStatus)}::integer, ${latencyMs}::integer,
        ${cut(input.intuitTid, MAX_TEXT_LENGTH)}, ${cut(input.errorCode, MAX_TEXT_LENGTH)}, ${message}, ${at.toISOString()}::timestamptz)
    )${usageCte(input, at)}
    ${hourlyUpsert([increment])}`);
  });
}

/** A throttle: Intuit answered 429 ("intuit"), or our own realm limiter made a call wait ("local"). */
export function recordThrottleHit(input: { tenantId: string; source: "intuit" | "local"; waitedMs: number; at?: Date }): Promise<void> {
  return safely("throttle_hit", () => writeHourly([incrementOf(input.tenantId, "throttle_hit", input.source, [input.waitedMs], input.at ?? new Date())]));
}

/** A token renewal that called Intuit, and how it ended. */
export function recordTokenRenewal(input: { tenantId: string; outcome: "success" | "failure"; latencyMs: number; at?: Date }): Promise<void> {
  return safely("token_renewal", () => writeHourly([incrementOf(input.tenantId, "token_renewal", input.outcome, [input.latencyMs], input.at ?? new Date())]));
}

/** The delays (event time to receipt) of a batch of processed webhook events of one tenant: one upsert. */
export function recordWebhookDelays(input: { tenantId: string; delaysMs: number[]; at?: Date }): Promise<void> {
  return safely("webhook_delay", () => writeHourly([incrementOf(input.tenantId, "webhook_delay", "received", input.delaysMs, input.at ?? new Date())]));
}

/**
 * Background processing that failed: a webhook event's processing attempt ("webhook_retry", or "webhook_dead" when
 * it is dead-lettered) or a change catch-up ("catch_up_<kind>"). `count` events of that kind at once (default 1).
 */
export function recordProcessingError(input: { tenantId: string; kind: string; count?: number; at?: Date }): Promise<void> {
  return safely("processing_error", () => writeHourly([countIncrement(input.tenantId, "processing_error", input.kind, input.count ?? 1, input.at ?? new Date())]));
}

/** A sync run's failure, by kind (for the sync runs to come). */
export function recordSyncError(input: { tenantId: string; kind: string; count?: number; at?: Date }): Promise<void> {
  return safely("sync_error", () => writeHourly([countIncrement(input.tenantId, "sync_error", input.kind, input.count ?? 1, input.at ?? new Date())]));
}
