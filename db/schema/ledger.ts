import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { tenants, users } from "./identity";
import { intuitEnvironmentEnum } from "./quickbooks";

// AWRA's side of the ledger, its mapping to QuickBooks accounts, the QuickBooks accounts as last synced, sync runs and
// reconciliations (issue 8). Money is numeric(18,2): exact, never a float.

export const ledgerAccountTypeEnum = pgEnum("ledger_account_type", ["asset", "liability", "equity", "income", "expense"]);
export type LedgerAccountType = (typeof ledgerAccountTypeEnum.enumValues)[number];

/** AWRA's chart of accounts for a tenant: loaded by CSV upload, by API key, or by the demo seed. */
export const ledgerAccounts = pgTable(
  "ledger_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    name: text("name").notNull(),
    type: ledgerAccountTypeEnum("type").notNull(),
    balance: numeric("balance", { precision: 18, scale: 2 }).notNull(),
    asOf: date("as_of").notNull(),
    /** "seed", "csv" or "api": where the latest values came from. */
    source: text("source").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("ledger_accounts_tenant_code_uq").on(t.tenantId, t.code)],
);

/**
 * Which QuickBooks account each AWRA account posts to. One row per AWRA account. Mappings are made in the sandbox
 * company (the sandbox-first rule); the account's number and fully qualified name are kept beside its id because they,
 * not the id, survive the move to the production company, where each mapping is resolved by them and stored only once
 * an accountant confirms it (lib/ledger/resolve-in-production.ts; issue 17).
 */
export const accountMappings = pgTable(
  "account_mappings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    ledgerAccountId: uuid("ledger_account_id")
      .notNull()
      .references(() => ledgerAccounts.id, { onDelete: "cascade" }),
    /** The account's id in the sandbox company. */
    qboAccountId: text("qbo_account_id"),
    /** The account's name when it was chosen, so the page can show it without asking QuickBooks. */
    qboAccountName: text("qbo_account_name"),
    /** Its AcctNum (null when the company does not number its accounts) and FullyQualifiedName when it was chosen. */
    qboAccountNumber: text("qbo_account_number"),
    qboAccountFqn: text("qbo_account_fqn"),
    allowShared: boolean("allow_shared").notNull().default(false),
    /**
     * The same account in the production company, as an accountant confirmed it: which company, its id and name, and
     * how it was found ("number" or "name"). Cleared whenever the sandbox mapping changes.
     */
    productionRealmId: text("production_realm_id"),
    productionAccountId: text("production_account_id"),
    productionAccountName: text("production_account_name"),
    productionMatchedBy: text("production_matched_by"),
    productionConfirmedByUserId: uuid("production_confirmed_by_user_id").references(() => users.id, { onDelete: "set null" }),
    productionConfirmedAt: timestamp("production_confirmed_at", { withTimezone: true }),
    updatedByUserId: uuid("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "account_mappings_pk", columns: [t.tenantId, t.ledgerAccountId] }), index("account_mappings_target_idx").on(t.tenantId, t.qboAccountId)],
);

/** Each validation of the tenant's mapping set against one connection's live chart of accounts. */
export const mappingValidations = pgTable(
  "mapping_validations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    /** lib/ledger/rules/validate-mappings.ts mappingFingerprint(): what exactly was validated. */
    fingerprint: text("fingerprint").notNull(),
    passed: boolean("passed").notNull(),
    checked: integer("checked").notNull(),
    mapped: integer("mapped").notNull(),
    issues: jsonb("issues").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("mapping_validations_tenant_idx").on(t.tenantId, t.environment, t.createdAt.desc())],
);

/** The QuickBooks chart of accounts as last synced: the external records the mappings point at. */
export const qboAccounts = pgTable(
  "qbo_accounts",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    qboId: text("qbo_id").notNull(),
    name: text("name").notNull(),
    fullyQualifiedName: text("fully_qualified_name"),
    /** AcctNum: null when the company does not number its accounts. */
    accountNumber: text("account_number"),
    accountType: text("account_type").notNull(),
    classification: text("classification"),
    active: boolean("active").notNull(),
    currentBalance: numeric("current_balance", { precision: 18, scale: 2 }).notNull(),
    syncToken: text("sync_token"),
    /** QuickBooks' MetaData.LastUpdatedTime. */
    lastUpdatedAt: timestamp("last_updated_at", { withTimezone: true }),
    syncRunId: bigint("sync_run_id", { mode: "number" }),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "qbo_accounts_pk", columns: [t.tenantId, t.environment, t.realmId, t.qboId] })],
);

export const syncRunStatusEnum = pgEnum("sync_run_status", ["queued", "running", "succeeded", "failed"]);

/**
 * A sync of the QuickBooks chart of accounts and balances, run by the job queue. `cursor` is the next page to fetch:
 * a run that stops part-way resumes from it, and pages are upserts, so nothing is written twice.
 */
