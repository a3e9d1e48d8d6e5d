import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { accountMappings, ledgerAccounts, mappingValidations, qboAccounts } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { typesAreCompatible, type LedgerAccountType } from "./account-types";
import { mappingFingerprint, validateMappings, type MappingUnderTest, type MappingValidation, type QboAccountFact } from "./validate-mappings";

// The tenant's mapping set: each AWRA account and the QuickBooks account it posts to. Reading it, changing one
// mapping, suggesting mappings by name, and validating the whole set against a connection's live chart of accounts.

export interface MappingRow extends MappingUnderTest {
  asOf: string;
  qboAccountName: string | null;
}

/** Every AWRA account of the tenant with its mapping (null when unmapped), by code. */
export async function readMappingSet(tenantId: string, executor: Executor = db()): Promise<MappingRow[]> {
  const rows = await executor
    .select({
      ledgerAccountId: ledgerAccounts.id,
      code: ledgerAccounts.code,
      name: ledgerAccounts.name,
      type: ledgerAccounts.type,
      balance: ledgerAccounts.balance,
      asOf: ledgerAccounts.asOf,
      qboAccountId: accountMappings.qboAccountId,
      qboAccountName: accountMappings.qboAccountName,
      allowShared: accountMappings.allowShared,
    })
    .from(ledgerAccounts)
    .leftJoin(accountMappings, and(eq(accountMappings.tenantId, ledgerAccounts.tenantId), eq(accountMappings.ledgerAccountId, ledgerAccounts.id)))
    .where(eq(ledgerAccounts.tenantId, tenantId))
    .orderBy(asc(ledgerAccounts.code));
  return rows.map((r) => ({ ...r, type: r.type as LedgerAccountType, allowShared: r.allowShared ?? false }));
}

export function fingerprintOf(set: readonly MappingRow[]): string {
  return mappingFingerprint(set);
}

