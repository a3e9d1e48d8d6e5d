import { integer, pgTable, smallint, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Marks the background jobs leave for themselves, one instant per name (lib/jobs/store/sweep-marks.ts): "sweeps", when
 * a sweep last started on any instance (the heartbeat: a gap means the app was down and webhooks may have been
 * missed); "webhook_evidence", how far the delivery log has been read for evidence of missed webhooks; "governor",
 * when the background-read governor last decided.
 */
export const sweepMarks = pgTable("sweep_marks", {
  name: text("name").primaryKey(),
  at: timestamp("at", { withTimezone: true }).notNull(),
});

/**
 * The background-read governor's decision per Intuit app (lib/usage/govern-background-reads.ts): how far the
 * product's own reads (re-verify, catch-up, checks) are stretched to stay within the app's background share of its
 * monthly quota, and the numbers the console states. No row: not stretched.
 */
export const backgroundGovernor = pgTable("background_governor", {
  appKey: text("app_key").primaryKey(),
  /** The step (0 = normal) and its stretch factor of the background intervals (lib/usage/rules/governor.ts). */
  level: smallint("level").notNull().default(0),
  factor: smallint("factor").notNull().default(1),
  /** When the level last changed, and the month's background reads then: the rate since is the new level's. */
  changedAt: timestamp("changed_at", { withTimezone: true }),
  usedAtChange: integer("used_at_change"),
  decidedAt: timestamp("decided_at", { withTimezone: true }).notNull(),
  /** At the decision: the monthly quota, the background reads allowed (the share, less what other reads will take), so far, and projected. */
  quota: integer("quota").notNull(),
  room: integer("room").notNull(),
  used: integer("used").notNull(),
  projected: integer("projected").notNull(),
});
