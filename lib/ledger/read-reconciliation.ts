import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { db, type Executor } from "@/db";
import { reconciliationLines } from "@/db/schema";
import { totalsOf, type ReconciliationTotals } from "./rules/reconciliation-lines";
import { findReconciliation, type Reconciliation, type ReconciliationLine } from "./store/reconciliations";

export interface ReconciliationRead {
  reconciliation: Reconciliation;
  lines: ReconciliationLine[];
  totals: ReconciliationTotals;
}

/** One reconciliation of the tenant with its lines and totals, or null when it has none of that id. */
export async function readReconciliation(tenantId: string, id: number, executor: Executor = db()): Promise<ReconciliationRead | null> {
  const reconciliation = await findReconciliation(tenantId, id, executor);
  if (!reconciliation) return null;
  const lines = await executor
    .select()
    .from(reconciliationLines)
    .where(and(eq(reconciliationLines.tenantId, tenantId), eq(reconciliationLines.reconciliationId, id)))
    .orderBy(asc(reconciliationLines.id));
  return { reconciliation, lines, totals: totalsOf(lines) };
}