export interface MappingChange {
  tenantId: string;
  ledgerAccountId: string;
  /** null unmaps the account. */
  qboAccountId: string | null;
  allowShared?: boolean;
  environment: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/** Maps one AWRA account to a QuickBooks account known from the last fetch of the chart (or unmaps it). */
export async function saveMapping(change: MappingChange): Promise<MappingRow> {
  return db().transaction(async (tx) => {
    const [account] = await tx
      .select()
      .from(ledgerAccounts)
      .where(and(eq(ledgerAccounts.tenantId, change.tenantId), eq(ledgerAccounts.id, change.ledgerAccountId)));
    if (!account) throw new AppError("not_found", 404, "That AWRA account does not exist for this tenant.");
    let qboName: string | null = null;
    if (change.qboAccountId !== null) {
      const [target] = await tx
        .select({ name: qboAccounts.name })
        .from(qboAccounts)
        .where(and(eq(qboAccounts.tenantId, change.tenantId), eq(qboAccounts.environment, change.environment), eq(qboAccounts.qboId, change.qboAccountId)));
      if (!target) throw new AppError("unknown_qbo_account", 422, "That QuickBooks account is not in the company's chart of accounts. Refresh the QuickBooks accounts and choose again.");
      qboName = target.name;
    }
    const values = { qboAccountId: change.qboAccountId, qboAccountName: qboName, allowShared: change.allowShared ?? false, updatedByUserId: change.actorUserId, updatedAt: new Date() };
    await tx
      .insert(accountMappings)
      .values({ tenantId: change.tenantId, ledgerAccountId: change.ledgerAccountId, ...values })
      .onConflictDoUpdate({ target: [accountMappings.tenantId, accountMappings.ledgerAccountId], set: values });
    await recordAudit(tx, {
      tenantId: change.tenantId,
      actorUserId: change.actorUserId,
      action: "mapping.changed",
      target: `ledger:${account.code}`,
      outcome: "success",
      details: { qboAccountId: change.qboAccountId, allowShared: values.allowShared },
      meta: change.meta,
    });
    const set = await readMappingSet(change.tenantId, tx);
    return set.find((row) => row.ledgerAccountId === change.ledgerAccountId)!;
  });
}

const normalise = (name: string) =>
  name
    .toLowerCase()
    .replace(/\(.*?\)/g, " ")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/**
 * Suggestions for the unmapped AWRA accounts: the active QuickBooks account of the same name (ignoring case,
 * punctuation and bracketed abbreviations) and a compatible type. Only suggestions: the user confirms each.
 */
export function suggestByName(set: readonly MappingRow[], chart: readonly QboAccountFact[]): Map<string, QboAccountFact> {
  const byName = new Map<string, QboAccountFact[]>();
  for (const account of chart) if (account.active) byName.set(normalise(account.name), [...(byName.get(normalise(account.name)) ?? []), account]);
  const suggestions = new Map<string, QboAccountFact>();
  for (const row of set) {
    if (row.qboAccountId !== null) continue;
    const match = (byName.get(normalise(row.name)) ?? []).filter((candidate) => typesAreCompatible(row.type, candidate));
    if (match.length === 1) suggestions.set(row.ledgerAccountId, match[0]!);
  }
  return suggestions;
}

/** Applies the name suggestions in one transaction; returns how many accounts were mapped. */
export async function applySuggestions(tenantId: string, environment: IntuitEnvironment, actorUserId: string | null, meta?: RequestMeta): Promise<number> {
  const set = await readMappingSet(tenantId);
  const chart = await readChart(tenantId, environment);
  const suggestions = suggestByName(set, chart);
  if (suggestions.size === 0) return 0;
  await db().transaction(async (tx) => {
    for (const [ledgerAccountId, target] of suggestions) {
      const values = { qboAccountId: target.id, qboAccountName: target.name, allowShared: false, updatedByUserId: actorUserId, updatedAt: new Date() };
      await tx
        .insert(accountMappings)
        .values({ tenantId, ledgerAccountId, ...values })
        .onConflictDoUpdate({ target: [accountMappings.tenantId, accountMappings.ledgerAccountId], set: values });
    }
    await recordAudit(tx, { tenantId, actorUserId, action: "mapping.changed", target: "ledger:*", outcome: "success", details: { suggestedByName: suggestions.size }, meta });
  });
  return suggestions.size;
}

/** The QuickBooks chart as last fetched for this tenant and environment. */
export async function readChart(tenantId: string, environment: IntuitEnvironment): Promise<QboAccountFact[]> {
  const rows = await db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, accountType: qboAccounts.accountType, classification: qboAccounts.classification, active: qboAccounts.active })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.environment, environment)));
  return rows;
}

export interface ChartSearch {
  q?: string;
  /** Keyset: the last name and id of the previous page. */
  after?: { name: string; id: string };
  limit?: number;
}

/** A page of the chart for the account picker: searchable by name or type, paged by name (works at any size). */
export async function searchChart(tenantId: string, environment: IntuitEnvironment, search: ChartSearch = {}) {
  const limit = Math.min(Math.max(search.limit ?? 50, 1), 200);
  const q = search.q?.trim();
  const rows = await db()
    .select({
      id: qboAccounts.qboId,
      name: qboAccounts.name,
      fullyQualifiedName: qboAccounts.fullyQualifiedName,
      accountType: qboAccounts.accountType,
      classification: qboAccounts.classification,
      active: qboAccounts.active,
      currentBalance: qboAccounts.currentBalance,
    })
    .from(qboAccounts)
    .where(
      and(
        eq(qboAccounts.tenantId, tenantId),
        eq(qboAccounts.environment, environment),
        q ? sql`(${qboAccounts.name} ilike ${`%${q.replace(/[%_\\]/g, "\\$&")}%`} or ${qboAccounts.accountType} ilike ${`%${q.replace(/[%_\\]/g, "\\$&")}%`})` : undefined,
        search.after ? sql`(${qboAccounts.name}, ${qboAccounts.qboId}) > (${search.after.name}, ${search.after.id})` : undefined,
      ),
    )
    .orderBy(asc(qboAccounts.name), asc(qboAccounts.qboId))
    .limit(limit + 1);
  return { accounts: rows.slice(0, limit), hasMore: rows.length > limit };
}

