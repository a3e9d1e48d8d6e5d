import "server-only";
import { sql } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { qboAccounts } from "@/db/schema";
import type { RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { queryAccountPage, QUERY_MAX_RESULTS, type QboAccount } from "@/lib/intuit/api-client";
import { notConnected } from "@/lib/quickbooks/client/access-token";
import { findConnection } from "@/lib/quickbooks/store/connections";
import { intuitAppFor } from "@/lib/quickbooks/client/intuit-app";
import { callQuickBooks } from "@/lib/quickbooks/client/qbo-client";
import { recordValidation, type ValidationRecord } from "./mappings";

// The QuickBooks chart of accounts: fetched live through the API client, page by page (Intuit answers 1,000 rows
// at most), and kept in qbo_accounts, the external records that mappings point at and reconciliations read.

export interface ChartConnection {
  tenantId: string;
  environment: IntuitEnvironment;
  realmId: string;
}

/** The tenant's active connection in that environment (its chosen one by default), or a clear error. */
export async function activeConnectionFor(tenantId: string, environment?: IntuitEnvironment): Promise<ChartConnection> {
  const app = await intuitAppFor(tenantId, environment);
  const connection = await findConnection(db(), tenantId, app.environment);
  if (!connection || connection.status !== "active" || !connection.realmId) {
    throw new AppError(notConnected().code, 409, `There is no active ${app.environment} connection to QuickBooks. Connect and verify it first.`);
  }
  return { tenantId, environment: app.environment, realmId: connection.realmId };
}

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
      setWhere: sql`(${a.name}, ${a.accountType}, ${a.classification}, ${a.active}, ${a.currentBalance}, ${a.syncToken}) is distinct from
                    (excluded.name, excluded.account_type, excluded.classification, excluded.active, excluded.current_balance, excluded.sync_token)`,
    })
    .returning({ id: a.qboId });
  return rows.length;
}

/** Every account of the company, active and inactive, page by page through the API client. */
export async function fetchLiveChart(connection: ChartConnection, options: { background?: boolean; actorUserId?: string | null } = {}): Promise<{ accounts: QboAccount[]; rejected: number }> {
  const accounts: QboAccount[] = [];
  let rejected = 0;
  for (let start = 1; ; start += QUERY_MAX_RESULTS) {
    const page = await callQuickBooks({ tenantId: connection.tenantId, environment: connection.environment, ...options }, "query", (input) =>
      queryAccountPage({ ...input, startPosition: start, maxResults: QUERY_MAX_RESULTS }),
    );
    if (page.realmId !== connection.realmId) throw new Error("the QuickBooks connection changed while its chart was being read");
    accounts.push(...page.accounts);
    rejected += page.rejected;
    if (page.accounts.length + page.rejected < QUERY_MAX_RESULTS) return { accounts, rejected };
  }
}

/** Fetches the live chart, keeps it in qbo_accounts, and validates the current mapping set against it. */
export async function validateAgainstLiveChart(input: { tenantId: string; environment?: IntuitEnvironment; actorUserId: string | null; meta?: RequestMeta }): Promise<ValidationRecord> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const { accounts } = await fetchLiveChart(connection, { actorUserId: input.actorUserId });
  for (let i = 0; i < accounts.length; i += 500) await storeAccounts(db(), connection, accounts.slice(i, i + 500), null);
  return recordValidation({ ...connection, chart: accounts, actorUserId: input.actorUserId, meta: input.meta });
}
