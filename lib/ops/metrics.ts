import "server-only";
import { timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { db } from "@/db";
import { rowsOf } from "@/db/rows";
import { env } from "@/lib/env";

// Prometheus metrics (issue 19), with prom-client: the maintained registry and text format every Prometheus and
// OpenTelemetry collector scrapes. Counters and histograms are this process's (each instance is scraped on its own);
// the queue gauges are read from PostgreSQL at scrape time, so every instance reports the cluster's queues.
// Labels are bounded: routes are templates (ids replaced), outcomes and operations are the code's own words.

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "qbc_" });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Histogram({
      name: "qbc_http_request_duration_seconds",
      help: "API requests answered, by method, route template and status, with their durations.",
      labelNames: ["method", "route", "status"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    intuitCalls: new Histogram({
      name: "qbc_intuit_call_duration_seconds",
      help: "Calls to Intuit's QuickBooks API, by operation, outcome and environment, with their durations.",
      labelNames: ["operation", "outcome", "environment"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    tokenRenewals: new Counter({
      name: "qbc_token_renewals_total",
      help: "Token renewal attempts, by what started them and their outcome.",
      labelNames: ["trigger", "outcome"] as const,
      registers,
    }),
    queues: new Gauge({
      name: "qbc_queue_items",
      help: "Items in the product's queues, by queue and state (read from PostgreSQL at scrape time).",
      labelNames: ["queue", "state"] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of await queueDepths()) this.set({ queue: row.queue, state: row.state }, Number(row.n));
      },
    }),
    webhookLag: new Gauge({
      name: "qbc_webhook_processing_lag_seconds",
      help: "Age of the oldest webhook event waiting to be processed (0 when none waits).",
      registers,
      async collect() {
        const [row] = rowsOf<{ lag: number | string | null }>(
          await db().execute(sql`select coalesce(extract(epoch from now() - min(received_at)), 0) as lag from webhook_events where status = 'pending'`),
        );
        this.set(Number(row?.lag ?? 0));
      },
    }),
    meteredReads: new Gauge({
      name: "qbc_intuit_metered_reads_today",
      help: "Intuit CorePlus (metered) reads of production companies today (UTC), by Intuit app key (sandbox reads are not metered).",
      labelNames: ["app"] as const,
      registers,
      async collect() {
        this.reset();
        const rows = rowsOf<{ app_key: string; reads: number | string }>(
          await db().execute(sql`select app_key, sum(calls)::bigint as reads from intuit_usage_daily where day = (now() at time zone 'utc')::date and category = 'coreplus' and environment = 'production' group by app_key`),
        );
        for (const row of rows) this.set({ app: row.app_key }, Number(row.reads));
      },
    }),
  };
}

type Metrics = ReturnType<typeof createMetrics>;
const globalForMetrics = globalThis as unknown as { __qbcMetrics?: Metrics };

/** The process's metrics, made once (Next.js may load this module more than once). */
export function metrics(): Metrics {
  globalForMetrics.__qbcMetrics ??= createMetrics();
  return globalForMetrics.__qbcMetrics;
}

async function queueDepths(): Promise<{ queue: string; state: string; n: number | string }[]> {
  return rowsOf(
    await db().execute(sql`
      select 'webhook_events' as queue, status::text as state, count(*) as n from webhook_events where status in ('pending', 'dead') group by status
      union all select 'notification_deliveries', status, count(*) from notification_deliveries where status in ('pending', 'failed') group by status
      union all select 'sync_runs', status::text, count(*) from sync_runs where status in ('queued', 'running') group by status
      union all select 'token_revocations', status::text, count(*) from token_revocations where status <> 'revoked' group by status
      union all select 'notification_events', 'undispatched', count(*) from notification_events where dispatched_at is null`),
  );
}

/** A route template for a request path: ids (uuids, numbers) replaced, so that labels stay few. */
export function routeTemplate(pathname: string): string {
  return pathname
    .split("/")
    .map((segment) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) || /^\d+$/.test(segment) ? ":id" : segment))
    .join("/");
}

/** One answered API request. A 404 is labelled "unmatched": its path may be anything a stranger typed. */
export function observeHttpRequest(method: string, pathname: string, status: number, seconds: number): void {
  const route = status === 404 ? "unmatched" : routeTemplate(pathname);
  metrics().httpRequests.observe({ method, route, status: String(status) }, seconds);
}

/**
 * Whether a scrape may read the metrics: "off" when METRICS_TOKEN is unset, "denied" without that bearer token
 * (compared in constant time), "allowed" with it.
 */
export function scrapeAccess(authorization: string | null): "off" | "denied" | "allowed" {
  const token = env().metricsToken;
  if (token === null) return "off";
  const given = Buffer.from(authorization?.startsWith("Bearer ") ? authorization.slice(7) : "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected) ? "allowed" : "denied";
}
