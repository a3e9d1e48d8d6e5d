import { sql } from "drizzle-orm";
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./identity";
import { intuitEnvironmentEnum } from "./quickbooks";

/**
 * Every Accounting API attempt (lib/metrics/record.ts, called by the QuickBooks API client): what the health
 * dashboard's "top error reasons" read, with the intuit_tid Intuit support asks for. Append-only; kept 30 days
 * (lib/jobs/retention-sweep.ts). The error message is already redacted: never a token.
 */
export const qboApiCalls = pgTable(
  "qbo_api_calls",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    /** What was called: "companyinfo", "cdc", "query", … */
    operation: text("operation").notNull(),
    /** "success" or an IntuitApiErrorKind (lib/intuit/faults.ts). */
    outcome: text("outcome").notNull(),
    httpStatus: integer("http_status"),
    latencyMs: integer("latency_ms").notNull(),
    intuitTid: text("intuit_tid"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("qbo_api_calls_tenant_created_idx").on(t.tenantId, t.createdAt.desc()),
    // The top error reasons: a tenant's failures in a range, without reading its successes.
    index("qbo_api_calls_tenant_errors_idx").on(t.tenantId, t.createdAt.desc()).where(sql`${t.outcome} <> 'success'`),
    // The retention sweep deletes by age across tenants.
    index("qbo_api_calls_created_idx").on(t.createdAt),
  ],
);

/**
 * Integration-health counters per tenant, per UTC hour, per metric and outcome: a count, the sum of the values and a
 * fixed log-scale histogram of them (lib/metrics/histogram.ts: HISTOGRAM_BOUNDS_MS), so that percentiles over any
 * range come from summing histograms. Written by one upsert per event or batch (count + count, sum + sum, histogram
 * element by element); kept 400 days.
 *
 * Metrics (outcome in brackets): api_call (success | IntuitApiErrorKind; value = latency ms), throttle_hit (intuit |
 * local; value = wait ms), token_renewal (success | failure; value = latency ms), webhook_delay (received; value =
 * delay between the event's own time and its receipt, ms), processing_error (the error kind), sync_error (the
 * error kind), catch_up (what triggered it, lib/quickbooks/store/catch-up-requests.ts; value = CDC calls made).
 */
export const qboHealthHourly = pgTable(
  "qbo_health_hourly",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The UTC hour: date_trunc('hour', at). */
    hour: timestamp("hour", { withTimezone: true }).notNull(),
    metric: text("metric").notNull(),
    outcome: text("outcome").notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
    sum: doublePrecision("sum").notNull(),
    histogram: integer("histogram").array().notNull(),
  },
  (t) => [
    primaryKey({ name: "qbo_health_hourly_pk", columns: [t.tenantId, t.hour, t.metric, t.outcome] }),
    // The retention sweep deletes by age across tenants.
    index("qbo_health_hourly_hour_idx").on(t.hour),
  ],
);

export type QboHealthMetric = "api_call" | "throttle_hit" | "token_renewal" | "webhook_delay" | "processing_error" | "sync_error" | "catch_up";
