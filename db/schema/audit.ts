import { bigint, index, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { apiKeys } from "./api-keys";
import { tenants, users } from "./identity";

export const auditOutcomeEnum = pgEnum("audit_outcome", ["success", "failure"]);

/** Who did what, when, to which tenant. Append-only: details never hold secrets. */
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
  },
  (t) => [
    index("audit_events_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The access-history filters on the logs page (actor, outcome), in the keyset order.
    index("audit_events_tenant_actor_created_idx").on(t.tenantId, t.actorUserId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("audit_events_tenant_outcome_created_idx").on(t.tenantId, t.outcome, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);
