import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";
import { intuitEnvironmentEnum } from "./quickbooks";

/** A tenant's choice of Intuit environment and the redirect URI registered in its Intuit app, when not the platform's. */
export const tenantIntuitSettings = pgTable("tenant_intuit_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  environment: intuitEnvironmentEnum("environment").notNull(),
  redirectUri: text("redirect_uri"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedByUserId: uuid("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
});

/**
 * A tenant's own Intuit app credentials per environment, overriding the platform's. The secret is sealed with
 * AES-256-GCM and write-only: only its last four characters and when it was set are ever shown.
 */
export const intuitCredentials = pgTable(
  "intuit_credentials",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    clientId: text("client_id").notNull(),
    clientSecretEnc: text("client_secret_enc").notNull(),
    secretLast4: text("secret_last4").notNull(),
    setAt: timestamp("set_at", { withTimezone: true }).notNull().defaultNow(),
    setByUserId: uuid("set_by_user_id").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.environment] })],
);
