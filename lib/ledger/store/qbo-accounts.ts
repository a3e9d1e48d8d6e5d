import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db";
import { qboAccounts } from "@/db/schema";
import type { QboAccount } from "@/lib/intuit/account-query";
import type { ChartConnection } from "./active-connection";

// qbo_accounts: the QuickBooks chart of accounts as last fetched, the external records that mappings point at and
// reconciliations read. Written a page at a time by syncs and by live validations alike.

/** Upserts a page of accounts; returns how many rows were new or changed (an unchanged account is not rewritten). */
export async function storeAccounts(executor: Executor, connection: ChartConnection, accounts: readonly QboAccount[], syncRunId: number | null): Promise<number> {
  if (accounts.length === 0) return 0;
  const a = qboAccounts;
  const rows = await executor
    .insert(a)
    .values(
      accounts.map((account) => ({
        tenantId: connection.tenantId,
        environment: connection.environment,
        realmId: connection.realmId,
        qboId: account.id,
        name: account.name,
        fullyQualifiedName: account.fullyQualifiedName,
        accountNumber: account.number,
        accountType: account.accountType,
        classification: account.classification,
        active: account.active,
        currentBalance: account.currentBalance,
        syncToken: account.syncToken,
        lastUpdatedAt: account.lastUpdatedAt,
        syncRunId,
      })),
    )
    .onConflictDoUpdate({
      target: [a.tenantId, a.environment, a.realmId, a.qboId],
      set: {
        name: sql`excluded.name`,
        fullyQualifiedName: sql`excluded.fully_qualified_name`,
        accountNumber: sql`excluded.account_number`,
        accountType: sql`excluded.account_type`,
        classification: sql`excluded.classification`,
        active: sql`excluded.active`,
        currentBalance: sql`excluded.current_balance`,
        syncToken: sql`excluded.sync_token`,
        lastUpdatedAt: sql`excluded.last_updated_at`,
        syncRunId: sql`excluded.sync_run_id`,
        syncedAt: sql`now()`,
      },
      // Rewrite only what changed: a re-run of the same page (a resumed sync) writes nothing new.
      setWhere: sql`(${a.name}, ${a.fullyQualifiedName}, ${a.accountNumber}, ${a.accountType}, ${a.classification}, ${a.active}, ${a.currentBalance}, ${a.syncToken}) is distinct from
                    (excluded.name, excluded.fully_qualified_name, excluded.account_number, excluded.account_type, excluded.classification, excluded.active, excluded.current_balance, excluded.sync_token)`,
    })
    .returning({ id: a.qboId });
  return rows.length;
}
