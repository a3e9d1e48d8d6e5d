import { sql } from "drizzle-orm";
import { bigint, boolean, index, jsonb, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";

export const intuitEnvironmentEnum = pgEnum("intuit_environment", ["sandbox", "production"]);

/** The connection's state machine (lib/quickbooks/rules/connection-state.ts; every move: transitionConnection). */
export const connectionStatusEnum = pgEnum("connection_status", [
  "not_connected",
  "authorizing",
  "callback_received",
  "active",
  "reauthorization_required",
  "disconnected",
]);
export type ConnectionStatus = (typeof connectionStatusEnum.enumValues)[number];

/** One row per authorization request: single-use, short-lived, bound to the user and tenant that started it. */
export const oauthStates = pgTable(
  "oauth_states",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Only the SHA-256 of the state is stored: a database reader cannot forge a callback.
    stateHash: text("state_hash").notNull().unique(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    // Sealed PKCE verifier, only when Intuit's discovery document offers S256.
    codeVerifierEnc: text("code_verifier_enc"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
  },
  (t) => [index("oauth_states_tenant_idx").on(t.tenantId, t.createdAt), index("oauth_states_expires_idx").on(t.expiresAt)],
);

/** A tenant's QuickBooks Online connection, one per environment. Tokens are sealed with AES-256-GCM. */
export const quickbooksConnections = pgTable(
  "quickbooks_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    status: connectionStatusEnum("status").notNull().default("not_connected"),
    // The QuickBooks company this connection holds: set only once CompanyInfo for it answered with the connection's
    // tokens, so it is what the realm index and the webhook routing go by. Null while authorizing and once disconnected.
    realmId: text("realm_id"),
    // The company a callback's query string claims (the browser carries it and can change it), kept apart until
    // CompanyInfo for it succeeds with the new tokens: a claim never holds a company.
    pendingRealmId: text("pending_realm_id"),
    companyName: text("company_name"),
    accessTokenEnc: text("access_token_enc"),
    refreshTokenEnc: text("refresh_token_enc"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    refreshTokenHardExpiresAt: timestamp("refresh_token_hard_expires_at", { withTimezone: true }),
    authorizationStartedAt: timestamp("authorization_started_at", { withTimezone: true }),
    callbackAt: timestamp("callback_at", { withTimezone: true }),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    verifyIntuitTid: text("verify_intuit_tid"),
    /** CompanyInfo FiscalYearStartMonth (1–12) as the last successful Verify read it; null when QuickBooks did not say. */
    fiscalYearStartMonth: integer("fiscal_year_start_month"),
    // What the last successful Verify saw (company info, realm, environment, time, intuit_tid): the company verify file.
    verifyEvidence: jsonb("verify_evidence").$type<Record<string, unknown>>(),
    connectedAt: timestamp("connected_at", { withTimezone: true }),
    connectedByUserId: uuid("connected_by_user_id").references(() => users.id, { onDelete: "set null" }),
    disconnectedAt: timestamp("disconnected_at", { withTimezone: true }),
    // When an API call last asked for a token: "in use" connections get their access token renewed ahead of time.
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    lastRefreshedAt: timestamp("last_refreshed_at", { withTimezone: true }),
    /** The newest QuickBooks change seen for this company (webhook or CDC): where a catch-up starts from. */
    lastChangeSeenAt: timestamp("last_change_seen_at", { withTimezone: true }),
    lastCatchUpAt: timestamp("last_catch_up_at", { withTimezone: true }),
    // Evidence that webhooks were missed asks for a catch-up (lib/jobs/catch-up-sweep.ts): when the latest evidence
    // came and what it was (app_down, webhook_refused, webhook_failed, webhook_redelivered, webhooks_quiet, capped).
    // A catch-up that started after it clears both.
    catchUpRequestedAt: timestamp("catch_up_requested_at", { withTimezone: true }),
    catchUpTrigger: text("catch_up_trigger"),
    /** The last catch-up attempt, successful or not: two catch-ups of one connection are spaced by it. */
    catchUpAttemptedAt: timestamp("catch_up_attempted_at", { withTimezone: true }),
    /** What triggered the last successful catch-up: evidence, or the daily floor. */
    lastCatchUpTrigger: text("last_catch_up_trigger"),
    // The last successful Accounting API call with the connection's own tokens, of any cause (stamped at most hourly,
    // lib/quickbooks/client/access-token.ts): like a Verify, it proves the tokens open the company, so the daily
    // re-verify skips a connection in use and the "verified recently" rule counts it.
    provenAt: timestamp("proven_at", { withTimezone: true }),
    // The renewal sweep's claim: the sweeper (of any instance) that took this connection into a batch renews it, and
    // no other sweeper takes it before this time (lib/jobs/renewal-sweep.ts). Only a work split, never the guard
    // against a double renewal: that is the row lock and the due re-check under it.
    renewalClaimedUntil: timestamp("renewal_claimed_until", { withTimezone: true }),
    // The renewal lease (lib/quickbooks/client/renewal-lease.ts): the one renewal, of any process, that may ask Intuit
    // with the stored refresh token right now. Taken and released in short transactions, so no database connection is
    // held while Intuit answers; kept alive by its holder's heartbeat, so a dead holder's lease ends within seconds.
    renewalLeaseId: uuid("renewal_lease_id"),
    renewalLeaseUntil: timestamp("renewal_lease_until", { withTimezone: true }),
    lastErrorStep: text("last_error_step"),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("quickbooks_connections_tenant_env_uq").on(t.tenantId, t.environment),
    // The renewal sweep looks for soon-expiring tokens of live connections.
    index("quickbooks_connections_access_expiry_idx").on(t.accessTokenExpiresAt).where(sql`${t.refreshTokenEnc} is not null`),
    index("quickbooks_connections_refresh_expiry_idx").on(t.refreshTokenExpiresAt).where(sql`${t.refreshTokenEnc} is not null`),
    // The re-verify sweep takes active connections, oldest Verify first.
    index("quickbooks_connections_reverify_idx").on(t.verifiedAt).where(sql`${t.status} = 'active'`),
    // A QuickBooks company belongs to one tenant at a time; sandbox and production realms never mix.
    uniqueIndex("quickbooks_connections_realm_uq")
      .on(t.environment, t.realmId)
      .where(sql`${t.realmId} is not null and ${t.status} <> 'disconnected'`),
  ],
);

export const callbackOutcomeEnum = pgEnum("callback_outcome", ["success", "failure"]);

/** Every callback, good or bad. Never holds the code or a token. */
export const callbackLogs = pgTable(
  "callback_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    environment: intuitEnvironmentEnum("environment"),
    realmId: text("realm_id"),
    outcome: callbackOutcomeEnum("outcome").notNull(),
    errorCode: text("error_code"),
    message: text("message").notNull(),
    intuitTid: text("intuit_tid"),
    latencyMs: integer("latency_ms").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    // Repeats of a failure folded into this row (lib/logs/repeat-fold.ts): the request's address, how many times it
    // happened, the latest time, and the key that says what counts as the same (null: a row that never folds).
    sourceIp: text("source_ip"),
    repeatCount: integer("repeat_count").notNull().default(1),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
    foldKey: text("fold_key"),
  },
  (t) => [
    uniqueIndex("callback_logs_fold_uq").on(t.foldKey).where(sql`${t.foldKey} is not null`),
    // The retention sweep's range (lib/jobs/retention-sweep.ts).
    index("callback_logs_created_idx").on(t.createdAt),
    // desc().nullsFirst(): the order `order by created_at desc, id desc` asks for (NULLS FIRST is PostgreSQL's default
    // for desc). drizzle-kit writes a bare desc() as DESC NULLS LAST, which cannot serve it: before migration 0012 the
    // latest row of a tenant, and every logs page, sorted all of the tenant's rows.
    index("callback_logs_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    // The logs page's filters (outcome, user), each in the keyset order: a filtered page is a short index range.
    index("callback_logs_tenant_outcome_created_idx").on(t.tenantId, t.outcome, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("callback_logs_tenant_user_created_idx").on(t.tenantId, t.userId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const refreshTriggerEnum = pgEnum("refresh_trigger", ["on_demand", "unauthorized", "scheduled", "manual"]);
export const refreshOutcomeEnum = pgEnum("refresh_outcome", ["success", "failure", "skipped"]);

/** Every token renewal attempt, good or bad. Never holds a token. */
export const refreshLogs = pgTable(
  "refresh_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "set null" }),
    connectionId: uuid("connection_id").references(() => quickbooksConnections.id, { onDelete: "set null" }),
    environment: intuitEnvironmentEnum("environment"),
    realmId: text("realm_id"),
    trigger: refreshTriggerEnum("trigger").notNull(),
    outcome: refreshOutcomeEnum("outcome").notNull(),
    errorCode: text("error_code"),
    message: text("message").notNull(),
    intuitTid: text("intuit_tid"),
    oldAccessExpiresAt: timestamp("old_access_expires_at", { withTimezone: true }),
    newAccessExpiresAt: timestamp("new_access_expires_at", { withTimezone: true }),
    oldRefreshExpiresAt: timestamp("old_refresh_expires_at", { withTimezone: true }),
    newRefreshExpiresAt: timestamp("new_refresh_expires_at", { withTimezone: true }),
    refreshTokenRotated: boolean("refresh_token_rotated"),
    durationMs: integer("duration_ms").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The retention sweep's range (lib/jobs/retention-sweep.ts).
    index("refresh_logs_created_idx").on(t.createdAt),
    index("refresh_logs_tenant_created_idx").on(t.tenantId, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
    index("refresh_logs_tenant_outcome_created_idx").on(t.tenantId, t.outcome, t.createdAt.desc().nullsFirst(), t.id.desc().nullsFirst()),
  ],
);

export const revocationStatusEnum = pgEnum("revocation_status", ["pending", "revoked", "failed"]);

/**
 * A disconnect's revocation at Intuit. The connection's tokens are wiped at once; the refresh token stays sealed here
 * only until Intuit confirms the revocation, so a failed one can be retried, and is erased when it succeeds.
 */
export const tokenRevocations = pgTable(
  "token_revocations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id"),
    tokenEnc: text("token_enc"),
    status: revocationStatusEnum("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    intuitTid: text("intuit_tid"),
    requestedByUserId: uuid("requested_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("token_revocations_tenant_idx").on(t.tenantId, t.createdAt.desc()), index("token_revocations_status_idx").on(t.status)],
);
