import "server-only";
import { asc, eq } from "drizzle-orm";
import { db } from "@/db";
import { ledgerAccounts } from "@/db/schema";
import type { LedgerAccountType } from "./rules/account-types";

/** One AWRA account as GET /api/quickbooks/ledger lists it: the fields a load takes, and where they came from. */
export interface LedgerAccountView {
  id: string;
  code: string;
  name: string;
  type: LedgerAccountType;
  /** "1250.50" */
  balance: string;
  /** "2026-11-30" */
  as_of: string;
  /** "seed", "csv" or "api" */
  source: string;
  updated_at: string;
}

export interface ListLedgerAccountsOptions {
  tenantId: string;
}

/** The tenant's AWRA chart of accounts, by code. */
export async function listLedgerAccounts({ tenantId }: ListLedgerAccountsOptions): Promise<LedgerAccountView[]> {
  const rows = await db().select().from(ledgerAccounts).where(eq(ledgerAccounts.tenantId, tenantId)).orderBy(asc(ledgerAccounts.code));
  return rows.map((row) => ({
    id: row.id,
    code: row.code,
    name: row.name,
    type: row.type,
    balance: row.balance,
    as_of: row.asOf,
    source: row.source,
    updated_at: row.updatedAt.toISOString(),
  }));
}