export interface ValidationRecord extends MappingValidation {
  id: number;
  environment: IntuitEnvironment;
  realmId: string;
  fingerprint: string;
  createdAt: Date;
}

/** Stores a validation of the current mapping set against a chart the caller has just fetched from QuickBooks. */
export async function recordValidation(input: {
  tenantId: string;
  environment: IntuitEnvironment;
  realmId: string;
  chart: readonly QboAccountFact[];
  actorUserId: string | null;
  meta?: RequestMeta;
}): Promise<ValidationRecord> {
  return db().transaction(async (tx) => {
    const set = await readMappingSet(input.tenantId, tx);
    const result = validateMappings(set, new Map(input.chart.map((a) => [a.id, a])));
    const fingerprint = fingerprintOf(set);
    const [row] = await tx
      .insert(mappingValidations)
      .values({ tenantId: input.tenantId, environment: input.environment, realmId: input.realmId, fingerprint, passed: result.passed, checked: result.checked, mapped: result.mapped, issues: result.issues, createdByUserId: input.actorUserId })
      .returning({ id: mappingValidations.id, createdAt: mappingValidations.createdAt });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "mappings.validated",
      target: `quickbooks:${input.environment}:${input.realmId}`,
      outcome: result.passed ? "success" : "failure",
      details: { checked: result.checked, mapped: result.mapped, issues: result.issues.length },
      meta: input.meta,
    });
    return { ...result, id: row!.id, environment: input.environment, realmId: input.realmId, fingerprint, createdAt: row!.createdAt };
  });
}

/** The latest validation in an environment, and whether it still describes the current mapping set. */
export async function latestValidation(tenantId: string, environment: IntuitEnvironment): Promise<(ValidationRecord & { current: boolean }) | null> {
  const [row] = await db()
    .select()
    .from(mappingValidations)
    .where(and(eq(mappingValidations.tenantId, tenantId), eq(mappingValidations.environment, environment)))
    .orderBy(desc(mappingValidations.createdAt), desc(mappingValidations.id))
    .limit(1);
  if (!row) return null;
  const current = fingerprintOf(await readMappingSet(tenantId)) === row.fingerprint;
  return {
    id: row.id,
    environment: row.environment,
    realmId: row.realmId,
    fingerprint: row.fingerprint,
    passed: row.passed,
    checked: row.checked,
    mapped: row.mapped,
    issues: row.issues as MappingValidation["issues"],
    createdAt: row.createdAt,
    current,
  };
}

/** Everything the mappings page shows: the set, the chart's size, and the latest validation in each environment. */
export async function mappingOverview(tenantId: string, environment: IntuitEnvironment) {
  const [set, sandbox, production, [chart]] = await Promise.all([
    readMappingSet(tenantId),
    latestValidation(tenantId, "sandbox"),
    latestValidation(tenantId, "production"),
    db()
      .select({ accounts: sql<number>`count(*)::int`, fetchedAt: sql<Date | null>`max(${qboAccounts.syncedAt})` })
      .from(qboAccounts)
      .where(and(eq(qboAccounts.tenantId, tenantId), eq(qboAccounts.environment, environment))),
  ]);
  return {
    environment,
    accounts: set,
    mapped: set.filter((row) => row.qboAccountId !== null).length,
    chart: { accounts: chart?.accounts ?? 0, fetchedAt: chart?.fetchedAt ? new Date(chart.fetchedAt) : null },
    validations: { sandbox, production },
  };
}
