import "server-only";
import { and, eq } from "drizzle-orm";
import { db, type Executor, type Transaction } from "@/db";
import { reconciliationLines, reconciliations } from "@/db/schema";
import { reconciliationClosed, reconciliationNotFound } from "../errors";

// Reconciliations and their lines as stored. A closed one is the period's snapshot for good: the database refuses
// any change to it (migrations 0010 and 0017), and the use-cases refuse it first with a sentence that says what to do
// instead. A change and a close are ordered by the reconciliation's row lock (lockOpenReconciliation), so a change
// racing a close either lands before it, and is in the snapshot, or is refused.

export type Reconciliation = typeof reconciliations.$inferSelect;
export type ReconciliationLine = typeof reconciliationLines.$inferSelect;

export async function findReconciliation(tenantId: string, id: number, executor: Executor = db()): Promise<Reconciliation | null> {
  const [row] = await executor.select().from(reconciliations).where(and(eq(reconciliations.tenantId, tenantId), eq(reconciliations.id, id)));
  return row ?? null;
}

/**
 * The reconciliation, if it may still change (a missing one is 404, a closed one 409), locked until the transaction
 * ends: "share" by a change to its lines (changes do not wait for each other), "update" by its close (which waits for
 * the changes in progress, and which they wait for). The status is read once the lock is granted, so a close that
 * committed meanwhile is seen.
 */
export async function lockOpenReconciliation(tx: Transaction, tenantId: string, id: number, mode: "share" | "update"): Promise<Reconciliation> {
  const [row] = await tx
    .select()
    .from(reconciliations)
    .where(and(eq(reconciliations.tenantId, tenantId), eq(reconciliations.id, id)))
    .for(mode);
  if (!row) throw reconciliationNotFound();
  if (row.status === "closed") throw reconciliationClosed();
  return row;
}
