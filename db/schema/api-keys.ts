import { index, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";

/**
 * API keys for AWRA's own and customers' systems: bound to one tenant, limited to closed scopes
 * (lib/auth/permissions.ts), always expiring. The key itself is never stored: only its public prefix (shown in the
 * console, used to find the row) and the SHA-256 of the whole key (lib/auth/api-keys.ts says why a fast hash is right).
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scopes: text("scopes").array().notNull(),
    prefix: text("prefix").notNull(),
    secretHash: text("secret_hash").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedByUserId: uuid("revoked_by_user_id").references(() => users.id, { onDelete: "set null" }),
    /** Rotation: the key this one replaced, and on the old key the one that replaced it and when the old one stops working. */
    rotatedFromId: uuid("rotated_from_id").references((): AnyPgColumn => apiKeys.id, { onDelete: "set null" }),
    replacedById: uuid("replaced_by_id").references((): AnyPgColumn => apiKeys.id, { onDelete: "set null" }),
    graceExpiresAt: timestamp("grace_expires_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_keys_prefix_idx").on(t.prefix),
    index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt.desc()),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
