import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { apiKeys } from "./api-keys";
import { tenants, users } from "./identity";

export const auditOutcomeEnum = pgEnum("audit_outcome", ["success", "failure"]);

/**
 * Who did what, when, to which tenant. Append-only: details never hold secrets. The database refuses every change but
 * two (migrations 0001 and 0016): a folded row's count and last-seen time may grow (lib/audit/record.ts,
 * recordFoldableAudit), and rows past the retention are deleted by purge_audit_events(), which only the table's owner
 * can run (README, "Retention").
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    // Set when an API key acted (actor_user_id is then null). Keys are revoked, never deleted.
    actorApiKeyId: uuid("actor_api_key_id").references(() => apiKeys.id),
    action: text("action").notNull(),
    target: text("target"),
    outcome: auditOutcomeEnum("outcome").notNull(),
    requestId: text("request_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // Repeats of an unauthenticated request's event folded into this row (lib/logs/repeat-fold.ts).
    repeatCount: integer("repeat_count").notNull().default(1),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    foldKey: text("fold_key"),
  },
  (t) => [
    uniqueIndex("audit_events_fold_uq").on(t.foldKey).where(sql`${t.foldKey} is not null`),
    // purge_audit_events()'s range.
    index("audit_events_created_idx").on(t.createdAt),
    index("audit_events_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The access-history filters on the logs page (actor, outcome), in the keyset order.
    index("audit_events_tenant_actor_created_idx").on(t.tenantId, t.actorUserId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("audit_events_tenant_outcome_created_idx").on(t.tenantId, t.outcome, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);
