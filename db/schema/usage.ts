import { date, index, integer, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";
import { intuitEnvironmentEnum } from "./quickbooks";

/**
 * Intuit's metered reads, counted exactly: one row per UTC day, Intuit app, environment, tenant, operation and cause,
 * incremented by every Accounting API request the product sends (lib/metrics/record.ts, with the call's own row). The
 * quota belongs to the Intuit app (its workspace), so `app_key` names it: "platform" for the platform's own app, or
 * "tenant:<tenant id>" for a tenant that entered its own. Sandbox is counted too and never metered.
 */
export const intuitUsageDaily = pgTable(
  "intuit_usage_daily",
  {
    day: date("day").notNull(),
    appKey: text("app_key").notNull(),
    environment: intuitEnvironmentEnum("environment").notNull(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** lib/intuit/operations.ts: "companyinfo", "cdc", "query", … */
    operation: text("operation").notNull(),
    /** "core" (data in, unmetered) or "coreplus" (data out, metered): from the operation, stored for cheap sums. */
    category: text("category").notNull(),
    /** What caused the call: user, sync, webhook, reverify, catch_up, checks (lib/intuit/operations.ts READ_CAUSES). */
    cause: text("cause").notNull(),
    calls: integer("calls").notNull().default(0),
  },
  (t) => [
    primaryKey({ name: "intuit_usage_daily_pk", columns: [t.day, t.appKey, t.environment, t.tenantId, t.operation, t.cause] }),
    // The month of one app: the usage page, the alerts and the governor.
    index("intuit_usage_daily_app_idx").on(t.appKey, t.environment, t.day),
    index("intuit_usage_daily_tenant_idx").on(t.tenantId, t.day),
  ],
);

/**
 * The Intuit plan of an Intuit app: its tier and monthly CorePlus quota (the platform operator sets the platform's
 * app, a tenant admin the tenant's own), the day its month starts, the share of the quota background reads may
 * spend, and, when Intuit blocked reads for the rest of the month, until when.
 */
export const intuitAppPlans = pgTable("intuit_app_plans", {
  appKey: text("app_key").primaryKey(),
  /** builder | silver | gold | platinum | custom */
  tier: text("tier").notNull().default("builder"),
  monthlyQuota: integer("monthly_quota").notNull().default(500_000),
  /** The day of the month (1 to 28, UTC) the quota's month starts on. */
  monthStartDay: smallint("month_start_day").notNull().default(1),
  /** Percent of the monthly quota the product's own background reads may spend. */
  backgroundSharePct: smallint("background_share_pct").notNull().default(20),
  /** Intuit answered a read with its monthly block: no background read until then (the next month's start). */
  readsBlockedUntil: timestamp("reads_blocked_until", { withTimezone: true }),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedByUserId: uuid("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
});

/**
 * A usage alert raised for an app's month: at most one per threshold (50, 80, 95, 100 %) of a quota and month. The
 * quota is part of the key: after an upgrade, 50 % of the new quota is a new alert, not the old plan's 50 % again.
 */
export const intuitUsageAlerts = pgTable(
  "intuit_usage_alerts",
  {
    appKey: text("app_key").notNull(),
    /** The first day of the quota month the alert belongs to. */
    month: date("month").notNull(),
    threshold: smallint("threshold").notNull(),
    /** The monthly quota the threshold was measured against: the app's plan when the alert was raised. */
    quota: integer("quota").notNull(),
    /** "actual" (the month's reads reached it) or "projected" (the month-end projection passes it). */
    basis: text("basis").notNull(),
    readsAtAlert: integer("reads_at_alert").notNull(),
    projectedAtAlert: integer("projected_at_alert").notNull(),
    raisedAt: timestamp("raised_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "intuit_usage_alerts_pk", columns: [t.appKey, t.month, t.quota, t.threshold] })],
);
