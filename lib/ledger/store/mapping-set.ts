import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { accountMappings, ledgerAccounts } from "@/db/schema";
import type { MappingUnderTest } from "../rules/validate-mappings";

// The tenant's mapping set: each AWRA account and the QuickBooks account it posts to (null when unmapped). Read by
// every use-case that validates, syncs or reconciles it; written one mapping at a time or a batch of suggestions.

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
  return rows.map((r) => ({ ...r, allowShared: r.allowShared ?? false }));
}

/** Where one AWRA account posts: a QuickBooks account (its id and name as chosen), or none. */
export interface MappingTarget {
  qboAccountId: string | null;
  qboAccountName: string | null;
  allowShared: boolean;
}

/** Points one AWRA account at its target, creating the account's mapping row the first time. */
export async function upsertMapping(executor: Executor, mapping: { tenantId: string; ledgerAccountId: string; target: MappingTarget; actorUserId: string | null }): Promise<void> {
  const values = { ...mapping.target, updatedByUserId: mapping.actorUserId, updatedAt: new Date() };
  await executor
    .insert(accountMappings)
    .values({ tenantId: mapping.tenantId, ledgerAccountId: mapping.ledgerAccountId, ...values })
    .onConflictDoUpdate({ target: [accountMappings.tenantId, accountMappings.ledgerAccountId], set: values });
}
