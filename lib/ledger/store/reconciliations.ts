import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { reconciliationLines, reconciliations } from "@/db/schema";
import { reconciliationClosed, reconciliationNotFound } from "../errors";

// Reconciliations and their lines as stored. A closed one is the period's snapshot for good: the database refuses
// any change to it (migration 0010), and the use-cases refuse it first with a sentence that says what to do instead.

export type Reconciliation = typeof reconciliations.$inferSelect;
export type ReconciliationLine = typeof reconciliationLines.$inferSelect;

export async function findReconciliation(tenantId: string, id: number): Promise<Reconciliation | null> {
  const [row] = await db().select().from(reconciliations).where(and(eq(reconciliations.tenantId, tenantId), eq(reconciliations.id, id)));
  return row ?? null;
}

/** The reconciliation, if it may still change: a missing one is 404, a closed one 409. */
export async function findOpenReconciliation(tenantId: string, id: number): Promise<Reconciliation> {
  const row = await findReconciliation(tenantId, id);
  if (!row) throw reconciliationNotFound();
  if (row.status === "closed") throw reconciliationClosed();
  return row;
}
