import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Permits to call the Accounting API for one realm, shared by every app instance (lib/quickbooks/realm-limiter.ts):
 * a row per request, counted for the rate (started in the window) and the concurrency (not finished, lease not
 * expired). Rows are kept for a few minutes only.
 */
export const qboRealmPermits = pgTable(
  "qbo_realm_permits",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** "sandbox:9341452000000001": Intuit's limits are per realm per app, and sandbox and production are two apps. */
    realmKey: text("realm_key").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    /** A process that dies mid-request frees its slot when the lease runs out. */
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("qbo_realm_permits_realm_started_idx").on(t.realmKey, t.startedAt)],
);
