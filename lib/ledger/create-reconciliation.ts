import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { qboAccounts, reconciliationLines, reconciliations, syncRuns } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import type { IntuitEnvironment } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { draftLines, totalsOf } from "./rules/reconciliation-lines";
import { activeConnectionFor, type ChartConnection } from "./store/active-connection";
import { readMappingSet } from "./store/mapping-set";
import type { Reconciliation } from "./store/reconciliations";

// Reconciliation: per mapped account, AWRA's balance against QuickBooks' as of the latest sync, the difference and
// the totals. A difference is explained (a deposit in transit…) or it turns the sync indicator red; closing the month
// stores the snapshot for good.

export interface CreateReconciliationOptions {
  tenantId: string;
  /** The tenant's chosen environment by default. */
  environment?: IntuitEnvironment;
  actorUserId: string | null;
  meta?: RequestMeta;
  /** "2026-11"; by default the month of the sync it compares against. */
  period?: string;
}

const periodOf = (date: Date) => date.toISOString().slice(0, 7);

/** Reconciles the current mapping set against the QuickBooks balances of the latest successful sync. */
export async function createReconciliation(input: CreateReconciliationOptions): Promise<Reconciliation> {
  const connection = await activeConnectionFor(input.tenantId, input.environment);
  const sync = await latestSuccessfulSync(connection);
  if (!sync) throw new AppError("sync_required", 409, "Run a sync first: the reconciliation compares against the QuickBooks balances it brings in.");
  const balances = await db()
    .select({ id: qboAccounts.qboId, name: qboAccounts.name, balance: qboAccounts.currentBalance })
    .from(qboAccounts)
    .where(and(eq(qboAccounts.tenantId, input.tenantId), eq(qboAccounts.environment, connection.environment), eq(qboAccounts.realmId, connection.realmId)));
  const lines = draftLines(await readMappingSet(input.tenantId), new Map(balances.map((b) => [b.id, b])));
  const asOf = (sync.finishedAt ?? new Date()).toISOString().slice(0, 10);
  const period = input.period ?? periodOf(sync.finishedAt ?? new Date());

  return db().transaction(async (tx) => {
    const [created] = await tx
      .insert(reconciliations)
      .values({ tenantId: input.tenantId, environment: connection.environment, realmId: connection.realmId, period, asOf, syncRunId: sync.id, createdByUserId: input.actorUserId })
      .returning();
    if (lines.length > 0) await tx.insert(reconciliationLines).values(lines.map((line) => ({ ...line, reconciliationId: created!.id, tenantId: input.tenantId })));
    const totals = totalsOf(lines.map((l) => ({ ...l, explanation: null })));
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.created",
      target: `reconciliation:${created!.id}`,
      outcome: "success",
      details: { period, asOf, lines: lines.length, differences: totals.differences },
      meta: input.meta,
    });
    return created!;
  });
}

async function latestSuccessfulSync(connection: ChartConnection) {
  const [sync] = await db()
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.tenantId, connection.tenantId), eq(syncRuns.environment, connection.environment), eq(syncRuns.realmId, connection.realmId), eq(syncRuns.status, "succeeded")))
    .orderBy(desc(syncRuns.finishedAt))
    .limit(1);
  return sync ?? null;
}
