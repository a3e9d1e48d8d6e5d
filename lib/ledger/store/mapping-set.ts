import "server-only";
import { and, asc, eq, sql, type AnyColumn } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { accountMappings, ledgerAccounts, qboAccounts } from "@/db/schema";
import type { ChartConnection } from "./active-connection";
import type { MappingKey, ProductionTarget } from "../rules/resolve-in-production";
import type { MappingUnderTest } from "../rules/validate-mappings";

// The tenant's mapping set: each AWRA account and the QuickBooks account it posts to (null when unmapped). Read by
// every use-case that validates, syncs or reconciles it; written one mapping at a time or a batch of suggestions.

export interface MappingRow extends MappingUnderTest, MappingKey {
  asOf: string;
  /** The production account an accountant confirmed for this mapping, or null. */
  production: ProductionTarget | null;
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
      qboAccountNumber: accountMappings.qboAccountNumber,
      qboAccountFqn: accountMappings.qboAccountFqn,
      allowShared: accountMappings.allowShared,
      productionRealmId: accountMappings.productionRealmId,
      productionAccountId: accountMappings.productionAccountId,
      productionAccountName: accountMappings.productionAccountName,
      productionMatchedBy: accountMappings.productionMatchedBy,
      productionConfirmedAt: accountMappings.productionConfirmedAt,
    })
    .from(ledgerAccounts)
    .leftJoin(accountMappings, and(eq(accountMappings.tenantId, ledgerAccounts.tenantId), eq(accountMappings.ledgerAccountId, ledgerAccounts.id)))
    .where(eq(ledgerAccounts.tenantId, tenantId))
    .orderBy(asc(ledgerAccounts.code));
  return rows.map(({ productionRealmId, productionAccountId, productionAccountName, productionMatchedBy, productionConfirmedAt, ...r }) => ({
    ...r,
    allowShared: r.allowShared ?? false,
    production:
      productionRealmId && productionAccountId && productionConfirmedAt
        ? { realmId: productionRealmId, accountId: productionAccountId, accountName: productionAccountName, matchedBy: productionMatchedBy === "name" ? "name" : "number", confirmedAt: productionConfirmedAt }
        : null,
  }));
}

/** Where one AWRA account posts: a sandbox QuickBooks account (its id, name, number and full name as chosen), or none. */
export interface MappingTarget {
  qboAccountId: string | null;
  qboAccountName: string | null;
  qboAccountNumber: string | null;
  qboAccountFqn: string | null;
  allowShared: boolean;
}

/** A mapping that points nowhere. */
export const UNMAPPED: MappingTarget = { qboAccountId: null, qboAccountName: null, qboAccountNumber: null, qboAccountFqn: null, allowShared: false };

/** The production confirmation is about one sandbox account: pointing the mapping elsewhere forgets it. */
const keepIfSameTarget = (column: AnyColumn) =>
  sql`case when ${accountMappings.qboAccountId} is not distinct from excluded.qbo_account_id then ${column} end`;

/** Points one AWRA account at its target, creating the account's mapping row the first time. */
export async function upsertMapping(executor: Executor, mapping: { tenantId: string; ledgerAccountId: string; target: MappingTarget; actorUserId: string | null }): Promise<void> {
  const values = { ...mapping.target, updatedByUserId: mapping.actorUserId, updatedAt: new Date() };
  const m = accountMappings;
  await executor
    .insert(m)
    .values({ tenantId: mapping.tenantId, ledgerAccountId: mapping.ledgerAccountId, ...values })
    .onConflictDoUpdate({
      target: [m.tenantId, m.ledgerAccountId],
      set: {
        ...values,
        productionRealmId: keepIfSameTarget(m.productionRealmId),
        productionAccountId: keepIfSameTarget(m.productionAccountId),
        productionAccountName: keepIfSameTarget(m.productionAccountName),
        productionMatchedBy: keepIfSameTarget(m.productionMatchedBy),
        productionConfirmedByUserId: keepIfSameTarget(m.productionConfirmedByUserId),
        productionConfirmedAt: keepIfSameTarget(m.productionConfirmedAt),
      },
    });
}

/**
 * Keeps each mapping's picture of its QuickBooks account as the company now has it, after a fetch of its chart (a
 * sync or a validation): in the sandbox the account's name, number and full name (the keys production resolves by),
 * in production the confirmed account's name. Only rows that changed are written.
 */
export async function refreshMappedAccounts(executor: Executor, connection: ChartConnection): Promise<void> {
  const m = accountMappings;
  const q = qboAccounts;
  const sameAccount = and(eq(m.tenantId, connection.tenantId), eq(q.tenantId, connection.tenantId), eq(q.environment, connection.environment), eq(q.realmId, connection.realmId));
  if (connection.environment === "sandbox") {
    await executor
      .update(m)
      .set({ qboAccountName: sql`${q.name}`, qboAccountNumber: sql`${q.accountNumber}`, qboAccountFqn: sql`coalesce(${q.fullyQualifiedName}, ${q.name})` })
      .from(q)
      .where(and(sameAccount, eq(q.qboId, m.qboAccountId), sql`(${m.qboAccountName}, ${m.qboAccountNumber}, ${m.qboAccountFqn}) is distinct from (${q.name}, ${q.accountNumber}, coalesce(${q.fullyQualifiedName}, ${q.name}))`));
    return;
  }
  await executor
    .update(m)
    .set({ productionAccountName: sql`${q.name}` })
    .from(q)
    .where(and(sameAccount, eq(m.productionRealmId, connection.realmId), eq(q.qboId, m.productionAccountId), sql`${m.productionAccountName} is distinct from ${q.name}`));
}
