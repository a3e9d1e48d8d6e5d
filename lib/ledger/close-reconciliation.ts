import "server-only";
import { and, eq } from "drizzle-orm";
import { db } from "@/db";
import { reconciliations } from "@/db/schema";
import { recordAudit, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { reconciliationClosed } from "./errors";
import { readReconciliation } from "./read-reconciliation";
import { lockOpenReconciliation, type Reconciliation } from "./store/reconciliations";

export interface CloseReconciliationOptions {
  tenantId: string;
  reconciliationId: number;
  actorUserId: string | null;
  meta?: RequestMeta;
}

/**
 * Closes the month: the reconciliation becomes the period's stored snapshot. One closed reconciliation per period.
 * Everything is read in the closing transaction, after the reconciliation's lock is granted: an explanation in
 * progress is waited for and is in the snapshot; one that comes later waits for the close and is refused.
 */
export async function closeReconciliation(input: CloseReconciliationOptions): Promise<Reconciliation> {
  return db().transaction(async (tx) => {
    const open = await lockOpenReconciliation(tx, input.tenantId, input.reconciliationId, "update");
    const [other] = await tx
      .select({ id: reconciliations.id })
      .from(reconciliations)
      .where(and(eq(reconciliations.tenantId, input.tenantId), eq(reconciliations.environment, open.environment), eq(reconciliations.period, open.period), eq(reconciliations.status, "closed")));
    if (other) throw new AppError("period_closed", 409, `${open.period} is already closed (reconciliation ${other.id}).`);
    const read = (await readReconciliation(input.tenantId, input.reconciliationId, tx))!;
    // The status condition makes a second close (a double click, two tabs) fail instead of closing twice.
    const [closed] = await tx
      .update(reconciliations)
      .set({ status: "closed", closedAt: new Date(), closedByUserId: input.actorUserId })
      .where(and(eq(reconciliations.id, input.reconciliationId), eq(reconciliations.tenantId, input.tenantId), eq(reconciliations.status, "open")))
      .returning();
    if (!closed) throw reconciliationClosed();
    await recordAudit(tx, {
      tenantId: input.tenantId,
      actorUserId: input.actorUserId,
      action: "reconciliation.closed",
      target: `reconciliation:${closed.id}`,
      outcome: "success",
      details: { period: closed.period, difference: read.totals.difference, unexplained: read.totals.unexplained },
      meta: input.meta,
    });
    return closed;
  });
}