export const syncRuns = pgTable(
  "sync_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    /** "full" the first time, "changes" (change data capture since the last success) after. */
    mode: text("mode").notNull(),
    status: syncRunStatusEnum("status").notNull().default("queued"),
    total: integer("total"),
    processed: integer("processed").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    cursor: integer("cursor").notNull().default(0),
    changedSince: timestamp("changed_since", { withTimezone: true }),
    mappingFingerprint: text("mapping_fingerprint").notNull(),
    errorMessage: text("error_message"),
    requestedByUserId: uuid("requested_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    /** Written with every page and every beat: a running run whose heartbeat is old was abandoned by a process that died. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    /** Written by each claim: the runner's writes are conditioned on it, so one that lost the run writes nothing more. */
    claimToken: uuid("claim_token"),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("sync_runs_tenant_idx").on(t.tenantId, t.createdAt.desc()),
    // The retention sweep's range over finished runs (lib/jobs/retention-sweep.ts).
    index("sync_runs_finished_idx").on(t.finishedAt).where(sql`${t.finishedAt} is not null`),
    // At most one queued or running sync per tenant and environment.
    uniqueIndex("sync_runs_one_active_uq").on(t.tenantId, t.environment).where(sql`status in ('queued', 'running')`),
  ],
);

/**
 * How a tenant keeps its books, for the reports its reconciliations read: QuickBooks' Trial Balance on the accrual
 * basis (QuickBooks Online's default) or the cash basis. No row: accrual.
 */
export const ledgerSettings = pgTable(
  "ledger_settings",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    accountingMethod: text("accounting_method").notNull().default("Accrual"),
    updatedByUserId: uuid("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("ledger_settings_accounting_method_ck", sql`${t.accountingMethod} in ('Accrual', 'Cash')`)],
);

export const reconciliationStatusEnum = pgEnum("reconciliation_status", ["open", "closed"]);

/** A reconciliation of AWRA's balances against QuickBooks' for one period; closed = the month-end snapshot, frozen. */
export const reconciliations = pgTable(
  "reconciliations",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    environment: intuitEnvironmentEnum("environment").notNull(),
    realmId: text("realm_id").notNull(),
    /** "2026-11" */
    period: text("period").notNull(),
    asOf: date("as_of").notNull(),
    status: reconciliationStatusEnum("status").notNull().default("open"),
    syncRunId: bigint("sync_run_id", { mode: "number" }),
    // The close's basis (issue 17 point 4): the QuickBooks Trial Balance report the QuickBooks side was read from, so
    // an auditor can ask Intuit for the same report. Null on reconciliations made before it (CurrentBalance of a sync).
    /** The report's end date: the balances are as of this day (the period's last day). */
    reportEndDate: date("report_end_date"),
    /** The report's start date: the fiscal year's first day (income and expense accounts count from it). */
    reportStartDate: date("report_start_date"),
    /** "Accrual" or "Cash", as the report states its basis. */
    accountingMethod: text("accounting_method"),
    /** When the report was read. */
    reportReadAt: timestamp("report_read_at", { withTimezone: true }),
    /** Intuit's transaction id of the report's answer. */
    reportIntuitTid: text("report_intuit_tid"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    closedByUserId: uuid("closed_by_user_id").references(() => users.id, { onDelete: "set null" }),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [index("reconciliations_tenant_idx").on(t.tenantId, t.createdAt.desc()), uniqueIndex("reconciliations_closed_period_uq").on(t.tenantId, t.environment, t.period).where(sql`status = 'closed'`)],
);

/** One mapped AWRA account in a reconciliation: both balances as of the same date, the difference and its explanation. */
export const reconciliationLines = pgTable(
  "reconciliation_lines",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    reconciliationId: bigint("reconciliation_id", { mode: "number" })
      .notNull()
      .references(() => reconciliations.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    ledgerAccountId: uuid("ledger_account_id"),
    code: text("code").notNull(),
    name: text("name").notNull(),
    qboAccountId: text("qbo_account_id"),
    qboAccountName: text("qbo_account_name"),
    awraBalance: numeric("awra_balance", { precision: 18, scale: 2 }).notNull(),
    qboBalance: numeric("qbo_balance", { precision: 18, scale: 2 }),
    difference: numeric("difference", { precision: 18, scale: 2 }).notNull(),
    /** Why a difference is acceptable (e.g. "cheque in transit"); a difference without one is unexplained. */
    explanation: text("explanation"),
    explainedByUserId: uuid("explained_by_user_id").references(() => users.id, { onDelete: "set null" }),
    explainedAt: timestamp("explained_at", { withTimezone: true }),
  },
  (t) => [index("reconciliation_lines_reconciliation_idx").on(t.reconciliationId, t.code)],
);
